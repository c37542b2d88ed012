package mapping

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ColumnError is a column named by a rule that the header lacks.
type ColumnError struct {
	Field      string   // client field whose rule names the column
	Column     Ref      // the column as the rule names it
	HeaderSize int      // number of columns in the header
	Matches    []string // header names close to Column.Name, best first
}

func (e *ColumnError) Error() string {
	if e.Column.Position > 0 {
		return fmt.Sprintf("field %q: column %d not found: the header has %d columns",
			e.Field, e.Column.Position, e.HeaderSize)
	}
	msg := fmt.Sprintf("field %q: column %q not found in the header", e.Field, e.Column.Name)
	if len(e.Matches) > 0 {
		msg += "; close matches: " + quoteList(e.Matches)
	}
	return msg
}

// DuplicateColumnError is a header name that more than one column
// matches, when the mapping needs that column by name or, for an inferred
// mapping, any repeated header name.
type DuplicateColumnError struct {
	Field     string   // client field that reads the column; "" for an unused one
	Name      string   // the name as the rule or the header gives it
	Columns   []string // header names of the matching columns
	Positions []int    // 1-based positions of the matching columns
	Inferred  bool     // the mapping was inferred, so no mapping file picks the column
}

func (e *DuplicateColumnError) Error() string {
	var b strings.Builder
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	fmt.Fprintf(&b, "column name %q matches %d header columns: ", e.Name, len(e.Positions))
	for i, pos := range e.Positions {
		if i > 0 {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%q at position %d", e.Columns[i], pos)
	}
	switch {
	case e.Inferred && e.Field != "":
		fmt.Fprintf(&b, "; the mapping is inferred from the header, so write a mapping file "+
			"with \"corimport mapping FILE > m.yaml\", pick the column by position in it, "+
			"such as column: %d, and pass it with --mapping m.yaml", e.Positions[0])
		return b.String()
	case e.Inferred:
		b.WriteString("; the mapping is inferred from the header, so write a mapping file " +
			"with \"corimport mapping FILE > m.yaml\" and pass it with --mapping m.yaml, " +
			"which may leave a repeated column unused")
		return b.String()
	}
	fmt.Fprintf(&b, "; pick one by position in a mapping file, such as column: %d", e.Positions[0])
	return b.String()
}

// SourceError is a missing or invalid source.
type SourceError struct {
	Source string // "" when no source was given
}

func (e *SourceError) Error() string {
	valid := strings.Join(Sources, ", ")
	if e.Source == "" {
		return "missing source: set source in the mapping file or pass --source; valid sources are " + valid
	}
	return fmt.Sprintf("invalid source %q; valid sources are %s", e.Source, valid)
}

// RuleError is a rule that cannot be used: a required field without a
// rule, or a rule built in code that breaks the rules Load enforces.
type RuleError struct {
	Field  string
	Reason string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("field %q: %s", e.Field, e.Reason)
}

// Mapper turns the records of one file into clients. It is built by
// Compile and is safe for concurrent use.
type Mapper struct {
	source     string
	spec       *Spec
	header     []string
	rules      [numFields]*rule
	used       []bool   // header columns read by some rule
	unresolved []string // keys not in the header
}

// rule is a compiled Rule.
type rule struct {
	field        int
	origin       int // originColumn and so on
	col          column
	parts        []part   // template
	cols         []column // hash
	trim         bool
	transforms   []int // indexes into Transforms
	prefix       string
	defaultValue string
	value        string
}

const (
	originColumn = iota
	originTemplate
	originHash
	originValue
)

// column is the location of a value: a CSV field index, a JSON path, or
// both.
type column struct {
	index int    // 0-based position in the header, -1 when not in it
	path  string // JSON path: the header name or the rule's key
	label string // name for error messages
}

// part is a piece of a template: literal text, or a column when isCol.
type part struct {
	text  string
	col   column
	ref   Ref
	isCol bool
}

// Compile checks s against the header of one file and returns a Mapper.
// The header holds CSV column names, or for JSONL the keys that the
// reader found in the first records, with nested keys as dotted paths.
// source is used when s has none.
//
// Every problem found is returned, joined: a *ColumnError for a column
// the header lacks, a *DuplicateColumnError for a column name that the
// header repeats (for an inferred Spec, any repeated name, once each), a
// *SourceError and *RuleError.
func Compile(s *Spec, header []string, source string) (*Mapper, error) {
	m := &Mapper{spec: s, header: header, used: make([]bool, len(header))}
	var errs []error

	m.source = s.Source
	if m.source == "" {
		m.source = source
	}
	if src := canonicalSource(m.source); src != "" {
		m.source = src
	} else {
		errs = append(errs, &SourceError{Source: m.source})
	}

	var dups []*DuplicateColumnError
	if s.inferred {
		dups = duplicateNames(header)
		for _, e := range dups {
			errs = append(errs, e)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Fields)) {
		if fieldIndex(name) < 0 {
			errs = append(errs, &RuleError{Field: name, Reason: "unknown client field; valid fields are " +
				strings.Join(FieldNames, ", ")})
		}
	}
	for f, name := range FieldNames {
		r := s.Fields[name]
		if r == nil {
			if f <= fieldName {
				errs = append(errs, missingRule(f))
			}
			continue
		}
		cr, err := m.compileRule(f, r)
		if err != nil && !mergeDuplicate(dups, err) {
			errs = append(errs, err)
		}
		if err == nil {
			m.rules[f] = cr
		}
	}
	m.nameDuplicateReaders(dups)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

func missingRule(f int) error {
	examples := strings.Join(synonyms[f][:4], ", ")
	reason := "required, but no header column has a known name for it (such as " + examples + ")"
	reason += "; map a column in a mapping file"
	if f == fieldID {
		reason += ", or derive the id from other columns with hash"
	}
	return &RuleError{Field: FieldNames[f], Reason: reason}
}

func (m *Mapper) compileRule(f int, r *Rule) (*rule, error) {
	name := FieldNames[f]
	if reason := r.check(); reason != "" {
		return nil, &RuleError{Field: name, Reason: reason}
	}
	cr := &rule{field: f, trim: !r.NoTrim, prefix: r.Prefix, defaultValue: r.Default, value: r.Value}
	for _, t := range r.Transforms {
		cr.transforms = append(cr.transforms, transformIndex(t))
	}

	var err error
	switch {
	case !r.Column.IsZero():
		cr.origin = originColumn
		cr.col, err = m.resolve(name, r.Column)
	case r.Key != "":
		cr.origin = originColumn
		cr.col = m.resolveKey(r.Key)
	case r.Template != "":
		cr.origin = originTemplate
		cr.parts, _ = parseTemplate(r.Template)
		for i := range cr.parts {
			if cr.parts[i].isCol && err == nil {
				cr.parts[i].col, err = m.resolve(name, cr.parts[i].ref)
			}
		}
	case len(r.Hash) > 0:
		cr.origin = originHash
		for _, ref := range r.Hash {
			c, e := m.resolve(name, ref)
			err = errors.Join(err, e)
			cr.cols = append(cr.cols, c)
		}
	default:
		cr.origin = originValue
	}
	return cr, err
}

// resolve finds the header column a Ref names. A name matches a header
// name ignoring case first, then ignoring case, spaces and punctuation.
func (m *Mapper) resolve(field string, ref Ref) (column, error) {
	if ref.Position > 0 {
		if ref.Position > len(m.header) {
			return column{}, &ColumnError{Field: field, Column: ref, HeaderSize: len(m.header)}
		}
		return m.use(ref.Position - 1), nil
	}

	want := strings.TrimFunc(ref.Name, isSpace)
	matches := m.find(func(h string) bool { return strings.EqualFold(h, want) })
	if len(matches) == 0 {
		n := normalize(want)
		matches = m.find(func(h string) bool { return n != "" && normalize(h) == n })
	}
	switch len(matches) {
	case 0:
		return column{}, &ColumnError{
			Field: field, Column: ref, HeaderSize: len(m.header),
			Matches: closeMatches(want, m.trimmedHeader(), 3),
		}
	case 1:
		return m.use(matches[0]), nil
	}
	e := &DuplicateColumnError{Field: field, Name: ref.Name}
	for _, i := range matches {
		e.Columns = append(e.Columns, m.header[i])
		e.Positions = append(e.Positions, i+1)
	}
	return column{}, e
}

// resolveKey finds a JSON key in the header: exactly, or else ignoring
// ASCII case as input.Lookup does. A key need not be there, because
// objects after the ones that made the header may hold it.
func (m *Mapper) resolveKey(key string) column {
	if i := slices.Index(m.header, key); i >= 0 {
		return m.use(i)
	}
	for i, h := range m.header {
		if equalFoldASCII(h, key) {
			return m.use(i)
		}
	}
	m.unresolved = append(m.unresolved, key)
	return column{index: -1, path: key, label: key}
}

// equalFoldASCII reports whether a and b are equal when ASCII letters are
// compared ignoring case, the rule input.Lookup applies to JSON keys.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (m *Mapper) use(i int) column {
	m.used[i] = true
	label := strings.TrimFunc(m.header[i], isSpace)
	if label == "" {
		label = "#" + strconv.Itoa(i+1)
	}
	return column{index: i, path: m.header[i], label: label}
}

func (m *Mapper) find(match func(string) bool) []int {
	var found []int
	for i, h := range m.header {
		if match(strings.TrimFunc(h, isSpace)) {
			found = append(found, i)
		}
	}
	return found
}

func (m *Mapper) trimmedHeader() []string {
	names := make([]string, len(m.header))
	for i, h := range m.header {
		names[i] = strings.TrimFunc(h, isSpace)
	}
	return names
}

// mergeDuplicate reports whether err repeats one of dups, the repeated
// names of the header, for one field. It then names the field in that
// error, so that Compile reports each ambiguity once.
func mergeDuplicate(dups []*DuplicateColumnError, err error) bool {
	e, ok := err.(*DuplicateColumnError)
	if !ok {
		return false
	}
	for _, d := range dups {
		if slices.Equal(d.Positions, e.Positions) {
			if d.Field == "" {
				d.Field = e.Field
			}
			return true
		}
	}
	return false
}

// nameDuplicateReaders names, in each of dups that names no field yet,
// the first field whose rule reads one of its columns by position.
func (m *Mapper) nameDuplicateReaders(dups []*DuplicateColumnError) {
	for _, d := range dups {
		for _, cr := range m.rules {
			if d.Field == "" && cr != nil && cr.origin == originColumn &&
				slices.Contains(d.Positions, cr.col.index+1) {
				d.Field = FieldNames[cr.field]
			}
		}
	}
}

// duplicateNames returns an error for each header name that appears more
// than once, ignoring case and the white space around it. Unnamed columns
// are not compared.
func duplicateNames(header []string) []*DuplicateColumnError {
	var errs []*DuplicateColumnError
	first := map[string]*DuplicateColumnError{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimFunc(h, isSpace))
		if name == "" {
			continue
		}
		e := first[name]
		if e == nil {
			first[name] = &DuplicateColumnError{Name: strings.TrimFunc(h, isSpace),
				Columns: []string{h}, Positions: []int{i + 1}, Inferred: true}
			continue
		}
		if len(e.Positions) == 1 {
			errs = append(errs, e)
		}
		e.Columns = append(e.Columns, h)
		e.Positions = append(e.Positions, i+1)
	}
	return errs
}

// Source returns the source sent with every client.
func (m *Mapper) Source() string { return m.source }

// Describe returns the source and one line per mapped field, as
// Spec.Describe does, for the run log.
func (m *Mapper) Describe() []string {
	lines := []string{"source <- value " + strconv.Quote(m.source)}
	for _, l := range m.spec.Describe() {
		if !strings.HasPrefix(l, "source <- ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// Columns returns the header columns that some rule reads, in header
// order.
func (m *Mapper) Columns() []string { return m.pick(true) }

// Ignored returns the named header columns that no rule reads, in header
// order.
func (m *Mapper) Ignored() []string { return m.pick(false) }

func (m *Mapper) pick(used bool) []string {
	var names []string
	for i, h := range m.header {
		if m.used[i] == used && strings.TrimFunc(h, isSpace) != "" {
			names = append(names, h)
		}
	}
	return names
}

// MissingKeys returns the keys that rules read but the header lacks. For
// JSONL input, a later object may hold them. For CSV input every record
// gets a field error for them, so a caller may prefer to stop early.
func (m *Mapper) MissingKeys() []string { return m.unresolved }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
