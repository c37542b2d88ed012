package mapping

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// columnsOf returns the column name each field is mapped to, or "#N"
// for a column mapped by position.
func columnsOf(s *Spec) map[string]string {
	cols := map[string]string{}
	for f, r := range s.Fields {
		cols[f] = r.Column.Name
		if r.Column.Position > 0 {
			cols[f] = "#" + strconv.Itoa(r.Column.Position)
		}
	}
	return cols
}

func TestInfer(t *testing.T) {
	tests := []struct {
		name    string
		header  []string
		want    map[string]string
		ignored []string
	}{
		{
			name: "generic",
			header: []string{"ID", "Company Name", "E-mail", "First Name", "Last Name",
				"Telephone", "URL", "Notes", "Legal Name"},
			want: map[string]string{
				"id": "ID", "name": "Company Name", "email_contact": "E-mail",
				"name_contact": "First Name", "last_name_contact": "Last Name", "phone": "Telephone",
				"website": "URL", "description": "Notes", "business_name": "Legal Name",
			},
		},
		{
			name:   "generic short names",
			header: []string{"external_id", "company", "email", "contact name", "phone", "domain"},
			want: map[string]string{
				"id": "external_id", "name": "company", "email_contact": "email",
				"name_contact": "contact name", "phone": "phone", "website": "domain",
			},
		},
		{
			name: "salesforce report",
			header: []string{"Account ID", "Account Name", "Phone", "Website", "Description",
				"Billing City", "Account Owner", "Parent Account ID"},
			want: map[string]string{
				"id": "Account ID", "name": "Account Name", "phone": "Phone",
				"website": "Website", "description": "Description",
			},
			ignored: []string{"Billing City", "Account Owner", "Parent Account ID"},
		},
		{
			name:   "salesforce api names",
			header: []string{"Id", "Name", "Phone", "Website", "Description", "Site", "MasterRecordId"},
			want: map[string]string{
				"id": "Id", "name": "Name", "phone": "Phone", "website": "Website",
				"description": "Description",
			},
			ignored: []string{"Site", "MasterRecordId"},
		},
		{
			name:   "salesforce lower case",
			header: []string{"id", "name", "phone", "website", "description", "billingcity"},
			want: map[string]string{
				"id": "id", "name": "name", "phone": "phone", "website": "website",
				"description": "description",
			},
			ignored: []string{"billingcity"},
		},
		{
			name: "hubspot",
			header: []string{"Record ID", "Company name", "Company Domain Name", "Phone Number",
				"Website URL", "Description", "City", "Company owner"},
			want: map[string]string{
				"id": "Record ID", "name": "Company name", "phone": "Phone Number",
				"website": "Website URL", "description": "Description",
			},
			ignored: []string{"Company Domain Name", "City", "Company owner"},
		},
		{
			name:   "hubspot domain only",
			header: []string{"Record ID", "Company name", "Company Domain Name"},
			want:   map[string]string{"id": "Record ID", "name": "Company name", "website": "Company Domain Name"},
		},
		{
			name:    "priority picks best synonym",
			header:  []string{"Name", "Id", "Account Name", "External ID"},
			want:    map[string]string{"id": "External ID", "name": "Account Name"},
			ignored: []string{"Name", "Id"},
		},
		{
			name:    "equal names leftmost wins",
			header:  []string{"Id", "Name", "phone", "PHONE"},
			want:    map[string]string{"id": "Id", "name": "Name", "phone": "#3"},
			ignored: []string{"PHONE"},
		},
		{
			name:    "accents and padding",
			header:  []string{" Id\u00a0", "Nombre", "Razón Social", "Company"},
			want:    map[string]string{"id": "Id", "business_name": "Razón Social", "name": "Company"},
			ignored: []string{"Nombre"},
		},
		{
			name: "jsonl paths",
			header: []string{"id", "company.name", "contact.email", "contact.first_name",
				"contact.last_name", "contact.phone"},
			want: map[string]string{
				"id": "id", "name": "company.name", "email_contact": "contact.email",
				"name_contact": "contact.first_name", "last_name_contact": "contact.last_name",
				"phone": "contact.phone",
			},
		},
		{
			name:   "unnamed columns",
			header: []string{"Id", "", "Name", " "},
			want:   map[string]string{"id": "Id", "name": "Name"},
		},
		{name: "empty header", header: nil, want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ignored := Infer(tt.header)
			if got := columnsOf(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Infer(%q) fields = %v, want %v", tt.header, got, tt.want)
			}
			if !reflect.DeepEqual(ignored, tt.ignored) {
				t.Errorf("Infer(%q) ignored = %q, want %q", tt.header, ignored, tt.ignored)
			}
		})
	}
}

