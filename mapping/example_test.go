package mapping_test

import (
	"errors"
	"fmt"

	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
)

func Example() {
	header := []string{"Account ID", "Account Name", "Phone", "Billing City"}
	spec, ignored := mapping.Infer(header)
	m, err := mapping.Compile(spec, header, "SALESFORCE")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range m.Describe() {
		fmt.Println(line)
	}
	fmt.Println("ignored:", ignored)

	r := &input.Record{File: "accounts.csv", Line: 2, Fields: []string{
		"001x0000002xLCVAA2", " Gravity Investments ", "1.55501E+10", "Fort Collins",
	}}
	c, err := m.Map(r)
	var invalid *mapping.FieldErrors
	if errors.As(err, &invalid) {
		for _, e := range *invalid {
			fmt.Printf("invalid %s (column %q): %.40s...\n", e.Field, e.Column, e.Reason)
		}
	}

	// Send the valid fields only, for the example's sake.
	c.Phone = ""
	fmt.Println(string(c.AppendJSON(nil)))
	// Output:
	// source <- value "SALESFORCE"
	// id <- column "Account ID" (trim)
	// name <- column "Account Name" (trim)
	// phone <- column "Phone" (trim)
	// ignored: [Billing City]
	// invalid phone (column "Phone"): "1.55501E+10" looks like a number that E...
	// {"metadata":{"source":"SALESFORCE"},"id":"001x0000002xLCVAA2","name":"Gravity Investments"}
}
