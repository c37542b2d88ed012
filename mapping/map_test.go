package mapping

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/input"
)

var testHeader = []string{
	"Account ID", "Account Name", "Email", "Phone", "Website", "Notes", "Region", "City",
}

// compileYAML parses a mapping and compiles it against header.
func compileYAML(t *testing.T, text string, header []string) *Mapper {
	t.Helper()
	s, err := Parse("test.yaml", []byte(text))
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", text, err)
	}
	m, err := Compile(s, header, "SALESFORCE")
	if err != nil {
		t.Fatalf("Compile(%q) error: %v", text, err)
	}
	return m
}

func csvRecord(fields ...string) *input.Record {
	return &input.Record{File: "accounts.csv", Line: 2, Seq: 1, Fields: fields}
}

// row returns a record for testHeader with the given columns set.
func row(values map[string]string) *input.Record {
	fields := make([]string, len(testHeader))
	fields[0], fields[1] = "A-1", "Acme"
	for i, h := range testHeader {
		if v, ok := values[h]; ok {
			fields[i] = v
		}
	}
	return csvRecord(fields...)
}

const plainMapping = `
fields:
  id: {column: "Account ID"}
  name: {column: "Account Name"}
  email_contact: {column: Email}
  phone: {column: Phone}
  website: {column: Website}
  description: {column: Notes}
`

func TestMapCopiesValues(t *testing.T) {
	m := compileYAML(t, plainMapping, testHeader)
	r := csvRecord(" 007 ", "\u00a0Acme Corp\u00a0", "ann@acme.example.com", "(555) 010-0100",
		"www.acme.com/", "Long-standing client", "North", "Springfield")
	got, err := m.Map(r)
	if err != nil {
		t.Fatalf("Map() error: %v", err)
	}
	want := Client{
		Source: "SALESFORCE", ID: "007", Name: "Acme Corp", EmailContact: "ann@acme.example.com",
		Phone: "(555) 010-0100", Website: "www.acme.com/", Description: "Long-standing client",
	}
	if got != want {
		t.Errorf("Map() = %+v, want %+v", got, want)
	}
}

func TestMapTransforms(t *testing.T) {
	tests := []struct {
		name, rule, notes, want string
	}{
		{"trim by default", `{column: Notes}`, " \t padded \u00a0", "padded"},
		{"trim zero-width space", `{column: Notes}`, "\u200bx\ufeff", "x"},
		{"no trim", `{column: Notes, trim: false}`, " padded ", " padded "},
		{"no trim then trim", `{column: Notes, trim: false, transforms: [upper, trim]}`, " a ", "A"},
		{"lower", `{column: Notes, transforms: [lower]}`, "ÀBC", "àbc"},
		{"upper", `{column: Notes, transforms: [upper]}`, "àbc", "ÀBC"},
		{"single line", `{column: Notes, transforms: [single_line]}`, "a\r\n\r\nb\tc", "a b c"},
		{"default when empty", `{column: Notes, default: "none"}`, "   ", "none"},
		{"default unused", `{column: Notes, default: "none"}`, "x", "x"},
		{"prefix", `{column: Notes, prefix: "n-"}`, " 1 ", "n-1"},
		{"prefix not on empty", `{column: Notes, prefix: "n-"}`, "", ""},
		{"prefix then default", `{column: Notes, prefix: "n-", default: "d"}`, "", "d"},
		{"value", `{value: "constant"}`, "ignored", "constant"},
		{"value transformed", `{value: " constant ", transforms: [upper]}`, "ignored", "CONSTANT"},
		{"short form name", `Notes`, "x", "x"},
		{"short form position", `6`, "x", "x"},
		{"leading zeros kept", `{column: Notes}`, "000123", "000123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := compileYAML(t, "fields:\n  id: 1\n  name: 2\n  description: "+tt.rule+"\n", testHeader)
			got, err := m.Map(row(map[string]string{"Notes": tt.notes}))
			if err != nil {
				t.Fatalf("Map() error: %v", err)
			}
			if got.Description != tt.want {
				t.Errorf("Map(%q).Description = %q, want %q", tt.notes, got.Description, tt.want)
			}
		})
	}
}

