package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadError is a problem in a mapping file. Line is 0 when the problem is
// not on one line (the file cannot be read, or a required field is
// missing).
type LoadError struct {
	File   string
	Line   int
	Field  string // dotted path of the key, such as "fields.id.column"
	Reason string
	Err    error // underlying I/O or YAML syntax error, if any
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("mapping file " + e.File)
	if e.Line > 0 {
		b.WriteString(" line " + strconv.Itoa(e.Line))
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// Load reads a mapping file. Unknown keys, unknown fields, unknown
// transforms and invalid sources are errors; every error is a *LoadError
// naming the file, the line and the key.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Reason: "cannot read the file", Err: err}
	}
	return Parse(path, data)
}

// Parse reads a mapping from data, as Load does; name is used in errors.
func Parse(name string, data []byte) (*Spec, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &LoadError{File: name, Reason: "the file is empty; it needs at least a fields section"}
		}
		line, reason := splitYAMLError(err)
		return nil, &LoadError{File: name, Line: line, Reason: reason, Err: err}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		reason := "unexpected second YAML document; a mapping file contains one document"
		return nil, &LoadError{File: name, Line: extra.Line, Reason: reason}
	}

	p := &parser{file: name}
	s := p.spec(&doc)
	if p.err != nil {
		return nil, p.err
	}
	return s, nil
}

// yamlLinePattern matches the line number in yaml.v3 syntax errors, whose
// text reads "yaml: line 3: did not find expected key".
var yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func splitYAMLError(err error) (int, string) {
	m := yamlLinePattern.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	return line, "invalid YAML: " + m[2]
}

// parser walks the YAML node tree and keeps the first error.
type parser struct {
	file string
	err  *LoadError
}

func (p *parser) fail(n *yaml.Node, field, format string, args ...any) {
	if p.err == nil {
		p.err = &LoadError{File: p.file, Line: n.Line, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) spec(doc *yaml.Node) *Spec {
	s := &Spec{Fields: map[string]*Rule{}}
	root := resolve(doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = resolve(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		p.fail(root, "", "the file must be a YAML mapping with the keys source and fields")
		return s
	}

	var fields *yaml.Node
	p.pairs(root, "", func(key string, k, v *yaml.Node) {
		switch key {
		case "source":
			s.Source = p.source(v)
		case "fields":
			fields = v
		default:
			p.fail(k, key, "unknown key; valid keys are source and fields")
		}
	})
	if fields == nil {
		p.fail(root, "fields", "missing; list the client fields and where each value comes from")
		return s
	}
	p.fields(s, fields)
	return s
}

func (p *parser) source(v *yaml.Node) string {
	if !p.scalar(v, "source") {
		return ""
	}
	src := canonicalSource(v.Value)
	if src == "" {
		p.fail(v, "source", "invalid source %q; valid sources are %s", v.Value, strings.Join(Sources, ", "))
	}
	return src
}

func (p *parser) fields(s *Spec, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "fields", "must be a mapping from client field names to rules")
		return
	}
	p.pairs(n, "fields", func(name string, k, v *yaml.Node) {
		path := "fields." + name
		if fieldIndex(name) < 0 {
			p.fail(k, path, "unknown client field%s; valid fields are %s",
				suggest(name, FieldNames), strings.Join(FieldNames, ", "))
			return
		}
		r := p.rule(path, v)
		if r == nil {
			return
		}
		if reason := r.check(); reason != "" {
			p.fail(v, path, "%s", reason)
		}
		s.Fields[name] = r
	})
	for _, name := range FieldNames[:2] {
		if s.Fields[name] == nil {
			p.fail(n, "fields."+name, "missing rule for a required field")
		}
	}
}

// rule reads a rule: a mapping of options, or a scalar as a short form of
// column (a quoted or non-numeric scalar is a name, an integer a position).
func (p *parser) rule(path string, v *yaml.Node) *Rule {
	r := &Rule{}
	if v.Kind == yaml.ScalarNode {
		r.Column = p.ref(path, v)
		return r
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, path, "must be a column name, a column position or a mapping of options")
		return nil
	}
	p.pairs(v, path, func(key string, k, o *yaml.Node) {
		opt := path + "." + key
		switch key {
		case "column":
			r.Column = p.ref(opt, o)
		case "key":
			r.Key = p.text(opt, o)
		case "template":
			r.Template = p.text(opt, o)
		case "hash":
			r.Hash = p.refs(opt, o)
		case "value":
			r.Value = p.text(opt, o)
		case "prefix":
			r.Prefix = p.text(opt, o)
		case "default":
			r.Default = p.text(opt, o)
		case "transforms":
			r.Transforms = p.list(opt, o)
		case "trim":
			r.NoTrim = !p.bool(opt, o)
		default:
			p.fail(k, opt, "unknown option%s; valid options are column, key, template, hash, value, "+
				"prefix, default, transforms and trim", suggest(key, ruleOptions))
		}
	})
	return r
}