func TestSynonymsDisjoint(t *testing.T) {
	seen := map[string]string{}
	for f, names := range synonyms {
		for _, n := range names {
			if prev, ok := seen[n]; ok {
				t.Errorf("synonym %q is listed for %s and %s", n, prev, FieldNames[f])
			}
			seen[n] = FieldNames[f]
			if normalize(n) != n {
				t.Errorf("synonym %q is not normalised", n)
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Account ID", "accountid"},
		{"account_id", "accountid"},
		{"  E-Mail Address ", "emailaddress"},
		{"Razón Social", "razonsocial"},
		{"Country/Region", "countryregion"},
		{"ORACLE_ID__C", "oracleidc"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// readRealCSV reads a file from the shared real-data folder, decoded from
// Windows-1252 when cp1252 is set, or skips the test when it is absent.
func readRealCSV(t *testing.T, name string, cp1252 bool) [][]string {
	t.Helper()
	path := "../../shared/realdata/" + name
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("skipping: real export %s is not present", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if cp1252 {
		r = charmap.Windows1252.NewDecoder().Reader(f)
	}
	records, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return records
}

func TestInferDataLoaderExport(t *testing.T) {
	records := readRealCSV(t, "salesforce-dataloader-accountData.csv", true)
	header := records[0]
	s, ignored := Infer(header)
	want := map[string]string{
		"id": "ID", "name": "NAME", "phone": "PHONE", "website": "WEBSITE", "description": "DESCRIPTION",
	}
	if got := columnsOf(s); !reflect.DeepEqual(got, want) {
		t.Errorf("Infer(Data Loader header) = %v, want %v", got, want)
	}
	if len(ignored) != len(header)-len(want) {
		t.Errorf("Infer(Data Loader header) ignored %d columns, want %d", len(ignored), len(header)-len(want))
	}

	m, err := Compile(s, header, "SALESFORCE")
	if err != nil {
		t.Fatalf("Compile(Data Loader header) error: %v", err)
	}
	for i, fields := range records[1:] {
		c, err := m.Map(csvRecord(fields...))
		if err != nil {
			t.Errorf("record %d: Map() error: %v", i+1, err)
			continue
		}
		if c.ID != fields[0] || c.Name != fields[3] {
			t.Errorf("record %d: Map() id, name = %q, %q, want %q, %q", i+1, c.ID, c.Name, fields[0], fields[3])
		}
	}
}

func TestInferApexRecipesExport(t *testing.T) {
	records := readRealCSV(t, "salesforce-apex-recipes-Accounts.csv", false)
	header := records[0]
	s, _ := Infer(header)
	want := map[string]string{
		"name": "name", "phone": "phone", "website": "website", "description": "description",
	}
	if got := columnsOf(s); !reflect.DeepEqual(got, want) {
		t.Errorf("Infer(apex-recipes header) = %v, want %v", got, want)
	}
	_, err := Compile(s, header, "SALESFORCE")
	var re *RuleError
	if !errors.As(err, &re) || re.Field != "id" {
		t.Fatalf("Compile(no id column) error = %v, want a *RuleError on id", err)
	}

	// With a hash id every record maps, to the same ids on every run.
	spec := "source: SALESFORCE\nfields:\n" +
		"  id: {hash: [name, billingcity, phone], prefix: \"sf-\"}\n  name: name\n"
	ids := map[string]int{}
	for run := 0; run < 2; run++ {
		m := compileYAML(t, spec, header)
		for i, fields := range records[1:] {
			c, err := m.Map(csvRecord(fields...))
			if err != nil {
				t.Fatalf("record %d: Map() error: %v", i+1, err)
			}
			ids[c.ID]++
		}
	}
	if len(ids) != len(records)-1 {
		t.Errorf("hash ids: %d distinct, want %d", len(ids), len(records)-1)
	}
	for id, n := range ids {
		if n != 2 {
			t.Errorf("hash id %q seen %d times in two runs, want 2", id, n)
		}
	}
}