func TestMapTemplate(t *testing.T) {
	tests := []struct {
		name, template, region, notes, want string
	}{
		{"both", "Region {{Region}}: {{Notes}}", "North", "VIP", "Region North: VIP"},
		{"one empty", "Region {{Region}}: {{Notes}}", "", "VIP", "Region : VIP"},
		{"all empty", "Region {{Region}}: {{Notes}}", " ", "", ""},
		{"trimmed", "{{ Region }}/{{Notes}}", " North ", " VIP ", "North/VIP"},
		{"position", "{{7}}-{{6}}", "N", "V", "N-V"},
		{"normalised name", "{{region}}", "N", "", "N"},
		{"prefix form", "sf-{{Region}}", "7", "", "sf-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := "fields:\n  id: 1\n  name: 2\n  description: {template: " +
				mustJSON(tt.template) + "}\n"
			m := compileYAML(t, spec, testHeader)
			got, err := m.Map(row(map[string]string{"Region": tt.region, "Notes": tt.notes}))
			if err != nil {
				t.Fatalf("Map() error: %v", err)
			}
			if got.Description != tt.want {
				t.Errorf("template %q = %q, want %q", tt.template, got.Description, tt.want)
			}
		})
	}
}

func TestMapTemplateEmptyIDIsRequiredError(t *testing.T) {
	m := compileYAML(t, "fields:\n  id: {template: \"sf-{{Account ID}}\"}\n  name: 2\n", testHeader)
	_, err := m.Map(row(map[string]string{"Account ID": " "}))
	var fe *FieldErrors
	if !errors.As(err, &fe) || len(*fe) != 1 || (*fe)[0].Field != "id" {
		t.Fatalf("Map(empty id) error = %v, want one error on field id", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestMapHash(t *testing.T) {
	spec := "fields:\n  id: {hash: [\"Account Name\", City, Phone]}\n  name: 2\n"
	m := compileYAML(t, spec, testHeader)
	tests := []struct {
		name             string
		acct, city, phon string
		want             string
	}{
		// Expected values from: printf 'Acme Corp\0Springfield\0(555) 010-0100' | sha256sum
		{"all set", "Acme Corp", "Springfield", "(555) 010-0100", "dac4a2580eb9943e"},
		{"padding ignored", " Acme Corp\u00a0", "Springfield ", " (555) 010-0100", "dac4a2580eb9943e"},
		{"empty middle", "Acme Corp", "", "(555) 010-0100", "c2f52aab8946b3bc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := row(map[string]string{"Account Name": tt.acct, "City": tt.city, "Phone": tt.phon})
			got, err := m.Map(r)
			if err != nil {
				t.Fatalf("Map() error: %v", err)
			}
			if got.ID != tt.want {
				t.Errorf("hash(%q, %q, %q) = %q, want %q", tt.acct, tt.city, tt.phon, got.ID, tt.want)
			}
		})
	}
}

func TestMapHashPrefixAndTransforms(t *testing.T) {
	spec := "fields:\n  id: {hash: [2], prefix: \"sf-\", transforms: [upper]}\n  name: 2\n"
	m := compileYAML(t, spec, testHeader)
	got, err := m.Map(row(map[string]string{"Account Name": "Acme Corp"}))
	if err != nil {
		t.Fatalf("Map() error: %v", err)
	}
	// printf 'Acme Corp' | sha256sum
	if want := "sf-A73CB4563EE2E72C"; got.ID != want {
		t.Errorf("Map().ID = %q, want %q", got.ID, want)
	}
}

func TestMapHashAllEmpty(t *testing.T) {
	spec := "fields:\n  id: {hash: [City, Phone]}\n  name: 2\n"
	m := compileYAML(t, spec, testHeader)
	_, err := m.Map(row(map[string]string{"City": " ", "Phone": ""}))
	var fe *FieldErrors
	if !errors.As(err, &fe) || len(*fe) != 1 {
		t.Fatalf("Map() error = %v, want one field error", err)
	}
	if got := (*fe)[0]; got.Field != "id" || !strings.Contains(got.Reason, "every column of the hash is empty") {
		t.Errorf("Map() error = %+v, want an empty-hash error on id", got)
	}
}

func TestMapValidation(t *testing.T) {
	tests := []struct {
		name   string
		column string // column to set
		value  string
		field  string // field expected in the error; "" for no error
		reason string // part of the expected reason
	}{
		{"id empty", "Account ID", "", "id", "required value is empty"},
		{"id only spaces", "Account ID", " \u00a0 ", "id", "required value is empty"},
		{"name empty", "Account Name", "", "name", "required value is empty"},
		{"id scientific", "Account ID", "1.55501E+10", "id", "scientific notation"},
		{"id scientific no fraction", "Account ID", "2E+12", "id", "scientific notation"},
		{"id with E kept", "Account ID", "12E5", "", ""},
		{"id code kept", "Account ID", "E+10", "", ""},
		{"phone scientific comma", "Phone", "1,55501E+10", "phone", "scientific notation"},
		{"phone scientific lower", "Phone", "4.47911e+11", "phone", "scientific notation"},
		{"phone ok", "Phone", "+44 (0)20 7946 0958", "", ""},
		{"email ok", "Email", "ann.lee+crm@mail.example.co.uk", "", ""},
		{"email accents ok", "Email", "josé@correo.es", "", ""},
		{"email no at", "Email", "ann.example.com", "email_contact", "not a valid e-mail address"},
		{"email no domain", "Email", "x@", "email_contact", `"x@" is not a valid e-mail address`},
		{"email no dot", "Email", "ann@localhost", "email_contact", "not a valid e-mail"},
		{"email empty local", "Email", "@example.com", "email_contact", "not a valid e-mail"},
		{"email two at", "Email", "a@b@example.com", "email_contact", "not a valid e-mail"},
		{"email space", "Email", "ann lee@example.com", "email_contact", "not a valid e-mail"},
		{"email list", "Email", "a@example.com;b@example.com", "email_contact", "not a valid e-mail"},
		{"email display name", "Email", "Ann <ann@example.com>", "email_contact", "not a valid"},
		{"email dot end", "Email", "ann@example.", "email_contact", "not a valid e-mail"},
		{"website domain", "Website", "example.com", "", ""},
		{"website path", "Website", "www.acme.com/", "", ""},
		{"website http", "Website", "http://www.salesforce.com", "", ""},
		{"website https port", "Website", "HTTPS://acme.io:8443/a?b=c#d", "", ""},
		{"website idn", "Website", "bücher.de", "", ""},
		{"website no dot", "Website", "acme", "website", "not a valid website"},
		{"website localhost", "Website", "http://localhost/", "website", "not a valid website"},
		{"website ftp", "Website", "ftp://acme.com", "website", "not a valid website"},
		{"website space", "Website", "acme .com", "website", "not a valid website"},
		{"website mailto", "Website", "mailto:ann@acme.com", "website", "not a valid website"},
		{"website bad port", "Website", "acme.com:http", "website", "not a valid website"},
		{"control NUL", "Notes", "a\x00b", "description", "control character U+0000"},
		{"control DEL", "Notes", "a\x7fb", "description", "control character U+007F"},
		{"control C1", "Notes", "a\u0085b", "description", "line break (U+0085)"},
		{"control escape", "Notes", "a\x1bb", "description", "control character U+001B"},
		{"line break", "Account Name", "Acme\nCorp", "name", "single_line transform"},
		{"tab in a name", "Account Name", "a\tb", "name", "tab or line break (U+0009)"},
		{"lines in a description", "Notes", "two sites:\r\n\tHQ\nwarehouse", "", ""},
		{"outer line breaks trimmed", "Notes", "\r\nok\r\n", "", ""},
		{"replacement char", "Account Name", "Cr\ufffddito", "name", "U+FFFD"},
		{"invalid utf8", "Account Name", "Cr\xe9dito", "name", "not valid UTF-8"},
		{"accents ok", "Account Name", "Crédito Inmobiliario", "", ""},
		{"long value quoted short", "Email", strings.Repeat("x", 100), "email_contact", `"... is not`},
	}
	m := compileYAML(t, plainMapping, testHeader)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Map(row(map[string]string{tt.column: tt.value}))
			if tt.field == "" {
				if err != nil {
					t.Errorf("Map(%s=%q) error = %v, want nil", tt.column, tt.value, err)
				}
				return
			}
			var fe *FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("Map(%s=%q) error = %v, want *FieldErrors", tt.column, tt.value, err)
			}
			if len(*fe) != 1 {
				t.Fatalf("Map(%s=%q) errors = %v, want one", tt.column, tt.value, err)
			}
			got := (*fe)[0]
			if got.Field != tt.field || got.Column != tt.column || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Map(%s=%q) error = %+v, want field %q column %q reason containing %q",
					tt.column, tt.value, got, tt.field, tt.column, tt.reason)
			}
		})
	}
}

