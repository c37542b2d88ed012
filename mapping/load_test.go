package mapping

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/input"
	"go.yaml.in/yaml/v3"
)

func TestLoadExample(t *testing.T) {
	s, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatalf("Load(example.yaml) error: %v", err)
	}
	want := []string{
		`source <- value "SALESFORCE"`,
		`id <- column "Account ID" (trim)`,
		`name <- column "Account Name" (trim, single_line)`,
		`business_name <- value "Acme Holdings" (trim)`,
		`email_contact <- column 5 (trim, lower)`,
		`name_contact <- key "contact.first" (trim)`,
		`last_name_contact <- column "Last Name"`,
		`phone <- column "Phone" (trim, default "+1 555 0100")`,
		`website <- column "Domain" (trim, prefix "https://")`,
		`description <- template "Region {{Region}}: {{Notes}}" (trim)`,
	}
	if got := s.Describe(); !reflect.DeepEqual(got, want) {
		t.Errorf("Describe() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		line   int
		field  string
		reason string
	}{
		{"syntax", "fields:\n  id: a\n  name: b\n   phone: c\n", 4, "", "invalid YAML: mapping values"},
		{"tab indent", "fields:\n\tid: a\n", 2, "", "invalid YAML"},
		{"empty file", "", 0, "", "the file is empty"},
		{"only comments", "# nothing\n", 0, "", "the file is empty"},
		{"root list", "- a\n- b\n", 1, "", "must be a YAML mapping"},
		{"unknown key", "sorce: SAP\nfields: {id: a, name: b}\n", 1, "sorce", "unknown key"},
		{"missing fields", "source: SAP\n", 1, "fields", "missing"},
		{"fields not mapping", "fields: [id, name]\n", 1, "fields", "must be a mapping"},
		{"invalid source", "source: SF\nfields: {id: a, name: b}\n", 1, "source", "valid sources are JIRA"},
		{"source list", "source: [SAP]\nfields: {id: a, name: b}\n", 1, "source", "must be a single value"},
		{
			"unknown field", "fields:\n  id: a\n  name: b\n  e-mail_contact: c\n", 4,
			"fields.e-mail_contact", `unknown client field (did you mean "email_contact"?)`,
		},
		{
			"unknown option", "fields:\n  id: a\n  name:\n    colum: b\n", 4,
			"fields.name.colum", `unknown option (did you mean "column"?)`,
		},
		{"repeated field", "fields:\n  id: a\n  name: b\n  id: c\n", 4, "fields.id", "already set on line 2"},
		{"missing name", "fields:\n  id: a\n", 2, "fields.name", "missing rule for a required field"},
		{"two origins", "fields:\n  id: {column: a, key: b}\n  name: b\n", 2, "fields.id", "more than one"},
		{"no origin", "fields:\n  id: {prefix: x}\n  name: b\n", 2, "fields.id", "no value origin"},
		{"position zero", "fields:\n  id: {column: 0}\n  name: b\n", 2, "fields.id.column", "from 1"},
		{"position hex", "fields:\n  id: 0x1F\n  name: b\n", 2, "fields.id", "whole number"},
		{"null column", "fields:\n  id: {column: ~}\n  name: b\n", 2, "fields.id.column", "single value"},
		{"empty column", "fields:\n  id: {column: \" \"}\n  name: b\n", 2, "fields.id.column", "empty"},
		{
			"unknown transform", "fields:\n  id: a\n  name: {column: b, transforms: [trim, lowr]}\n", 3,
			"fields.name.transforms", `unknown transform "lowr" (did you mean "lower"?)`,
		},
		{"transforms map", "fields:\n  id: a\n  name: {column: b, transforms: {a: b}}\n", 3,
			"fields.name.transforms", "must be a list"},
		{"trim not bool", "fields:\n  id: a\n  name: {column: b, trim: no}\n", 3,
			"fields.name.trim", `must be true or false, not "no"`},
		{"hash not list", "fields:\n  id: {hash: name}\n  name: b\n", 2, "fields.id.hash", "must be a list"},
		{"hash empty", "fields:\n  id: {hash: []}\n  name: b\n", 2, "fields.id.hash", "must be a list"},
		{"template no column", "fields:\n  id: a\n  name: {template: \"x\"}\n", 3, "fields.name",
			"no {{Column}} placeholder"},
		{"template unclosed", "fields:\n  id: a\n  name: {template: \"{{a\"}\n", 3, "fields.name",
			"without a closing"},
		{"template stray close", "fields:\n  id: a\n  name: {template: \"a}}{{b}}\"}\n", 3, "fields.name",
			"without a matching"},
		{"template empty", "fields:\n  id: a\n  name: {template: \"{{ }}\"}\n", 3, "fields.name",
			"empty placeholder"},
		{"value with default", "fields:\n  id: a\n  name: {value: x, default: y}\n", 3, "fields.name",
			"no effect"},
		{"rule list", "fields:\n  id: [a]\n  name: b\n", 2, "fields.id", "must be a column name"},
		{"second document", "fields: {id: a, name: b}\n---\nfields: {}\n", 2, "", "second YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("map.yaml", []byte(tt.yaml))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Parse(%q) error = %v, want *LoadError", tt.yaml, err)
			}
			if le.Line != tt.line || le.Field != tt.field || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("Parse(%q) error = line %d field %q reason %q, want line %d field %q reason containing %q",
					tt.yaml, le.Line, le.Field, le.Reason, tt.line, tt.field, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "mapping file map.yaml") {
				t.Errorf("Parse(%q) error = %q, want it to name the file", tt.yaml, err)
			}
		})
	}
}

