package input_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/corimport/corimport/importer/input"
)

func ExampleOpen() {
	export := "Id;Name\r\n" +
		"S-1;\"Acme; Inc\"\r\n" +
		"\r\n" +
		"S-2;\"Beta\" Ltd\r\n" +
		"S-3;Gamma\r\n"
	r, err := input.Open("-", strings.NewReader(export), input.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	fmt.Printf("header %q, delimiter %q\n", r.Header(), r.Info().Delimiter)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch {
		case rec.Err != nil:
			fmt.Println("invalid:", rec.Err)
		case rec.Blank:
			fmt.Printf("line %d: blank\n", rec.Line)
		default:
			fmt.Printf("line %d: %q\n", rec.Line, rec.Fields)
		}
	}
	// Output:
	// header ["Id" "Name"], delimiter ';'
	// line 2: ["S-1" "Acme; Inc"]
	// line 3: blank
	// invalid: - line 4: column "Name": has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled)
	// line 5: ["S-3" "Gamma"]
}