func TestMapListsEveryBadField(t *testing.T) {
	m := compileYAML(t, plainMapping, testHeader)
	r := row(map[string]string{"Account ID": "", "Email": "x@", "Website": "nope", "Notes": "a\x00"})
	c, err := m.Map(r)
	var fe *FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("Map() error = %v, want *FieldErrors", err)
	}
	var fields []string
	for _, e := range *fe {
		fields = append(fields, e.Field)
	}
	want := []string{"id", "email_contact", "website", "description"}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("Map() error fields = %v, want %v", fields, want)
	}
	wantMsg := `field "email_contact" (column "Email"): "x@" is not a valid e-mail address`
	if !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("Map() error = %q, want it to contain %q", err, wantMsg)
	}
	var first *FieldError
	if !errors.As(err, &first) || first.Field != "id" {
		t.Errorf("errors.As(*FieldError) = %v, want the id error", first)
	}
	if c.Name != "Acme" {
		t.Errorf("Map().Name = %q, want %q kept for the report", c.Name, "Acme")
	}
}

func TestMapRecordError(t *testing.T) {
	m := compileYAML(t, plainMapping, testHeader)
	readErr := &input.RecordError{File: "a.csv", Line: 3, Reason: "bad quote"}
	r := &input.Record{File: "a.csv", Line: 3, Err: readErr}
	if _, err := m.Map(r); err != readErr {
		t.Errorf("Map(record with Err) error = %v, want %v", err, readErr)
	}
}

