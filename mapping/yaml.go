package mapping

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

const fileComment = `# corimport mapping file: where each COR client field gets its value.
# Edit it and pass it back with --mapping FILE.
#
# A field takes its value from one of:
#   column: "Header name"    a header column, matched ignoring case, spaces
#                            and punctuation; or a 1-based position: column: 3
#   key: "contact.email"     a JSON path, for JSONL input
#   template: "{{City}}: {{Notes}}"   text with {{Column}} placeholders
#   hash: ["name", "phone"]  a stable id: the first 16 hex digits of the
#                            SHA-256 of the trimmed values joined by NUL bytes
#   value: "constant"
# Options: transforms: [lower, upper, single_line, trim], applied in order;
# prefix: "text" for a non-empty value; default: "text" for an empty one;
# trim: false keeps the white space around values (trimmed by default).
# Fields: id and name (required), business_name, email_contact,
# name_contact, last_name_contact, phone, website, description.
`

// YAML returns s as a commented mapping file that Load reads back into an
// equal Spec. Fields without a rule are listed as comments to fill in, and
// for an inferred Spec the ignored columns are listed too.
func (s *Spec) YAML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(fileComment)
	if len(s.ignored) > 0 {
		b.WriteString("#\n")
		writeWrapped(&b, "# Columns not used: ", quoteYAMLList(s.ignored))
	}
	b.WriteString("\n")

	if s.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", s.Source)
	} else {
		b.WriteString("# source: SALESFORCE    # or pass --source\n")
		writeWrapped(&b, "# Valid sources: ", strings.Join(Sources, ", "))
	}

	b.WriteString("fields:\n")
	var missing []string
	for _, f := range FieldNames {
		r := s.Fields[f]
		if r == nil {
			missing = append(missing, f)
			continue
		}
		if note := s.notes[f]; note != "" {
			fmt.Fprintf(&b, "  # %s\n", note)
		}
		fmt.Fprintf(&b, "  %s: %s\n", f, r.flow())
	}
	for _, f := range missing {
		if f == FieldNames[fieldID] {
			b.WriteString("  # No id column was found: derive a stable id from columns that\n")
			b.WriteString("  # together identify a record, for example:\n")
			fmt.Fprintf(&b, "  # id: {hash: [%s]}\n", strings.Join(s.hashSuggestion(), ", "))
			continue
		}
		fmt.Fprintf(&b, "  # %s: {column: \"\"}\n", f)
	}
	return b.Bytes(), nil
}

// MarshalYAML returns the document that YAML writes, so that yaml.Marshal
// of a Spec writes a mapping file too.
func (s *Spec) MarshalYAML() (any, error) {
	data, err := s.YAML()
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("mapping: re-read generated YAML: %w", err)
	}
	return doc.Content[0], nil
}

// hashSuggestion returns the columns of the name, phone and website rules,
// which together tell most companies apart.
func (s *Spec) hashSuggestion() []string {
	var cols []string
	for _, f := range []string{"name", "phone", "website"} {
		if r := s.Fields[f]; r != nil && !r.Column.IsZero() {
			cols = append(cols, yamlRef(r.Column))
		}
	}
	if len(cols) == 0 {
		cols = []string{`"Company"`, `"City"`}
	}
	return cols
}

// flow returns a rule as a one-line YAML mapping.
func (r *Rule) flow() string {
	var opts []string
	switch {
	case !r.Column.IsZero():
		opts = append(opts, "column: "+yamlRef(r.Column))
	case r.Key != "":
		opts = append(opts, "key: "+yamlString(r.Key))
	case r.Template != "":
		opts = append(opts, "template: "+yamlString(r.Template))
	case len(r.Hash) > 0:
		refs := make([]string, len(r.Hash))
		for i, ref := range r.Hash {
			refs[i] = yamlRef(ref)
		}
		opts = append(opts, "hash: ["+strings.Join(refs, ", ")+"]")
	default:
		opts = append(opts, "value: "+yamlString(r.Value))
	}
	if len(r.Transforms) > 0 {
		opts = append(opts, "transforms: ["+strings.Join(r.Transforms, ", ")+"]")
	}
	if r.Prefix != "" {
		opts = append(opts, "prefix: "+yamlString(r.Prefix))
	}
	if r.Default != "" {
		opts = append(opts, "default: "+yamlString(r.Default))
	}
	if r.NoTrim {
		opts = append(opts, "trim: false")
	}
	return "{" + strings.Join(opts, ", ") + "}"
}

func yamlRef(ref Ref) string {
	if ref.Position > 0 {
		return strconv.Itoa(ref.Position)
	}
	return yamlString(ref.Name)
}

// yamlString returns v as a double-quoted YAML scalar, escaped by the
// YAML encoder so that valid UTF-8 text, control characters included,
// reads back unchanged. Invalid UTF-8 does not: the encoder writes it as
// !!binary base64.
func yamlString(v string) string {
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: v})
	if err != nil {
		return strconv.Quote(v)
	}
	return strings.TrimSuffix(string(out), "\n")
}

func quoteYAMLList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = yamlString(n)
	}
	return strings.Join(q, ", ")
}

// writeWrapped writes text as comment lines of about 76 columns, breaking
// after commas.
func writeWrapped(b *bytes.Buffer, lead, text string) {
	line := lead
	for _, word := range strings.SplitAfter(text, ", ") {
		if len(line)+len(word) > 76 && line != lead {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = "#   "
		}
		line += word
	}
	b.WriteString(line + "\n")
}
