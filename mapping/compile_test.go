package mapping

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func parseSpec(t *testing.T, text string) *Spec {
	t.Helper()
	s, err := Parse("test.yaml", []byte(text))
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", text, err)
	}
	return s
}

func TestCompileMissingColumn(t *testing.T) {
	s := parseSpec(t, "fields:\n  id: {column: \"Acount ID\"}\n  name: 2\n")
	_, err := Compile(s, testHeader, "SAP")
	var ce *ColumnError
	if !errors.As(err, &ce) {
		t.Fatalf("Compile() error = %v, want *ColumnError", err)
	}
	if ce.Field != "id" || !reflect.DeepEqual(ce.Matches, []string{"Account ID"}) {
		t.Errorf("Compile() error = %+v, want field id with match \"Account ID\"", ce)
	}
	want := `field "id": column "Acount ID" not found in the header; close matches: "Account ID"`
	if err.Error() != want {
		t.Errorf("Compile() error = %q, want %q", err, want)
	}
}

func TestCompilePositionBeyondHeader(t *testing.T) {
	s := parseSpec(t, "fields:\n  id: 1\n  name: 2\n  phone: 9\n")
	_, err := Compile(s, testHeader, "SAP")
	want := `field "phone": column 9 not found: the header has 8 columns`
	if err == nil || err.Error() != want {
		t.Errorf("Compile() error = %v, want %s", err, want)
	}
}

func TestCompileDuplicateColumns(t *testing.T) {
	header := []string{"Id", "Name", "Phone", "City", "phone "}
	tests := []struct {
		name      string
		spec      string // "" for the inferred spec
		positions []int  // expected duplicate positions; nil for no error
		field     string
	}{
		{"by name", "fields: {id: Id, name: Name, phone: Phone}", []int{3, 5}, "phone"},
		{"by normalised name", "fields: {id: Id, name: Name, phone: PHONE_}", []int{3, 5}, "phone"},
		{"by position", "fields: {id: Id, name: Name, phone: 5}", nil, ""},
		{"not used", "fields: {id: Id, name: Name}", nil, ""},
		{"in hash", "fields: {id: {hash: [Name, Phone]}, name: Name}", []int{3, 5}, "id"},
		{"in template", "fields: {id: Id, name: Name, description: {template: \"{{Phone}}\"}}",
			[]int{3, 5}, "description"},
		{"inferred", "", []int{3, 5}, "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := Infer(header)
			if tt.spec != "" {
				s = parseSpec(t, tt.spec)
			}
			_, err := Compile(s, header, "SAP")
			if tt.positions == nil {
				if err != nil {
					t.Errorf("Compile() error = %v, want nil", err)
				}
				return
			}
			var de *DuplicateColumnError
			if !errors.As(err, &de) {
				t.Fatalf("Compile() error = %v, want *DuplicateColumnError", err)
			}
			if !reflect.DeepEqual(de.Positions, tt.positions) || de.Field != tt.field {
				t.Errorf("Compile() error = %+v, want positions %v on field %q", de, tt.positions, tt.field)
			}
			if !strings.Contains(err.Error(), `"Phone" at position 3 and "phone " at position 5`) {
				t.Errorf("Compile() error = %q, want both columns named", err)
			}
		})
	}
}

func TestCompileInferredUnusedDuplicate(t *testing.T) {
	header := []string{"Id", "Name", "Region", "REGION"}
	s, _ := Infer(header)
	_, err := Compile(s, header, "SAP")
	var de *DuplicateColumnError
	if !errors.As(err, &de) || !reflect.DeepEqual(de.Positions, []int{3, 4}) {
		t.Errorf("Compile(inferred, duplicate Region) error = %v, want positions 3 and 4", err)
	}
}