func TestMapShortRecord(t *testing.T) {
	m := compileYAML(t, plainMapping, testHeader)
	_, err := m.Map(csvRecord("A-1", "Acme"))
	var fe *FieldErrors
	if !errors.As(err, &fe) || len(*fe) != 4 {
		t.Fatalf("Map(2 fields) error = %v, want 4 field errors", err)
	}
	if !strings.Contains((*fe)[0].Reason, "has 2 fields") {
		t.Errorf("Map(2 fields) reason = %q, want the field count", (*fe)[0].Reason)
	}
}

func jsonRecord(t *testing.T, text string) *input.Record {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return &input.Record{File: "a.jsonl", Line: 1, Seq: 1, Object: obj, Text: []byte(text)}
}

func TestMapJSONTypes(t *testing.T) {
	header := []string{"id", "name", "phone", "contact.email", "tags", "contact"}
	spec := `
fields:
  id: {column: id}
  name: {column: name}
  phone: {column: phone}
  email_contact: {column: contact.email}
  description: {key: "meta.note"}
`
	m := compileYAML(t, spec, header)
	tests := []struct {
		name   string
		json   string
		want   Client
		errors map[string]string // field -> part of reason
	}{
		{
			name: "number kept as written",
			json: `{"id": 9007199254740993, "name": "Acme", "phone": 0.10}`,
			want: Client{ID: "9007199254740993", Name: "Acme", Phone: "0.10"},
		},
		{
			name: "nested path",
			json: `{"id": "a", "name": "Acme", "contact": {"email": "ann@example.com"}, "meta": {"note": "hi"}}`,
			want: Client{ID: "a", Name: "Acme", EmailContact: "ann@example.com", Description: "hi"},
		},
		{
			name: "dotted key",
			json: `{"id": "a", "name": "Acme", "contact.email": "bo@example.com", "meta.note": "x"}`,
			want: Client{ID: "a", Name: "Acme", EmailContact: "bo@example.com", Description: "x"},
		},
		{
			name: "null is empty",
			json: `{"id": "a", "name": "Acme", "phone": null}`,
			want: Client{ID: "a", Name: "Acme"},
		},
		{
			name: "missing key is empty",
			json: `{"id": "a", "name": "Acme"}`,
			want: Client{ID: "a", Name: "Acme"},
		},
		{
			name:   "null required",
			json:   `{"id": null, "name": "Acme"}`,
			want:   Client{Name: "Acme"},
			errors: map[string]string{"id": "required value is empty"},
		},
		{
			name: "boolean array object",
			json: `{"id": true, "name": ["Acme"], "phone": {"a": 1}, "meta": {"note": false}}`,
			errors: map[string]string{
				"id": "JSON boolean (true)", "name": "JSON array", "phone": "JSON object",
				"description": "JSON boolean (false)",
			},
		},
		{
			name:   "mapped object",
			json:   `{"id": "a", "name": "Acme", "contact": {"email": {"work": "x@example.com"}}}`,
			want:   Client{ID: "a", Name: "Acme"},
			errors: map[string]string{"email_contact": "JSON object"},
		},
		{
			name: "keys in other case",
			json: `{"ID": "DK-3", "Name": "x", "Contact": {"Email": "k@example.com"}, "META": {"Note": "n"}}`,
			want: Client{ID: "DK-3", Name: "x", EmailContact: "k@example.com", Description: "n"},
		},
		{
			name: "dotted key in other case",
			json: `{"Id": "a", "NAME": "Acme", "Contact.Email": "c@example.com"}`,
			want: Client{ID: "a", Name: "Acme", EmailContact: "c@example.com"},
		},
		{
			name: "exact key wins over other case",
			json: `{"id": "exact", "ID": "upper", "name": "Acme"}`,
			want: Client{ID: "exact", Name: "Acme"},
		},
		{
			name: "non-ascii letters not folded",
			json: `{"id": "a", "name": "Acme", "Contact": {"Émail": "x@example.com"}}`,
			want: Client{ID: "a", Name: "Acme"},
		},
		{
			name: "string not trimmed inside",
			json: `{"id": " a b ", "name": "Acme\u00a0"}`,
			want: Client{ID: "a b", Name: "Acme"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Map(jsonRecord(t, tt.json))
			tt.want.Source = "SALESFORCE"
			if got != tt.want {
				t.Errorf("Map(%s) = %+v, want %+v", tt.json, got, tt.want)
			}
			gotErrs := map[string]string{}
			var fe *FieldErrors
			if errors.As(err, &fe) {
				for _, e := range *fe {
					gotErrs[e.Field] = e.Reason
				}
			} else if err != nil {
				t.Fatalf("Map(%s) error = %v, want nil or *FieldErrors", tt.json, err)
			}
			if len(gotErrs) != len(tt.errors) {
				t.Errorf("Map(%s) errors = %v, want %v", tt.json, gotErrs, tt.errors)
			}
			for f, reason := range tt.errors {
				if !strings.Contains(gotErrs[f], reason) {
					t.Errorf("Map(%s) error on %s = %q, want it to contain %q", tt.json, f, gotErrs[f], reason)
				}
			}
		})
	}
}

