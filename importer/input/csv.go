package input

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// csvReader reads RFC 4180 CSV with the leniencies that exports need.
//
// Quoting: a field whose first character other than spaces and tabs is a
// quote is quoted. It may contain delimiters, doubled quotes and line
// breaks, which are kept as written (CRLF included). Spaces or tabs between
// the closing quote and the next delimiter are dropped. A quote inside an
// unquoted field is kept as text.
//
// Malformed quotes: a quoted field followed by other text, or still open at
// the end of the file or at MaxRecordBytes, makes its record invalid, and
// that record covers only its first physical line. When the field had run
// over several lines, the most likely cause is a quote that was never
// closed and that paired with a quote on a later line, so reading resumes
// on the line after the record's first line rather than after the point of
// failure. The lines so read again are suspect: a record among them whose
// fields contain a quote is invalid too, because it may be the tail of the
// broken field rather than a record of its own. A quote never closed thus
// costs one pass over at most MaxRecordBytes of the lines after it, which
// stay in the buffer until the rewind.
type csvReader struct {
	name   string
	st     *stream
	lines  *lineScanner
	text   *textDecoder
	delim  byte
	header []string
	info   Info
	closer io.Closer
	seq    int
	failed error // the first whole-file error, returned again by Next

	fields []byte // unquoted field contents of the record, back to back
	ends   []int  // end of each field in fields

	// Records starting on lines up to suspectUntil were read again after
	// the malformed quoted field that started on suspectFrom.
	suspectFrom, suspectUntil int
}

// scanned is the outcome of parsing one record's lines.
type scanned struct {
	line      int    // first physical line
	blankLine bool   // the line was empty
	tooLong   bool   // the record passed the size limit and was skipped
	quote     bool   // an unquoted field contains a quote
	bad       string // reason the quoting is malformed
	resumed   bool   // reading went back to the line after the first
	badField  int    // index of the field with the malformed quote
	firstLine []byte // the first line's content, set when bad is set
}

func newCSVReader(name string, st *stream, opts Options) (*csvReader, error) {
	c := &csvReader{
		name:  name,
		st:    st,
		lines: newLineScanner(st.r, opts.MaxRecordBytes),
		text:  st.text,
		info:  Info{Format: "csv"},
	}
	delim, err := c.findDelimiter(byte(opts.Delimiter))
	if err != nil {
		return nil, err
	}
	c.delim = delim
	if err := c.readHeader(); err != nil {
		return nil, err
	}
	return c, nil
}

// findDelimiter skips blank lines before the header and returns the
// explicit delimiter, or else the one detected from the header line. A
// file without a line that is not blank is a *FileError.
func (c *csvReader) findDelimiter(explicit byte) (byte, error) {
	s := c.lines
	for {
		s.begin()
		lo, hi, _, err := s.nextLine()
		switch err {
		case nil:
		case io.EOF:
			return 0, c.fileError(0, "the file is empty: it has no header line")
		case errLineTooLong:
			return 0, c.fileError(s.line, fmt.Sprintf("the header line is longer than the "+
				"record size limit of %d bytes; check that the file is CSV", s.max))
		default:
			return 0, c.readError(err)
		}
		head := s.bytesAt(lo, hi)
		if len(bytes.TrimSpace(head)) == 0 {
			continue
		}
		s.rewind(0, s.line)
		if explicit != 0 {
			return explicit, nil
		}
		return detectDelimiter(c, head)
	}
}

// detectDelimiter picks the most frequent of , ; TAB | outside quotes in
// the header line. A tie is an error, because either choice could split the
// columns wrongly.
func detectDelimiter(c *csvReader, head []byte) (byte, error) {
	candidates := []byte{',', ';', '\t', '|'}
	var counts [4]int
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if i := bytes.IndexByte(candidates, b); i >= 0 {
			counts[i]++
		}
	}

	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	if counts[best] == 0 {
		c.info.Warnings = append(c.info.Warnings, "no delimiter found in the header "+
			"(, ; TAB |); reading one column per line")
		return ',', nil
	}
	for i := range counts {
		if i != best && counts[i] == counts[best] {
			return 0, c.fileError(c.lines.line+1, fmt.Sprintf("cannot tell the delimiter: "+
				"the header has %d %q and %d %q; pass --delimiter %s or --delimiter %s",
				counts[best], candidates[best], counts[i], candidates[i],
				delimiterFlag(candidates[best]), delimiterFlag(candidates[i])))
		}
	}
	return candidates[best], nil
}

// delimiterFlag returns the value of the --delimiter flag of corimport
// for d, quoted for a POSIX shell where the shell would interpret it.
func delimiterFlag(d byte) string {
	switch d {
	case '\t':
		return "tab"
	case ';', '|':
		return "'" + string(d) + "'"
	}
	return string(d)
}

