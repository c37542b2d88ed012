// Package mapping turns input records into COR clients.
//
// A Spec says which header column or JSON key feeds each field of the COR
// client body. It comes from a YAML file (Load) or is inferred from the
// header names (Infer), and can be written back as an editable YAML file
// (Spec.YAML). Compile checks a Spec against the header of one file and
// returns a Mapper, which turns each record into a Client or a list of
// field errors. Client.AppendJSON encodes the request body.
//
// Every value reaches the API as text exactly as written in the file: the
// only change made by default is trimming white space around it. A value is
// never converted to a number, so leading zeros and long digit strings stay
// as they are.
//
// The YAML format, with every option (testdata/example.yaml has a longer,
// commented example):
//
//	source: SALESFORCE                 # or leave out and pass the source to Compile
//	fields:
//	  id:            {column: "Account ID"}        # by header name
//	  name:          {column: "Account Name", transforms: [single_line]}
//	  email_contact: {column: 3}                   # by 1-based position
//	  website:       {key: "contact.web"}          # JSON path, for JSONL
//	  phone:         {column: "Phone", default: "n/a"}
//	  description:   {template: "Region {{Region}}: {{Notes}}"}
//	  business_name: {value: "Acme Holdings"}      # a constant
//
// For exports that have no id column, a stable id is a hash of chosen
// columns:
//
//	id: {hash: ["name", "billingcity", "phone"], prefix: "sf-"}
//
// Header names match case-, space- and punctuation-insensitively, so
// "account_id" finds the column "Account ID". In a JSON record, a key path
// is read as the header spells it or, failing that, with ASCII letters
// compared ignoring case, as input.Lookup does. Each value is trimmed of
// white space (including non-breaking spaces) unless the rule sets
// trim: false. Then the transforms run in the order given, then a non-empty
// value gets the prefix, and an empty value gets the default.
package mapping

import (
	"fmt"
	"strconv"
	"strings"
)

// Sources lists the values COR accepts in metadata.source.
var Sources = []string{
	"JIRA", "SALESFORCE", "ADVERTMIND", "QUICKBOOKS", "ZAPIER", "OKTA",
	"MICROSOFT_DYNAMICS", "GITHUB", "MICROSOFT_TEAMS", "VBS", "SAP", "GLOBANT",
}

// FieldNames lists the client fields a Spec can map, in the order of the
// request body. The first two, id and name, are required.
var FieldNames = []string{
	"id", "name", "business_name", "email_contact", "name_contact",
	"last_name_contact", "phone", "website", "description",
}

// Field indexes into FieldNames.
const (
	fieldID = iota
	fieldName
	fieldBusinessName
	fieldEmailContact
	fieldNameContact
	fieldLastNameContact
	fieldPhone
	fieldWebsite
	fieldDescription
	numFields
)

// Transforms lists the names allowed in Rule.Transforms.
//
//   - trim removes white space around the value. It runs by default
//     before the other transforms, unless the rule sets trim: false.
//   - lower and upper change the letter case (Unicode rules).
//   - single_line replaces each run of tabs and line breaks with one
//     space, for values that would otherwise be invalid because they
//     contain control characters.
var Transforms = []string{"trim", "lower", "upper", "single_line"}

// Spec is a mapping from input columns to client fields: the contents of a
// mapping file. A Spec is plain data; Compile checks it against a header.
type Spec struct {
	// Source is the constant for metadata.source. When empty, the source
	// passed to Compile is used.
	Source string

	// Fields holds one rule per client field, keyed by the names in
	// FieldNames.
	Fields map[string]*Rule

	inferred bool              // built by Infer: any duplicate header name is an error
	ignored  []string          // header columns Infer did not use
	notes    map[string]string // comment that YAML writes after a field's rule
}

// Rule is the origin of the value of one client field and the steps
// applied to it. Exactly one of Column, Key, Template, Hash and Value is
// set.
type Rule struct {
	Column   Ref    // a header column, by name or 1-based position
	Key      string // a JSON path such as "contact.email", for JSONL input
	Template string // text with {{Column}} placeholders
	Hash     []Ref  // columns whose values are hashed into a stable id
	Value    string // a constant

	Prefix     string   // prepended to a non-empty value
	Default    string   // used when the value is empty
	Transforms []string // names from Transforms, applied in order
	NoTrim     bool     // keep white space around the value (trim: false)
}