func TestMapKeyOnCSV(t *testing.T) {
	spec := "fields:\n  id: 1\n  name: 2\n  website: {key: \"contact.web\"}\n"
	m := compileYAML(t, spec, testHeader)
	if got := m.MissingKeys(); !reflect.DeepEqual(got, []string{"contact.web"}) {
		t.Errorf("MissingKeys() = %v, want [contact.web]", got)
	}
	_, err := m.Map(row(nil))
	if err == nil || !strings.Contains(err.Error(), "a key reads JSON input only") {
		t.Errorf("Map(CSV with key) error = %v, want a key error", err)
	}
}

func TestMapConcurrent(t *testing.T) {
	m := compileYAML(t, plainMapping, testHeader)
	done := make(chan Client)
	for i := 0; i < 8; i++ {
		go func() {
			c, _ := m.Map(row(map[string]string{"Email": "ann@example.com"}))
			done <- c
		}()
	}
	for i := 0; i < 8; i++ {
		if c := <-done; c.EmailContact != "ann@example.com" {
			t.Errorf("Map() in goroutine = %+v, want the e-mail set", c)
		}
	}
}

func TestPlainWord(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for b := 0; b < 256; b++ {
			word := []byte("abcdefgh")
			word[pos] = byte(b)
			want := b >= 0x20 && b < 0x7f
			if got := plainWord(string(word), 0); got != want {
				t.Errorf("plainWord(%q) = %v, want %v", word, got, want)
			}
		}
	}
}

func FuzzMap(f *testing.F) {
	spec := `
fields:
  id: {hash: ["Account ID", City]}
  name: {column: "Account Name", transforms: [single_line, lower]}
  email_contact: Email
  phone: {column: Phone, prefix: "+"}
  website: Website
  description: {template: "{{Region}}: {{Notes}}", default: "none"}
`
	s, err := Parse("fuzz.yaml", []byte(spec))
	if err != nil {
		f.Fatal(err)
	}
	m, err := Compile(s, testHeader, "SAP")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("A-1", " Acme\r\nCorp ", "ann@example.com", "1.5E+10", "acme.com", "n\x00", "r", "c")
	f.Add("", "\u00a0", "x@", "", "http://", "", "", "")
	f.Add("1", "a\xff", "@", "\t", "a b", "\u2028", "<&>", "\ufffd")
	f.Fuzz(func(t *testing.T, id, name, email, phone, website, notes, region, city string) {
		r := csvRecord(id, name, email, phone, website, notes, region, city)
		c, err := m.Map(r)
		if err != nil {
			var fe *FieldErrors
			if !errors.As(err, &fe) || len(*fe) == 0 {
				t.Fatalf("Map() error = %v, want a non-empty *FieldErrors", err)
			}
			return
		}

		// A valid client encodes to JSON that decodes to the same values.
		var back body
		if err := json.Unmarshal(c.AppendJSON(nil), &back); err != nil {
			t.Fatalf("AppendJSON() is not valid JSON: %v", err)
		}
		if back.ID != c.ID || back.Name != c.Name || back.Description != c.Description {
			t.Fatalf("AppendJSON() decodes to %+v, want %+v", back, c)
		}
		if checkText(c.Name, false) != "" || checkText(c.Description, true) != "" || c.ID == "" || c.Name == "" {
			t.Fatalf("Map() = %+v, accepted an invalid value", c)
		}
	})
}