// readHeader reads the header record and settles the column names.
func (c *csvReader) readHeader() error {
	c.info.Delimiter = rune(c.delim)
	sc, err := c.scan()
	if err != nil {
		return err
	}
	switch {
	case sc.tooLong:
		return c.fileError(sc.line, fmt.Sprintf("the header is longer than the record "+
			"size limit of %d bytes; check that the file is CSV", c.lines.max))
	case sc.bad != "":
		return c.fileError(sc.line, "the header "+sc.bad+"; fix the quotes in the header")
	}
	names, prob := c.text.cells(c.fields, c.ends, c.lines.rest(), sc.line)
	if prob.index >= 0 {
		return c.fileError(sc.line, fmt.Sprintf("header column %d %s", prob.index+1, prob.reason))
	}

	var unnamed []string
	for i, n := range names {
		names[i] = strings.TrimFunc(n, isSpaceOrBOM)
		if names[i] == "" {
			unnamed = append(unnamed, fmt.Sprint(i+1))
		}
	}
	if len(unnamed) == len(names) {
		return c.fileError(sc.line, "the header line has no column names; the first "+
			"line that is not blank must name the columns")
	}
	if len(unnamed) > 0 {
		c.info.Warnings = append(c.info.Warnings, fmt.Sprintf("header column %s has no name",
			strings.Join(unnamed, ", ")))
	}
	c.header = names
	return nil
}