var ruleOptions = []string{
	"column", "key", "template", "hash", "value", "prefix", "default", "transforms", "trim",
}

// pairs calls fn for each key of a mapping and rejects repeated keys.
func (p *parser) pairs(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.fail(k, path, "a key must be a plain name")
			continue
		}
		if line, dup := seen[k.Value]; dup {
			p.fail(k, joinPath(path, k.Value), "repeated key; it is already set on line %d", line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// scalar reports whether v is a non-null scalar, failing otherwise.
func (p *parser) scalar(v *yaml.Node, path string) bool {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		p.fail(v, path, "must be a single value")
		return false
	}
	return true
}

// text returns the scalar as written, so that `prefix: 007` keeps its
// zeros rather than becoming the number 7.
func (p *parser) text(path string, v *yaml.Node) string {
	if !p.scalar(v, path) {
		return ""
	}
	if v.Value == "" {
		p.fail(v, path, "is empty")
	}
	return v.Value
}

func (p *parser) bool(path string, v *yaml.Node) bool {
	if !p.scalar(v, path) {
		return true
	}
	b, err := strconv.ParseBool(v.Value)
	if err != nil || v.ShortTag() != "!!bool" {
		p.fail(v, path, "must be true or false, not %q", v.Value)
		return true
	}
	return b
}

func (p *parser) ref(path string, v *yaml.Node) Ref {
	if !p.scalar(v, path) {
		return Ref{}
	}
	if v.ShortTag() != "!!int" {
		if strings.TrimSpace(v.Value) == "" {
			p.fail(v, path, "column name is empty")
		}
		return Ref{Name: v.Value}
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || n < 1 {
		p.fail(v, path, "column position %s must be a whole number from 1; quote it to name a column", v.Value)
		return Ref{}
	}
	return Ref{Position: n}
}

func (p *parser) refs(path string, v *yaml.Node) []Ref {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.fail(v, path, "must be a list of columns, such as [name, phone]")
		return nil
	}
	refs := make([]Ref, 0, len(v.Content))
	for _, item := range v.Content {
		refs = append(refs, p.ref(path, resolve(item)))
	}
	return refs
}

// list reads a sequence of names, or a single name.
func (p *parser) list(path string, v *yaml.Node) []string {
	if v.Kind == yaml.ScalarNode {
		return []string{p.text(path, v)}
	}
	if v.Kind != yaml.SequenceNode {
		p.fail(v, path, "must be a list such as [trim, lower]")
		return nil
	}
	var names []string
	for _, item := range v.Content {
		item = resolve(item)
		name := p.text(path, item)
		if name != "" && transformIndex(name) < 0 {
			p.fail(item, path, "unknown transform %q%s; valid transforms are %s",
				name, suggest(name, Transforms), strings.Join(Transforms, ", "))
		}
		names = append(names, name)
	}
	return names
}

// resolve follows YAML aliases (*name) to the node they refer to.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// suggest returns ` (did you mean "x"?)` for the closest of names, or ""
// when none is close.
func suggest(name string, names []string) string {
	if m := closeMatches(name, names, 1); len(m) > 0 {
		return fmt.Sprintf(" (did you mean %q?)", m[0])
	}
	return ""
}