func TestCompileInferredDuplicateOnce(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		byName    bool // name the duplicated column of field by name, as older Specs did
		field     string
		positions []int
		advice    string
	}{
		{
			name:   "mapped by position",
			header: []string{"id", "name", "name", "phone"}, field: "name", positions: []int{2, 3},
			advice: `write a mapping file with "corimport mapping FILE > m.yaml", pick the column ` +
				"by position in it, such as column: 2, and pass it with --mapping m.yaml",
		},
		{
			name:   "mapped by name",
			header: []string{"id", "name", "name", "phone"}, byName: true, field: "name",
			positions: []int{2, 3}, advice: "corimport mapping FILE > m.yaml",
		},
		{
			name:   "three columns",
			header: []string{"ID", " id ", "name", "Id"}, field: "id", positions: []int{1, 2, 4},
			advice: "such as column: 1",
		},
		{
			name:   "unused",
			header: []string{"id", "name", "x", "X"}, positions: []int{3, 4},
			advice: `write a mapping file with "corimport mapping FILE > m.yaml" and pass it ` +
				"with --mapping m.yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := Infer(tt.header)
			if tt.byName {
				s.Fields[tt.field] = &Rule{Column: Ref{Name: tt.header[tt.positions[0]-1]}}
			}
			_, err := Compile(s, tt.header, "SAP")
			var de *DuplicateColumnError
			if !errors.As(err, &de) {
				t.Fatalf("Compile(%q) error = %v, want a *DuplicateColumnError", tt.header, err)
			}
			if de.Field != tt.field {
				t.Errorf("DuplicateColumnError.Field = %q, want %q", de.Field, tt.field)
			}
			if !reflect.DeepEqual(de.Positions, tt.positions) {
				t.Errorf("DuplicateColumnError.Positions = %v, want %v", de.Positions, tt.positions)
			}
			if !de.Inferred {
				t.Errorf("DuplicateColumnError.Inferred = false, want true")
			}
			msg := err.Error()
			if n := strings.Count(msg, "header columns"); n != 1 {
				t.Errorf("Compile(%q) error reports the duplicate %d times, want once:\n%s",
					tt.header, n, msg)
			}
			if !strings.Contains(msg, tt.advice) {
				t.Errorf("Compile(%q) error = %q, want it to contain %q", tt.header, msg, tt.advice)
			}
		})
	}
}

func TestCompileSource(t *testing.T) {
	tests := []struct {
		name, spec, flag, want string
		invalid                string // expected SourceError.Source, when an error is expected
	}{
		{"from flag", "", "SALESFORCE", "SALESFORCE", ""},
		{"flag lower case", "", "hubspot", "", "hubspot"},
		{"flag any case", "", "microsoft_dynamics", "MICROSOFT_DYNAMICS", ""},
		{"spec wins", "source: JIRA\n", "SAP", "JIRA", ""},
		{"missing", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseSpec(t, tt.spec+"fields: {id: 1, name: 2}\n")
			m, err := Compile(s, testHeader, tt.flag)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Compile(source %q) error: %v", tt.flag, err)
				}
				if m.Source() != tt.want {
					t.Errorf("Compile(source %q).Source() = %q, want %q", tt.flag, m.Source(), tt.want)
				}
				return
			}
			var se *SourceError
			if !errors.As(err, &se) || se.Source != tt.invalid {
				t.Fatalf("Compile(source %q) error = %v, want *SourceError for %q", tt.flag, err, tt.invalid)
			}
			if !strings.Contains(err.Error(), strings.Join(Sources, ", ")) {
				t.Errorf("Compile(source %q) error = %q, want the valid sources listed", tt.flag, err)
			}
			if tt.flag == "" && !strings.Contains(err.Error(), "pass --source") {
				t.Errorf("Compile(no source) error = %q, want it to name --source", err)
			}
		})
	}
}

func TestCompileMissingRequired(t *testing.T) {
	header := []string{"Company", "City"}
	s, _ := Infer(header)
	_, err := Compile(s, header, "SAP")
	var re *RuleError
	if !errors.As(err, &re) || re.Field != "id" || !strings.Contains(re.Reason, "hash") {
		t.Errorf("Compile(no id column) error = %v, want a *RuleError on id suggesting hash", err)
	}
}

