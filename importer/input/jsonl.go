package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// headerLookahead is how many records, at most, a JSON reader reads and
// keeps before the first Next, to build the header from their keys.
const headerLookahead = 100

// headerLookaheadBytes is the size of record text, in bytes, at which the
// look-ahead stops early, so that a file of huge records does not keep 100
// of them in memory. The look-ahead still always reaches the first object.
const headerLookaheadBytes = 1 << 20

// jsonReader reads JSON Lines, one object per physical line, or a file
// that is one JSON array of objects. Both produce the raw text of one
// record and its line, and share the rest.
type jsonReader struct {
	name    string
	st      *stream
	text    *textDecoder
	info    Info
	header  []string
	closer  io.Closer
	seq     int
	failed  error
	pending []*Record // records read ahead to find the header
	read    func() (*Record, error)

	lines *lineScanner // JSON Lines

	array      *json.Decoder // JSON array
	counter    *lineCounter
	arrayDone  bool
	maxElement int
}

func newJSONLReader(name string, st *stream, opts Options) (*jsonReader, error) {
	r := &jsonReader{name: name, st: st, text: st.text, info: Info{Format: "jsonl"}}
	r.lines = newLineScanner(st.r, opts.MaxRecordBytes)
	r.read = r.readLine
	return r, r.readAhead()
}

func newArrayReader(name string, st *stream, opts Options) (*jsonReader, error) {
	r := &jsonReader{name: name, st: st, text: st.text, info: Info{Format: "json"}}
	r.maxElement = opts.MaxRecordBytes
	r.counter = &lineCounter{src: st.r, line: 1}
	r.array = json.NewDecoder(r.counter)
	r.read = r.readElement
	if _, err := r.array.Token(); err != nil {
		return nil, r.arrayError(err)
	}
	return r, r.readAhead()
}

// readAhead reads up to headerLookahead records, keeps them for Next and
// builds the header from the keys of the objects among them, invalid
// values included. A file error after the first object is kept for Next,
// so that the records before it are still read.
func (r *jsonReader) readAhead() error {
	keys := newKeyUnion()
	size := 0
	for len(r.pending) < headerLookahead {
		if size >= headerLookaheadBytes && len(keys.keys) > 0 {
			break
		}
		rec, err := r.read()
		if err == io.EOF {
			break
		}
		if err != nil && len(keys.keys) > 0 {
			r.failed = err
			break
		}
		if err != nil {
			return err
		}
		r.pending = append(r.pending, rec)
		size += len(rec.Text)
		if rec.Object != nil {
			keys.add(rec.Text)
		}
	}
	r.header = keys.keys

	switch {
	case r.header != nil:
	case len(r.pending) < headerLookahead:
		return r.noObjectError()
	default:
		r.info.Warnings = append(r.info.Warnings, fmt.Sprintf("no valid JSON object among "+
			"the first %d records, so the header is empty", len(r.pending)))
	}
	return nil
}

// noObjectError reports a file that ends before any JSON object, naming
// the first record error, if any, as the likely cause.
func (r *jsonReader) noObjectError() *FileError {
	e := &FileError{File: r.name, Reason: "the file contains no JSON object"}
	for _, rec := range r.pending {
		var re *RecordError
		if errors.As(rec.Err, &re) {
			e.Reason += fmt.Sprintf("; line %d: %s", re.Line, re.Reason)
			break
		}
	}
	return e
}

// Header returns the union of the keys of the objects among the first
// records, as flattenKeys lists them, in the order first seen. The window
// is the first 100 records, or fewer once they hold 1 MiB of text, and
// it always reaches the first object. A key that differs only in ASCII
// letter case from a key of an earlier record is not added, because
// Lookup finds it under the earlier spelling.
//
// NOTE: a key that first appears after the window is not in the header,
// so an inferred mapping ignores it without a warning. Listing such keys
// would need a check of every later record against the header.
func (r *jsonReader) Header() []string { return r.header }