// Ref names a header column: by Name, or by Position (1-based) when
// Position is not zero. The zero Ref names no column.
type Ref struct {
	Name     string
	Position int
}

// IsZero reports whether r names no column.
func (r Ref) IsZero() bool { return r.Name == "" && r.Position == 0 }

// String returns the name quoted, or the position as a number.
func (r Ref) String() string {
	if r.Position != 0 {
		return strconv.Itoa(r.Position)
	}
	return strconv.Quote(r.Name)
}

// Ignored returns the header columns that Infer did not map, in header
// order. It is nil for a Spec that was not inferred.
func (s *Spec) Ignored() []string { return s.ignored }

// Describe returns one line per mapped field, in the order of the request
// body, such as `id <- column "Account ID" (trim)`, for the run log.
func (s *Spec) Describe() []string {
	var lines []string
	if s.Source != "" {
		lines = append(lines, "source <- value "+strconv.Quote(s.Source))
	}
	for _, f := range FieldNames {
		if r := s.Fields[f]; r != nil {
			lines = append(lines, f+" <- "+r.describe())
		}
	}
	return lines
}

// describe returns the origin of the value and its steps in brackets.
func (r *Rule) describe() string {
	var b strings.Builder
	switch {
	case r.Value != "":
		b.WriteString("value " + strconv.Quote(r.Value))
	case !r.Column.IsZero():
		b.WriteString("column " + r.Column.String())
	case r.Key != "":
		b.WriteString("key " + strconv.Quote(r.Key))
	case r.Template != "":
		b.WriteString("template " + strconv.Quote(r.Template))
	case len(r.Hash) > 0:
		b.WriteString("hash of ")
		for i, ref := range r.Hash {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ref.String())
		}
	}

	// Hashed values are always trimmed, so trim is not a step there.
	var steps []string
	if !r.NoTrim && len(r.Hash) == 0 {
		steps = append(steps, "trim")
	}
	steps = append(steps, r.Transforms...)
	if r.Prefix != "" {
		steps = append(steps, "prefix "+strconv.Quote(r.Prefix))
	}
	if r.Default != "" {
		steps = append(steps, "default "+strconv.Quote(r.Default))
	}
	if len(steps) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(steps, ", "))
	}
	return b.String()
}

// check returns the reason r is not a usable rule, or "".
func (r *Rule) check() string {
	kinds := 0
	for _, set := range []bool{
		!r.Column.IsZero(), r.Key != "", r.Template != "", len(r.Hash) > 0, r.Value != "",
	} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return "no value origin: set one of column, key, template, hash or value"
	case kinds > 1:
		return "more than one value origin: set only one of column, key, template, hash and value"
	case r.Column.Position < 0:
		return "column position must be 1 or more"
	case r.Value != "" && (r.Default != "" || r.Prefix != ""):
		return "value is a constant, so prefix and default have no effect"
	}
	for _, ref := range r.Hash {
		if ref.IsZero() || ref.Position < 0 {
			return "hash lists an empty column or a position below 1"
		}
	}
	if r.Template != "" {
		if _, err := parseTemplate(r.Template); err != nil {
			return err.Error()
		}
	}
	for _, t := range r.Transforms {
		if transformIndex(t) < 0 {
			return fmt.Sprintf("unknown transform %q (valid: %s)", t, strings.Join(Transforms, ", "))
		}
	}
	return ""
}

// CheckSource returns a *SourceError unless source is one of Sources in
// any letter case, so that a command can reject a --source before it
// reads a file. An empty source is missing.
func CheckSource(source string) error {
	if canonicalSource(source) == "" {
		return &SourceError{Source: source}
	}
	return nil
}

// canonicalSource returns the COR spelling of a source given in any
// letter case, or "" when it is not one of Sources.
func canonicalSource(s string) string {
	for _, v := range Sources {
		if strings.EqualFold(s, v) {
			return v
		}
	}
	return ""
}

func fieldIndex(name string) int {
	for i, f := range FieldNames {
		if f == name {
			return i
		}
	}
	return -1
}

func transformIndex(name string) int {
	for i, t := range Transforms {
		if t == name {
			return i
		}
	}
	return -1
}