// isSpaceOrBOM reports white space, including U+00A0, and stray
// byte-order marks, which header names should not keep.
func isSpaceOrBOM(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Info() Info {
	info := c.info
	info.Encoding, info.Guessed = c.text.name, c.text.guessed
	info.Warnings = append([]string(nil), c.info.Warnings...)
	if c.text.warning != "" {
		info.Warnings = append(info.Warnings, c.text.warning)
	}
	return info
}

func (c *csvReader) setCloser(cl io.Closer) { c.closer = cl }

func (c *csvReader) Close() error {
	err := c.st.close()
	if c.closer != nil {
		if cerr := c.closer.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// readError wraps a read error met after the last complete line.
func (c *csvReader) readError(err error) *FileError {
	e := readError(c.name, err)
	e.Line = c.lines.line + 1
	return e
}

func (c *csvReader) fileError(line int, reason string) *FileError {
	return &FileError{File: c.name, Line: line, Reason: reason}
}

func (c *csvReader) Next() (*Record, error) {
	if c.failed != nil {
		return nil, c.failed
	}
	sc, err := c.scan()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		c.failed = err
		return nil, err
	}

	c.seq++
	rec := &Record{File: c.name, Line: sc.line, Seq: c.seq}
	switch {
	case sc.tooLong:
		rec.Err = c.recordError(rec, -1, fmt.Sprintf("the record is longer than the limit "+
			"of %d bytes", c.lines.max))
	case sc.blankLine:
		rec.Blank = true
	case sc.bad != "":
		text, _ := c.text.text(sc.firstLine, c.lines.rest(), sc.line)
		rec.Text = bytes.Clone(text)
		reason := sc.bad
		if sc.resumed {
			reason += "; reading resumes on the next line"
		}
		rec.Err = c.recordError(rec, sc.badField, reason)
	default:
		c.check(rec, sc)
	}
	return rec, nil
}

// check decodes the fields of a well-formed record and validates them.
func (c *csvReader) check(rec *Record, sc scanned) {
	fields, prob := c.text.cells(c.fields, c.ends, c.lines.rest(), sc.line)
	rec.Fields = fields
	if allBlank(fields) {
		rec.Blank = true
		return
	}

	// Excel pads rows with empty fields past the last column.
	if n := len(c.header); len(fields) > n && allBlank(fields[n:]) {
		rec.Fields = fields[:n]
		if prob.index >= n {
			prob.index = -1
		}
	}

	switch {
	case len(rec.Fields) != len(c.header):
		rec.Fields = fields
		rec.Err = c.recordError(rec, -1, fmt.Sprintf("the record has %d fields but the "+
			"header has %d", len(fields), len(c.header)))
	case prob.index >= 0:
		rec.Err = c.recordError(rec, prob.index, prob.reason)
	case sc.quote && sc.line <= c.suspectUntil:
		rec.Err = c.recordError(rec, -1, fmt.Sprintf("the record contains a quote and follows "+
			"the quoted field left open on line %d, so it may be part of that field; "+
			"check both lines", c.suspectFrom))
	}
}

// recordError builds the error for rec, naming the field at index if it
// is not -1.
func (c *csvReader) recordError(rec *Record, index int, reason string) *RecordError {
	e := &RecordError{File: c.name, Line: rec.Line, Reason: reason}
	if index >= 0 {
		e.Column = fmt.Sprintf("#%d", index+1)
		if index < len(c.header) && c.header[index] != "" {
			e.Column = c.header[index]
		}
	}
	return e
}

// allBlank reports whether every field is empty or white space.
func allBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimFunc(f, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

// scan parses the next record into c.fields and c.ends. It returns io.EOF
// at the end and a *FileError if the input cannot be read.
func (c *csvReader) scan() (scanned, error) {
	s := c.lines
	s.begin()
	lo, hi, term, err := s.nextLine()
	sc := scanned{line: s.line, badField: -1}
	switch err {
	case nil:
	case errLineTooLong:
		sc.tooLong = true
		return sc, nil
	case io.EOF:
		return sc, io.EOF
	default:
		return sc, c.readError(err)
	}
	if hi == lo {
		sc.blankLine = true
		return sc, nil
	}

	c.fields, c.ends = c.fields[:0], c.ends[:0]
	firstHi, firstEnd := hi, hi+term
	line := s.bytesAt(lo, hi)
	if bytes.IndexByte(line, '"') < 0 {
		c.splitPlain(line)
		return sc, nil
	}

	for i := 0; ; {
		j := skipBlanks(line, i, c.delim)
		if j == len(line) || line[j] != '"' {
			field := line[i:]
			d := bytes.IndexByte(field, c.delim)
			if d >= 0 {
				field = field[:d]
			}
			sc.quote = sc.quote || bytes.IndexByte(field, '"') >= 0
			c.fields = append(c.fields, field...)
			c.ends = append(c.ends, len(c.fields))
			if d < 0 {
				return sc, nil
			}
			i += d + 1
			continue
		}

		// Quoted field: copy up to the closing quote, across lines.
		i = j + 1
		for {
			q := bytes.IndexByte(line[i:], '"')
			if q < 0 {
				c.fields = append(c.fields, line[i:]...)
				c.fields = append(c.fields, s.bytesAt(hi, hi+term)...)
				if term == 0 {
					return c.malformed(sc, badEOF, firstHi, firstEnd), nil
				}
				lo, hi, term, err = s.nextLine()
				switch err {
				case nil:
				case io.EOF:
					return c.malformed(sc, badEOF, firstHi, firstEnd), nil
				case errRecordTooLong:
					return c.malformed(sc, badTooLong, firstHi, firstEnd), nil
				default:
					return sc, c.readError(err)
				}
				line, i = s.bytesAt(lo, hi), 0
				continue
			}
			c.fields = append(c.fields, line[i:i+q]...)
			i += q + 1
			if i < len(line) && line[i] == '"' {
				c.fields = append(c.fields, '"')
				i++
				continue
			}
			break
		}

		// After the closing quote only blanks may come before the delimiter.
		k := skipBlanks(line, i, c.delim)
		switch {
		case k == len(line):
			c.ends = append(c.ends, len(c.fields))
			return sc, nil
		case line[k] == c.delim:
			c.ends = append(c.ends, len(c.fields))
			i = k + 1
		default:
			return c.malformed(sc, badText, firstHi, firstEnd), nil
		}
	}
}

// splitPlain splits a line without quotes at the delimiter.
func (c *csvReader) splitPlain(line []byte) {
	for {
		d := bytes.IndexByte(line, c.delim)
		if d < 0 {
			c.fields = append(c.fields, line...)
			c.ends = append(c.ends, len(c.fields))
			return
		}
		c.fields = append(c.fields, line[:d]...)
		c.ends = append(c.ends, len(c.fields))
		line = line[d+1:]
	}
}

// skipBlanks returns the index of the first byte from i on that is not a
// space or tab, unless that blank is the delimiter.
func skipBlanks(line []byte, i int, delim byte) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') && line[i] != delim {
		i++
	}
	return i
}

// Kinds of malformed quoted fields.
const (
	badText    = iota // text after the closing quote
	badEOF            // still open at the end of the file
	badTooLong        // still open at the size limit
)

// malformed marks sc as a malformed record in the field being parsed. If
// the record had run past its first line, it rewinds the scanner to the
// second line and marks the lines read so far as suspect.
func (c *csvReader) malformed(sc scanned, kind, firstHi, firstEnd int) scanned {
	s := c.lines
	sc.badField = len(c.ends)
	sc.firstLine = s.bytesAt(0, firstHi)
	last := s.line
	multi := last > sc.line || kind == badTooLong

	switch {
	case kind == badText && !multi:
		sc.bad = "has text after the closing quote of a quoted field " +
			"(a quote inside a quoted field must be doubled)"
	case kind == badText:
		sc.bad = fmt.Sprintf("opens a quoted field that is not closed properly "+
			"(text follows the quote that closes it on line %d)", last)
	case kind == badEOF:
		sc.bad = "opens a quoted field that is not closed before the end of the file"
	default:
		sc.bad = fmt.Sprintf("opens a quoted field that is still open after %d bytes",
			c.lines.max)
	}

	if multi {
		s.rewind(firstEnd, sc.line+1)
		c.suspectFrom = sc.line
		c.suspectUntil = max(c.suspectUntil, last)
		sc.resumed = true
	}
	return sc
}