func (r *jsonReader) Info() Info {
	info := r.info
	info.Encoding, info.Guessed = r.text.name, r.text.guessed
	info.Warnings = append([]string(nil), r.info.Warnings...)
	if r.text.warning != "" {
		info.Warnings = append(info.Warnings, r.text.warning)
	}
	return info
}

func (r *jsonReader) setCloser(cl io.Closer) { r.closer = cl }

func (r *jsonReader) Close() error {
	err := r.st.close()
	if r.closer != nil {
		if cerr := r.closer.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (r *jsonReader) Next() (*Record, error) {
	if len(r.pending) > 0 {
		rec := r.pending[0]
		r.pending = r.pending[1:]
		return rec, nil
	}
	if r.failed != nil {
		return nil, r.failed
	}
	rec, err := r.read()
	if err != nil && err != io.EOF {
		r.failed = err
	}
	return rec, err
}

// readLine reads one line of JSON Lines.
func (r *jsonReader) readLine() (*Record, error) {
	s := r.lines
	s.begin()
	lo, hi, _, err := s.nextLine()
	switch err {
	case nil:
	case io.EOF:
		return nil, io.EOF
	case errLineTooLong:
		r.seq++
		rec := &Record{File: r.name, Line: s.line, Seq: r.seq}
		rec.Err = r.recordError(rec, "", fmt.Sprintf("the line is longer than the limit "+
			"of %d bytes", s.max))
		return rec, nil
	default:
		e := readError(r.name, err)
		e.Line = s.line + 1
		return nil, e
	}
	return r.parse(s.line, s.bytesAt(lo, hi), s.rest()), nil
}

// readElement reads one element of a JSON array. A syntax error ends the
// file, because a streaming parser cannot find where the next element
// starts.
func (r *jsonReader) readElement() (*Record, error) {
	if r.arrayDone {
		return nil, io.EOF
	}
	d := r.array
	if !d.More() {
		if _, err := d.Token(); err != nil {
			return nil, r.arrayError(err)
		}
		r.arrayDone = true
		if _, err := d.Token(); err != io.EOF {
			line := r.counter.lineAt(d.InputOffset())
			return nil, &FileError{File: r.name, Line: line, Reason: "unexpected data after " +
				"the end of the JSON array; the file must hold one array", Err: err}
		}
		return nil, io.EOF
	}

	var raw json.RawMessage
	if err := d.Decode(&raw); err != nil {
		return nil, r.arrayError(err)
	}
	start := d.InputOffset() - int64(len(raw))
	line := r.counter.lineAt(start)
	if len(raw) > r.maxElement {
		// NOTE: the decoder has already held the whole element in memory;
		// the limit keeps the semantics of JSON Lines, not the memory bound.
		r.seq++
		rec := &Record{File: r.name, Line: line, Seq: r.seq}
		rec.Err = r.recordError(rec, "", fmt.Sprintf("the element is longer than the "+
			"limit of %d bytes", r.maxElement))
		return rec, nil
	}
	return r.parse(line, raw, raw), nil
}

// arrayError turns a decoding error of the JSON array into a FileError at
// the line where it happened.
func (r *jsonReader) arrayError(err error) *FileError {
	e := &FileError{File: r.name, Err: err}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		e.Line = r.counter.lineAt(syn.Offset)
		e.Reason = "invalid JSON (" + syn.Error() + "); the records after it cannot be " +
			"found, so fix the file and import it again"
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		e.Line = r.counter.lineAt(r.array.InputOffset())
		e.Reason = "the JSON array is not closed; the file looks truncated, " +
			"so check that it was copied completely"
	default:
		return readError(r.name, err)
	}
	return e
}

// parse turns the raw text of one record into a Record. sample is the
// input from the record on, for encoding detection.
func (r *jsonReader) parse(line int, raw, sample []byte) *Record {
	r.seq++
	rec := &Record{File: r.name, Line: line, Seq: r.seq}
	if len(trimJSONSpace(raw)) == 0 {
		rec.Blank = true
		return rec
	}

	text, valid := r.text.text(raw, sample, line)
	rec.Text = bytes.Clone(text)
	obj, reason := parseObject(trimJSONSpace(rec.Text))
	if reason != "" {
		rec.Err = r.recordError(rec, "", reason)
		return rec
	}
	rec.Object = obj
	if key, reason := checkStrings(obj, rec.Text, valid, r.text); reason != "" {
		rec.Err = r.recordError(rec, key, reason)
	}
	return rec
}

func (r *jsonReader) recordError(rec *Record, column, reason string) *RecordError {
	return &RecordError{File: r.name, Line: rec.Line, Column: column, Reason: reason}
}

// parseObject decodes b, which must be exactly one JSON object, keeping
// numbers as json.Number. It returns the reason when b is not one.
//
// NOTE: a key repeated in one object keeps its last value without a
// warning, as encoding/json does. Catching it would need a second pass
// over the tokens.
func parseObject(b []byte) (map[string]any, string) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Sprintf("invalid JSON: %v (after byte %d)", syn, syn.Offset)
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, "invalid JSON: the text ends before the object is complete " +
				"(a truncated line?)"
		}
		return nil, "invalid JSON: " + err.Error()
	}
	if off := d.InputOffset(); off < int64(len(b)) {
		return nil, fmt.Sprintf("invalid JSON: unexpected text after the object, at byte %d",
			off+1)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "a JSON " + jsonKind(v) + ", not an object"
	}
	return obj, ""
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// checkStrings finds a key or string value that contains a NUL or U+FFFD,
// which decoding produced from invalid bytes or which the file held
// already. It returns the dotted path of the first one, in sorted key
// order, and the reason.
func checkStrings(obj map[string]any, text []byte, valid bool, dec *textDecoder) (string, string) {
	// Without a non-ASCII byte or an escape, neither character can occur.
	if valid && isASCII(text) && !bytes.Contains(text, []byte(`\u`)) {
		return "", ""
	}
	path, bad := findBadString(obj, "")
	switch {
	case path == "" && !valid:
		return "", dec.invalidReason()
	case path == "":
		return "", ""
	case bad == 0:
		return path, "contains a NUL character"
	case !valid:
		return path, dec.invalidReason()
	}
	return path, dec.replacementReason()
}