func TestLoadErrorMessage(t *testing.T) {
	_, err := Parse("map.yaml", []byte("fields:\n  id: a\n  name:\n    colum: b\n"))
	want := `mapping file map.yaml line 4: fields.name.colum: unknown option (did you mean "column"?); ` +
		`valid options are column, key, template, hash, value, prefix, default, transforms and trim`
	if err == nil || err.Error() != want {
		t.Errorf("Parse() error = %v, want %s", err, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want a *LoadError wrapping fs.ErrNotExist", err)
	}
}

func TestLoadAcceptsForms(t *testing.T) {
	text := `
source: salesforce
fields:
  id: 3             # position
  name: "3"         # name
  phone: &p {column: Phone, transforms: lower}
  website: *p
  description: {column: Notes, default: 007, prefix: 0.10, trim: true}
`
	s, err := Parse("map.yaml", []byte(text))
	if err != nil {
		t.Fatalf("Parse() error: %v", err)
	}
	want := []string{
		`source <- value "SALESFORCE"`,
		`id <- column 3 (trim)`,
		`name <- column "3" (trim)`,
		`phone <- column "Phone" (trim, lower)`,
		`website <- column "Phone" (trim, lower)`,
		`description <- column "Notes" (trim, prefix "0.10", default "007")`,
	}
	if got := s.Describe(); !reflect.DeepEqual(got, want) {
		t.Errorf("Describe() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// roundTrip writes s as YAML, reads it back and compares the descriptions.
func roundTrip(t *testing.T, s *Spec) []byte {
	t.Helper()
	data, err := s.YAML()
	if err != nil {
		t.Fatalf("YAML() error: %v", err)
	}
	back, err := Parse("generated.yaml", data)
	if err != nil {
		t.Fatalf("Parse(YAML()) error: %v\n%s", err, data)
	}
	if got, want := back.Describe(), s.Describe(); !reflect.DeepEqual(got, want) {
		t.Errorf("Describe() after round trip =\n%s\nwant\n%s\nYAML:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"), data)
	}
	return data
}

func TestYAMLRoundTrip(t *testing.T) {
	headers := map[string][]string{
		"salesforce": {"Account ID", "Account Name", "Phone", "Website", "Billing City"},
		"hubspot":    {"Record ID", "Company name", "Company Domain Name", "Phone Number"},
		"odd names":  {"id", "Company", "name \"quoted\" \\ back", "E-mail: work #1", "- dash", "yes", "é\x01"},
	}
	for name, header := range headers {
		t.Run(name, func(t *testing.T) {
			s, _ := Infer(header)
			roundTrip(t, s)
		})
	}
	t.Run("example", func(t *testing.T) {
		s, err := Load("testdata/example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, s)
	})
	t.Run("every option", func(t *testing.T) {
		s := &Spec{Source: "SAP", Fields: map[string]*Rule{
			"id":            {Hash: []Ref{{Name: "a b"}, {Position: 4}}, Prefix: "x-", Transforms: []string{"upper"}},
			"name":          {Template: "{{a}} and {{2}}: \"q\"", NoTrim: true},
			"website":       {Key: "contact.web", Default: "example.com"},
			"phone":         {Column: Ref{Position: 12}, Transforms: []string{"single_line", "trim"}},
			"description":   {Value: "line one\nline two"},
			"name_contact":  {Column: Ref{Name: "#1: 'x' \"y\" \\"}},
			"business_name": {Column: Ref{Name: "123"}},
		}}
		roundTrip(t, s)
	})
}

func TestYAMLOutputWithoutID(t *testing.T) {
	s, _ := Infer([]string{"name", "phone", "website", "billingcity"})
	data, err := s.YAML()
	if err != nil {
		t.Fatalf("YAML() error: %v", err)
	}
	text := string(data)
	for _, want := range []string{
		"# Columns not used: \"billingcity\"\n",
		"# source: SALESFORCE    # or pass --source\n",
		"  name: {column: \"name\"}\n",
		"  # id: {hash: [\"name\", \"phone\", \"website\"]}\n",
		"  # email_contact: {column: \"\"}\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("YAML() lacks %q:\n%s", want, text)
		}
	}
	for i, line := range strings.Split(text, "\n") {
		if len(line) > 80 {
			t.Errorf("YAML() line %d is %d columns long: %q", i+1, len(line), line)
		}
	}

	// Without an id the file does not load until the user fills it in.
	_, err = Parse("generated.yaml", data)
	var le *LoadError
	if !errors.As(err, &le) || le.Field != "fields.id" {
		t.Errorf("Parse(YAML() without id) error = %v, want a missing fields.id", err)
	}

	// Uncommenting the suggested hash is enough.
	fixed := strings.Replace(text, "  # id: {hash:", "  id: {hash:", 1)
	back, err := Parse("fixed.yaml", []byte(fixed))
	if err != nil {
		t.Fatalf("Parse(YAML() with the hash uncommented) error: %v", err)
	}
	if got := back.Fields["id"].describe(); got != `hash of "name", "phone", "website"` {
		t.Errorf("id rule = %s, want the suggested hash", got)
	}
}

func TestYAMLDuplicateByPosition(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		lines  []string // expected consecutive lines of the YAML output
		field  string
		want   string // value that the mapping file reads for field from row
		row    []string
	}{
		{
			name:   "name twice",
			header: []string{"id", "name", "name", "phone"},
			lines: []string{
				`  # columns 2 and 3 share the name "name": check which one to use`,
				"  name: {column: 2}",
			},
			field: "name", want: "left", row: []string{"1", "left", "right", "555"},
		},
		{
			name:   "id three times in any case",
			header: []string{"ID", "Name", " id", "iD "},
			lines: []string{
				`  # columns 1, 3 and 4 share the name "ID": check which one to use`,
				"  id: {column: 1}",
			},
			field: "id", want: "a", row: []string{"a", "n", "b", "c"},
		},
		{
			name:   "normalised match is no duplicate",
			header: []string{"Account ID", "account_id", "Name"},
			lines:  []string{`  id: {column: "Account ID"}`},
			field:  "id", want: "a", row: []string{"a", "b", "n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := Infer(tt.header)
			data := roundTrip(t, s)
			if !strings.Contains(string(data), strings.Join(tt.lines, "\n")+"\n") {
				t.Errorf("YAML() lacks %q:\n%s", tt.lines, data)
			}

			// The file, once loaded, is no longer inferred and compiles.
			back, err := Parse("m.yaml", data)
			if err != nil {
				t.Fatalf("Parse(YAML()) error: %v", err)
			}
			m, err := Compile(back, tt.header, "SAP")
			if err != nil {
				t.Fatalf("Compile(YAML() of %q) error: %v", tt.header, err)
			}
			c, _ := m.Map(&input.Record{File: "a.csv", Line: 2, Seq: 1, Fields: tt.row})
			got := map[string]string{"id": c.ID, "name": c.Name}[tt.field]
			if got != tt.want {
				t.Errorf("Map(%q).%s = %q, want %q", tt.row, tt.field, got, tt.want)
			}
		})
	}
}

func TestMarshalYAML(t *testing.T) {
	s, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := yaml.Marshal(s)
	if err != nil {
		t.Fatalf("yaml.Marshal(Spec) error: %v", err)
	}
	back, err := Parse("marshalled.yaml", data)
	if err != nil {
		t.Fatalf("Parse(yaml.Marshal(Spec)) error: %v\n%s", err, data)
	}
	if got, want := back.Describe(), s.Describe(); !reflect.DeepEqual(got, want) {
		t.Errorf("Describe() after yaml.Marshal = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example))
	f.Add("fields: {id: 1, name: {template: \"{{a}}-{{2}}\", prefix: p}}\n")
	f.Add("fields: {id: {hash: [a, 2]}, name: &n b, phone: *n}\n")
	f.Add("source: sap\nfields:\n  id: {key: a.b, trim: false, transforms: [lower]}\n  name: x\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse("fuzz.yaml", []byte(text))
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Parse() error %v is not a *LoadError", err)
			}
			return
		}
		data, err := s.YAML()
		if err != nil {
			t.Fatalf("YAML() error: %v", err)
		}
		back, err := Parse("again.yaml", data)
		if err != nil {
			t.Fatalf("Parse(YAML()) error: %v\ninput:\n%s\noutput:\n%s", err, text, data)
		}
		if got, want := back.Describe(), s.Describe(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Describe() after round trip = %q, want %q", got, want)
		}
	})
}
