package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/corimport/corimport/importer/input"
)

// FieldError is a problem with the value of one client field.
type FieldError struct {
	Field  string // client field, such as "email_contact"
	Column string // header column or JSON key the value came from; "" when several or none
	Reason string
}

func (e *FieldError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("field %q: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("field %q (column %q): %s", e.Field, e.Column, e.Reason)
}

// FieldErrors lists every problem found in one record, in the order of
// the request body.
type FieldErrors []FieldError

func (e *FieldErrors) Error() string {
	msgs := make([]string, len(*e))
	for i := range *e {
		msgs[i] = (*e)[i].Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns each FieldError, so that errors.As finds the first.
func (e *FieldErrors) Unwrap() []error {
	errs := make([]error, len(*e))
	for i := range *e {
		errs[i] = &(*e)[i]
	}
	return errs
}

// Map turns a record into a client. It does no I/O.
//
// When some field is invalid, the error is a *FieldErrors that lists every
// invalid field. The Client then still holds the values that could be
// read, for reports, but it must not be sent. When the record could not be
// read (r.Err is set), Map returns r.Err unchanged.
func (m *Mapper) Map(r *input.Record) (Client, error) {
	c := Client{Source: m.source}
	if r.Err != nil {
		return c, r.Err
	}

	var errs FieldErrors
	for _, cr := range m.rules {
		if cr == nil {
			continue
		}
		v, fe := cr.extract(r)
		if fe == nil {
			c.set(cr.field, v)
			fe = cr.validate(v)
		}
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		// A copy, so that errs itself stays on the stack for valid records.
		out := errs
		return c, &out
	}
	return c, nil
}

func (c *Client) set(field int, v string) {
	switch field {
	case fieldID:
		c.ID = v
	case fieldName:
		c.Name = v
	case fieldBusinessName:
		c.BusinessName = v
	case fieldEmailContact:
		c.EmailContact = v
	case fieldNameContact:
		c.NameContact = v
	case fieldLastNameContact:
		c.LastNameContact = v
	case fieldPhone:
		c.Phone = v
	case fieldWebsite:
		c.Website = v
	case fieldDescription:
		c.Description = v
	}
}

func (cr *rule) fail(col, format string, args ...any) *FieldError {
	return &FieldError{Field: FieldNames[cr.field], Column: col, Reason: fmt.Sprintf(format, args...)}
}

// extract returns the value of the field after trimming, transforms,
// prefix and default.
func (cr *rule) extract(r *input.Record) (string, *FieldError) {
	switch cr.origin {
	case originValue:
		return cr.finish(cr.value), nil
	case originColumn:
		v, reason := cr.col.get(r)
		if reason != "" {
			return "", cr.fail(cr.col.label, "%s", reason)
		}
		return cr.finish(v), nil
	case originTemplate:
		return cr.template(r)
	default:
		return cr.hash(r)
	}
}

func (cr *rule) finish(v string) string {
	if cr.trim {
		v = trimSpace(v)
	}
	for _, op := range cr.transforms {
		v = transform(op, v)
	}
	if v == "" {
		return cr.defaultValue
	}
	if cr.prefix == "" {
		return v
	}
	return cr.prefix + v
}

// template fills the placeholders. When every placeholder is empty the
// result is empty, so that "sf-{{Id}}" does not turn a missing id into
// the id "sf-".
func (cr *rule) template(r *input.Record) (string, *FieldError) {
	var b strings.Builder
	filled := false
	for _, p := range cr.parts {
		if !p.isCol {
			b.WriteString(p.text)
			continue
		}
		v, reason := p.col.get(r)
		if reason != "" {
			return "", cr.fail(p.col.label, "%s", reason)
		}
		if cr.trim {
			v = trimSpace(v)
		}
		filled = filled || v != ""
		b.WriteString(v)
	}
	if !filled {
		return cr.finish(""), nil
	}
	return cr.finish(b.String()), nil
}

// hash returns the first 16 hex digits of the SHA-256 of the trimmed
// column values joined with NUL bytes. The values are always trimmed, so
// that padding in one export does not change the ids.
func (cr *rule) hash(r *input.Record) (string, *FieldError) {
	var buf [512]byte
	data := buf[:0]
	filled := false
	for i, c := range cr.cols {
		v, reason := c.get(r)
		if reason != "" {
			return "", cr.fail(c.label, "%s", reason)
		}
		v = trimSpace(v)
		filled = filled || v != ""
		if i > 0 {
			data = append(data, 0)
		}
		data = append(data, v...)
	}
	if !filled {
		labels := make([]string, len(cr.cols))
		for i, c := range cr.cols {
			labels[i] = c.label
		}
		return "", cr.fail("", "every column of the hash is empty (%s), so no id can be derived",
			quoteList(labels))
	}
	sum := sha256.Sum256(data)
	var digits [16]byte
	hex.Encode(digits[:], sum[:8])
	return cr.finish(string(digits[:])), nil
}

// get returns the raw value of a column, or the reason it has none.
func (c *column) get(r *input.Record) (string, string) {
	if r.Object != nil {
		v, _ := input.Lookup(r.Object, c.path)
		return jsonText(v)
	}
	if c.index < 0 {
		return "", "the header has no such column (a key reads JSON input only)"
	}
	if c.index >= len(r.Fields) {
		return "", fmt.Sprintf("the record has %d fields, fewer than the header", len(r.Fields))
	}
	return r.Fields[c.index], ""
}

// jsonText returns a JSON value as text. Numbers keep their text as
// written and null is empty; booleans, arrays and objects are rejected,
// because turning them into text would invent a value.
func jsonText(v any) (string, string) {
	switch v := v.(type) {
	case nil:
		return "", ""
	case string:
		return v, ""
	case json.Number:
		return string(v), ""
	case bool:
		return "", "is a JSON boolean (" + strconv.FormatBool(v) + "), not a string"
	case []any:
		return "", "is a JSON array, not a string"
	case map[string]any:
		return "", "is a JSON object, not a string; map one of its keys with a dotted path " +
			"such as \"contact.email\""
	default:
		return "", fmt.Sprintf("is a JSON value of Go type %T, not a string", v)
	}
}

// isSpace reports white space to trim: Unicode white space, including
// the non-breaking space, plus the zero-width space and the byte-order
// mark, which are invisible in a spreadsheet.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

func trimSpace(s string) string {
	if s == "" {
		return s
	}
	first, last := s[0], s[len(s)-1]
	if first > ' ' && first < 0x80 && last > ' ' && last < 0x80 {
		return s
	}
	return strings.TrimFunc(s, isSpace)
}

func transform(op int, v string) string {
	switch Transforms[op] {
	case "trim":
		return trimSpace(v)
	case "lower":
		return strings.ToLower(v)
	case "upper":
		return strings.ToUpper(v)
	default:
		return singleLine(v)
	}
}

func isLineBreak(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// singleLine replaces each run of tabs and line breaks with one space.
func singleLine(v string) string {
	if strings.IndexFunc(v, isLineBreak) < 0 {
		return v
	}
	var b strings.Builder
	inBreak := false
	for _, r := range v {
		if isLineBreak(r) {
			if !inBreak {
				b.WriteByte(' ')
			}
			inBreak = true
			continue
		}
		inBreak = false
		b.WriteRune(r)
	}
	return b.String()
}

// parseTemplate splits a template into text and {{Column}} placeholders.
// A placeholder holding only digits is a 1-based column position.
func parseTemplate(t string) ([]part, error) {
	var parts []part
	hasCol := false
	for t != "" {
		open := strings.Index(t, "{{")
		if open < 0 {
			if strings.Contains(t, "}}") {
				return nil, errors.New("template has \"}}\" without a matching \"{{\"")
			}
			parts = append(parts, part{text: t})
			break
		}
		if strings.Contains(t[:open], "}}") {
			return nil, errors.New("template has \"}}\" without a matching \"{{\"")
		}
		if open > 0 {
			parts = append(parts, part{text: t[:open]})
		}
		end := strings.Index(t[open:], "}}")
		if end < 0 {
			return nil, errors.New("template has \"{{\" without a closing \"}}\"")
		}
		name := strings.TrimSpace(t[open+2 : open+end])
		if name == "" {
			return nil, errors.New("template has an empty placeholder {{}}")
		}
		ref := Ref{Name: name}
		if n, err := strconv.Atoi(name); err == nil && n > 0 {
			ref = Ref{Position: n}
		}
		parts = append(parts, part{ref: ref, isCol: true})
		hasCol = true
		t = t[open+end+2:]
	}
	if !hasCol {
		return nil, errors.New("template has no {{Column}} placeholder; use value for a constant")
	}
	return parts, nil
}