// findBadString walks v and returns the path and the character (NUL or
// U+FFFD) of the first string or key that contains either.
func findBadString(v any, path string) (string, rune) {
	switch v := v.(type) {
	case string:
		if i := strings.IndexAny(v, "\x00\uFFFD"); i >= 0 {
			if v[i] == 0 {
				return path, 0
			}
			return path, '\uFFFD'
		}
	case []any:
		for i, e := range v {
			if p, r := findBadString(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, r
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := joinPath(path, k)
			if pk, r := findBadString(k, p); pk != "" {
				return pk, r
			}
			if pv, r := findBadString(v[k], p); pv != "" {
				return pv, r
			}
		}
	}
	return "", -1
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// trimJSONSpace removes JSON white space around b.
func trimJSONSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}

// keyUnion collects the flattened keys of several objects in the order
// first seen.
type keyUnion struct {
	keys   []string
	folded map[string]bool // keys of earlier objects, ASCII lower case
}

func newKeyUnion() *keyUnion {
	return &keyUnion{folded: map[string]bool{}}
}

// add adds the keys of the JSON object in b. Within one object, keys that
// differ only in case are all kept, because they are distinct there.
func (u *keyUnion) add(b []byte) {
	n := len(u.keys)
	for _, k := range flattenKeys(b) {
		if !u.folded[asciiLower(k)] {
			u.keys = append(u.keys, k)
		}
	}
	for _, k := range u.keys[n:] {
		u.folded[asciiLower(k)] = true
	}
}

// flattenKeys returns the keys of the JSON object in b in document order,
// with nested objects flattened to dotted paths. An empty nested object
// contributes its own key, and an array is one key.
func flattenKeys(b []byte) []string {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}

	var object func(prefix string) error
	object = func(prefix string) error {
		for d.More() {
			t, err := d.Token()
			if err != nil {
				return err
			}
			key := joinPath(prefix, fmt.Sprint(t))
			v, err := d.Token()
			if err != nil {
				return err
			}
			switch v {
			case json.Delim('{'):
				n := len(keys)
				if err := object(key); err != nil {
					return err
				}
				if len(keys) == n {
					add(key)
				}
			case json.Delim('['):
				if err := skipArray(d); err != nil {
					return err
				}
				add(key)
			default:
				add(key)
			}
		}
		_, err := d.Token()
		return err
	}
	object("")
	return keys
}