func TestCompileJoinsErrors(t *testing.T) {
	s := parseSpec(t, "fields: {id: Nope, name: 2, phone: 40}")
	_, err := Compile(s, testHeader, "")
	var se *SourceError
	var ce *ColumnError
	if !errors.As(err, &se) || !errors.As(err, &ce) {
		t.Fatalf("Compile() error = %v, want both a *SourceError and a *ColumnError", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("Compile() error lists %d problems, want 3:\n%v", n, err)
	}
}

func TestCompileRuleBuiltInCode(t *testing.T) {
	s := &Spec{Fields: map[string]*Rule{
		"id":    {Column: Ref{Name: "Account ID"}, Key: "id"},
		"name":  {Column: Ref{Position: 2}, Transforms: []string{"reverse"}},
		"email": {Column: Ref{Name: "Email"}},
	}}
	_, err := Compile(s, testHeader, "SAP")
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("Compile() error = %v, want *RuleError", err)
	}
	if !strings.Contains(err.Error(), `field "id": more than one value origin`) {
		t.Errorf("Compile() error = %v, want the two origins of id reported", err)
	}
	if !strings.Contains(err.Error(), `unknown transform "reverse"`) {
		t.Errorf("Compile() error = %v, want the unknown transform reported", err)
	}
	if !strings.Contains(err.Error(), `field "email": unknown client field`) {
		t.Errorf("Compile() error = %v, want the unknown field reported", err)
	}
}

func TestMapperInfo(t *testing.T) {
	header := []string{"Id", "Name", "", "Region", "Notes"}
	s := parseSpec(t, "fields:\n  id: Id\n  name: {column: 2, transforms: [upper]}\n"+
		"  description: {template: \"{{Region}}\"}\n  website: {key: web}\n")
	m, err := Compile(s, header, "okta")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Columns(), []string{"Id", "Name", "Region"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Columns() = %q, want %q", got, want)
	}
	if got, want := m.Ignored(), []string{"Notes"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ignored() = %q, want %q", got, want)
	}
	want := []string{
		`source <- value "OKTA"`,
		`id <- column "Id" (trim)`,
		`name <- column 2 (trim, upper)`,
		`website <- key "web" (trim)`,
		`description <- template "{{Region}}" (trim)`,
	}
	if got := m.Describe(); !reflect.DeepEqual(got, want) {
		t.Errorf("Describe() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCompileKeyIgnoresASCIICase(t *testing.T) {
	header := []string{"id", "name", "contact.email", "Étape"}
	tests := []struct {
		key     string
		used    []string // Columns()
		missing []string // MissingKeys()
	}{
		{"contact.email", []string{"id", "name", "contact.email"}, nil},
		{"Contact.Email", []string{"id", "name", "contact.email"}, nil},
		{"CONTACT.EMAIL", []string{"id", "name", "contact.email"}, nil},
		{"étape", []string{"id", "name"}, []string{"étape"}},
		{"contact.phone", []string{"id", "name"}, []string{"contact.phone"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := parseSpec(t, "fields: {id: id, name: name, email_contact: {key: \""+tt.key+"\"}}")
			m, err := Compile(s, header, "SAP")
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Columns(); !reflect.DeepEqual(got, tt.used) {
				t.Errorf("Columns() = %q, want %q", got, tt.used)
			}
			if got := m.MissingKeys(); !reflect.DeepEqual(got, tt.missing) {
				t.Errorf("MissingKeys() = %q, want %q", got, tt.missing)
			}
		})
	}
}

func TestCloseMatches(t *testing.T) {
	names := []string{"Account ID", "Account Name", "Billing City", "Phone"}
	tests := []struct {
		name string
		want []string
	}{
		{"acount id", []string{"Account ID"}},
		{"Acct Name", []string{"Account Name"}},
		{"City", []string{"Billing City"}},
		{"Fax", nil},
	}
	for _, tt := range tests {
		if got := closeMatches(tt.name, names, 3); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("closeMatches(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCheckSource(t *testing.T) {
	tests := []struct {
		source string
		ok     bool
	}{
		{"SALESFORCE", true},
		{"salesforce", true},
		{"", false},
		{"HUBSPOT", false},
	}
	for _, tt := range tests {
		err := CheckSource(tt.source)
		var se *SourceError
		if tt.ok != (err == nil) || (err != nil && !errors.As(err, &se)) {
			t.Errorf("CheckSource(%q) = %v, want ok %v or a *SourceError", tt.source, err, tt.ok)
		}
	}
}