// skipArray consumes tokens up to the end of the array just opened.
func skipArray(d *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// Lookup returns the value at path in obj. It tries path as a key first,
// then as a dotted path into nested objects, so that "contact.email" finds
// {"contact": {"email": ...}} as well as {"contact.email": ...}.
//
// When obj has no such exact path, Lookup tries again with each key
// compared ignoring ASCII letter case, so that "contact.email" also finds
// {"Contact": {"EMAIL": ...}}. Other letters must match exactly: "é"
// does not find "É". When several keys match one step of the path, they
// are tried in byte order, so that the result does not depend on the
// order of the map.
func Lookup(obj map[string]any, path string) (any, bool) {
	if v, ok := lookupExact(obj, path); ok {
		return v, true
	}
	return lookupFold(obj, path)
}

func lookupExact(obj map[string]any, path string) (any, bool) {
	if v, ok := obj[path]; ok {
		return v, true
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		if sub, ok := obj[path[:i]].(map[string]any); ok {
			if v, ok := lookupExact(sub, path[i+1:]); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// lookupFold is lookupExact with keys compared ignoring ASCII case.
func lookupFold(obj map[string]any, path string) (any, bool) {
	if keys := foldMatches(obj, path); keys != nil {
		return obj[keys[0]], true
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		for _, k := range foldMatches(obj, path[:i]) {
			if sub, ok := obj[k].(map[string]any); ok {
				if v, ok := lookupFold(sub, path[i+1:]); ok {
					return v, true
				}
			}
		}
	}
	return nil, false
}

// foldMatches returns the keys of obj equal to key ignoring ASCII case,
// in byte order, or nil.
func foldMatches(obj map[string]any, key string) []string {
	var keys []string
	for k := range obj {
		if asciiEqualFold(k, key) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// asciiEqualFold reports whether a and b are equal when ASCII letters are
// compared ignoring case.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if asciiLowerByte(a[i]) != asciiLowerByte(b[i]) {
			return false
		}
	}
	return true
}

// asciiLower returns s with ASCII letters in lower case.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = asciiLowerByte(c)
	}
	return string(b)
}

func asciiLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lineCounter passes reads through and keeps the bytes that the JSON
// decoder has read but lineAt has not yet counted, to turn offsets into
// line numbers without keeping the whole file.
type lineCounter struct {
	src       io.Reader
	uncounted []byte // bytes from offset base on
	base      int64
	line      int // line number at base
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.src.Read(p)
	c.uncounted = append(c.uncounted, p[:n]...)
	return n, err
}

// lineAt returns the line of byte offset off. Offsets must not decrease
// from call to call.
func (c *lineCounter) lineAt(off int64) int {
	n := int(off - c.base)
	if n <= 0 {
		return c.line
	}
	n = min(n, len(c.uncounted))
	b := c.uncounted[:n]
	ends := bytes.Count(b, []byte{'\n'})
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		if i+1 >= len(c.uncounted) || c.uncounted[i+1] != '\n' {
			ends++
		}
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			break
		}
		i += j + 1
	}
	c.line += ends
	c.base += int64(n)
	c.uncounted = append(c.uncounted[:0], c.uncounted[n:]...)
	return c.line
}
