package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The rejected files hold the invalid and failed records with their
// original values, ready to be fixed and imported again:
//
//   - CSV records go to rejected.csv. Its header is an error column
//     followed by the input's header. Each row is the reason followed by
//     the record's cells exactly as read, with neither padding nor
//     truncation, so deleting the first column gives back the input's
//     cells. A later input file whose header differs gets its own file,
//     rejected-<input base name>.csv, because its cells would not line up
//     under the first header. The rows are written by encoding/csv, as
//     UTF-8 with commas whatever the input's encoding and delimiter were,
//     and without the formula neutralisation of results.csv, so
//     encoding/csv reads back the same cells. The one exception is a CRLF
//     inside a cell, which encoding/csv reads as LF.
//   - JSONL records go to rejected.jsonl, one original line each. The
//     reason is only in results.csv: adding a key to the object would
//     change the record that is imported again.
//   - A CSV record that could not be split into cells (a malformed quoted
//     field) is written as two cells: the reason and the record's raw
//     text. The file then holds nothing the input did not, and the row
//     opens in a spreadsheet to be fixed.
//
// The rejected files are written at Close from rejected.journal, which
// Write appends to. Each journal row holds a record's location, external
// id and record hash, the rejected file it belongs to and the row itself.
// A resumed run retries failed records, so their old rejected rows must
// go: Close keeps a journal row only when the final results.csv row of
// that record is still invalid or failed with the same id and hash.

// journalHeader is the first line of rejected.journal. A row with an
// empty file names a rejected file and holds its header row.
const journalHeader = "file,line,external_id,record_hash,target,row\n"

// errorColumn is the name of the column put first in rejected CSV files.
const errorColumn = "error"

// targets are the rejected files known to the writer.
type targets struct {
	byHeader map[string]string // header row, or jsonTargetKey, to file name
	header   map[string]string // file name to header row, "" for JSONL
	names    []string          // in the order they were created
}

// jsonTargetKey stands for rejected.jsonl in targets.byHeader. It cannot
// be a CSV header row, which always ends in a line break.
const jsonTargetKey = "jsonl"

func newTargets() *targets {
	return &targets{byHeader: map[string]string{}, header: map[string]string{}}
}

// add records the rejected file name with its header row, or with
// jsonTargetKey for rejected.jsonl.
func (t *targets) add(name, header string) {
	t.byHeader[header] = name
	if header == jsonTargetKey {
		header = ""
	}
	t.header[name] = header
	t.names = append(t.names, name)
}

// newName returns the name of a new rejected file for records of file.
func (t *targets) newName(file string, csv bool) string {
	if !csv {
		return rejectedJSON
	}
	if _, taken := t.header[rejectedCSV]; !taken {
		return rejectedCSV
	}
	base := filepath.Base(file)
	base = strings.TrimSuffix(base, ".gz")
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = unsafeNameChars.ReplaceAllString(base, "_")
	if base == "" || base == "-" || base == "_" {
		base = "stdin"
	}
	name := "rejected-" + base + ".csv"
	for n := 2; ; n++ {
		if _, taken := t.header[name]; !taken {
			return name
		}
		name = fmt.Sprintf("rejected-%s-%d.csv", base, n)
	}
}

// unsafeNameChars are the characters replaced in rejected file names.
var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// targetNamePattern matches the rejected file names that newName makes.
// Names read back from the journal must match it, so that a damaged
// journal cannot make Close write outside the report's own files.
var targetNamePattern = regexp.MustCompile(`^(rejected\.csv|rejected\.jsonl|rejected-[A-Za-z0-9._-]+\.csv)$`)

// keepRejected appends the rejected row of o to the journal buffer.
func (w *Writer) keepRejected(o *Outcome) error {
	isCSV := !o.JSON
	if isCSV && (o.Header == nil || o.Fields == nil && len(o.Text) == 0) || !isCSV && len(o.Text) == 0 {
		return nil // no original values to give back
	}

	if w.journal == nil {
		f, err := openAppend(w.path(journalName), journalHeader)
		if err != nil {
			return fmt.Errorf("open %s: %w", journalName, err)
		}
		w.journal = f
	}

	if w.rows == nil {
		w.rows = newRowEncoder()
	}
	header := jsonTargetKey
	if isCSV {
		b, err := w.rows.encode(targetHeader(o.Header))
		if err != nil {
			return fmt.Errorf("encode rejected header of %s: %w", o.File, err)
		}
		header = string(b)
	}
	name, ok := w.targets.byHeader[header]
	if !ok {
		name = w.targets.newName(o.File, isCSV)
		w.targets.add(name, header)
		w.journalBuf = appendJournalRow(w.journalBuf, "", 0, "", nil, name, []byte(w.targets.header[name]))
	}

	var row []byte
	if isCSV {
		w.rows.cells = rejectedCells(w.rows.cells[:0], o)
		var err error
		if row, err = w.rows.encode(w.rows.cells); err != nil {
			return fmt.Errorf("encode rejected row of %s line %d: %w", o.File, o.Line, err)
		}
	} else {
		row = appendJSONLine(w.scratch[:0], o.Text)
		w.scratch = row
	}
	hash := appendHash(nil, o.Hash)
	w.journalBuf = appendJournalRow(w.journalBuf, o.File, o.Line, o.ExternalID, hash, name, row)
	return nil
}

// targetHeader returns the header of a rejected CSV file: an error
// column, renamed if the input already has one, then the input's header.
func targetHeader(header []string) []string {
	name := errorColumn
	for slices.ContainsFunc(header, func(h string) bool { return strings.EqualFold(h, name) }) {
		name = "corimport_" + name
	}
	return append([]string{name}, header...)
}

// rejectedCells appends the cells of the rejected CSV row of o to dst:
// the reason, then the record's cells as read, or its raw text as one
// cell when it could not be split into cells.
func rejectedCells(dst []string, o *Outcome) []string {
	dst = append(dst, reason(o))
	if o.Fields == nil {
		return append(dst, string(bytes.TrimRight(o.Text, "\r\n")))
	}
	return append(dst, o.Fields...)
}

// rowEncoder encodes rows of the rejected CSV files with encoding/csv.
// It is not safe for concurrent use.
type rowEncoder struct {
	buf   bytes.Buffer
	w     *csv.Writer
	cells []string // scratch for rejectedCells
}

func newRowEncoder() *rowEncoder {
	e := &rowEncoder{}
	e.w = csv.NewWriter(&e.buf)
	return e
}

// encode returns cells as one CSV row ending in "\n". The row is valid
// until the next call.
func (e *rowEncoder) encode(cells []string) ([]byte, error) {
	e.buf.Reset()
	if err := e.w.Write(cells); err != nil {
		return nil, err
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// reason returns the text of the error column.
func reason(o *Outcome) string {
	switch {
	case o.ErrorCode != "" && o.Message != "":
		return o.ErrorCode + ": " + o.Message
	case o.ErrorCode != "":
		return o.ErrorCode
	case o.Message != "":
		return o.Message
	}
	return string(o.Status)
}

// appendJSONLine appends a JSONL record as one line. A record that spans
// lines (an element of a JSON array input) is compacted, which changes
// white space only.
//
// NOTE: a record that spans lines and is not valid JSON is written as it
// is, so it spans lines in rejected.jsonl too.
func appendJSONLine(dst []byte, text []byte) []byte {
	text = bytes.TrimRight(text, "\r\n")
	if bytes.ContainsAny(text, "\r\n") && json.Valid(text) {
		var b bytes.Buffer
		if json.Compact(&b, text) == nil {
			text = b.Bytes()
		}
	}
	dst = append(dst, text...)
	return append(dst, '\n')
}

// appendJournalRow appends one row of rejected.journal.
func appendJournalRow(dst []byte, file string, line int, externalID string, hash []byte,
	target string, row []byte) []byte {
	dst = appendCell(dst, file, false)
	dst = append(dst, ',')
	dst = appendInt(dst, int64(line), false)
	dst = append(dst, ',')
	dst = appendCell(dst, externalID, false)
	dst = append(dst, ',')
	dst = append(dst, hash...)
	dst = append(dst, ',')
	dst = appendCell(dst, target, false)
	dst = append(dst, ',')
	dst = appendCell(dst, row, false)
	return append(dst, '\n')
}

// journalView is one row of rejected.journal. Its slices live until the
// next scan.
type journalView struct {
	file       []byte // empty for a row naming a rejected file
	line       int
	externalID []byte
	hash       uint64
	target     string
	row        []byte
}

// viewJournalRow checks the current row of s.
func viewJournalRow(s *rowScanner) (journalView, error) {
	bad := func(reason string) (journalView, error) {
		return journalView{}, &LedgerError{Line: s.line, Reason: reason}
	}
	if err := s.split(); err != nil {
		return bad(err.Error())
	}
	c := s.cells
	if len(c) != 6 {
		return bad(fmt.Sprintf("row has %d cells, want 6", len(c)))
	}

	v := journalView{file: c[0], externalID: c[2], target: string(c[4]), row: c[5]}
	if !targetNamePattern.MatchString(v.target) {
		return bad(fmt.Sprintf("invalid rejected file name %q", v.target))
	}
	if len(v.file) == 0 {
		if len(v.row) > 0 && v.row[len(v.row)-1] != '\n' {
			return bad("header row does not end with a line break")
		}
		return v, nil
	}

	line, ok := parseInt(c[1], false)
	if !ok || line < 1 {
		return bad(fmt.Sprintf("invalid line %q", c[1]))
	}
	v.line = int(line)
	if v.hash, ok = parseHash(c[3]); !ok {
		return bad(fmt.Sprintf("invalid record hash %q", c[3]))
	}
	if len(v.row) == 0 || v.row[len(v.row)-1] != '\n' {
		return bad("rejected row does not end with a line break")
	}
	return v, nil
}

// journalKey is the rowKeyFunc of rejected.journal.
func (w *Writer) journalKey(s *rowScanner) (orderKey, bool, error) {
	v, err := viewJournalRow(s)
	if err != nil || len(v.file) == 0 {
		return orderKey{}, false, err
	}
	return orderKey{file: w.fileIndexBytes(v.file), line: v.line}, true, nil
}

// resumeJournal reads the rejected file names back from the journal and
// cuts off a torn last row, so that appended rows start on a line of
// their own.
func (w *Writer) resumeJournal() error {
	path := w.path(journalName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", journalName, err)
	}
	defer f.Close()

	s := newRowScanner(f)
	if err := checkHeader(s, journalHeader); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	end := s.read
	if s.partial {
		end = 0 // the header itself was cut short
	}
	for {
		err := s.scan()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		v, err := viewJournalRow(s)
		if err != nil && s.partial {
			break // torn by a kill in the middle of a write
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if len(v.file) == 0 {
			if _, known := w.targets.header[v.target]; !known {
				header := string(v.row)
				if v.target == rejectedJSON {
					header = jsonTargetKey
				}
				w.targets.add(v.target, header)
			}
		}
		end = s.read
		if s.partial {
			break // whole, but without its line break: cut it off too
		}
	}
	if err := os.Truncate(path, end); err != nil {
		return fmt.Errorf("cut torn row off %s: %w", journalName, err)
	}
	return nil
}

// writeRejected writes every rejected file from the journal, in input
// order, and returns their names. rejected.csv is always written, empty
// when no CSV record was rejected. With check set, a journal row is kept
// only if results.csv still reports its record as invalid or failed.
func (w *Writer) writeRejected(check bool) ([]string, error) {
	names := slices.Clone(w.targets.names)
	if !slices.Contains(names, rejectedCSV) {
		names = append(names, rejectedCSV)
	}
	outs := make(map[string]*pending, len(names))
	discard := func() {
		for _, p := range outs {
			p.discard()
		}
	}
	for _, name := range names {
		p, err := createPending(w.dir, name)
		if err != nil {
			discard()
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
		outs[name] = p
		if _, err := p.w.WriteString(w.targets.header[name]); err != nil {
			discard()
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	}

	if err := w.copyJournal(outs, check); err != nil {
		discard()
		return nil, err
	}
	var errs []error
	for _, name := range names {
		errs = append(errs, outs[name].commit())
	}
	slices.Sort(names)
	return names, errors.Join(errs...)
}

// copyJournal merges the journal's rows into the rejected files.
func (w *Writer) copyJournal(outs map[string]*pending, check bool) error {
	path := w.path(journalName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", journalName, err)
	}
	defer f.Close()
	s := newRowScanner(f)
	if err := checkHeader(s, journalHeader); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	secs, _, _, err := scanSections(s, w.journalKey)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}

	var results *resultsCursor
	if check {
		rf, err := os.Open(w.path(resultsName))
		if err != nil {
			return fmt.Errorf("open results file: %w", err)
		}
		defer rf.Close()
		results = &resultsCursor{s: newRowScanner(rf), w: w}
		if err := results.start(); err != nil {
			return fmt.Errorf("read %s: %w", w.path(resultsName), err)
		}
	}

	err = w.mergeFile(f, secs, w.journalKey, func(raw []byte) error {
		w.view.load(raw)
		v, err := viewJournalRow(&w.view)
		if err != nil {
			return err
		}
		if results != nil {
			keep, err := results.rejects(w, v)
			if err != nil || !keep {
				return err
			}
		}
		out, ok := outs[v.target]
		if !ok {
			return fmt.Errorf("%s line %d: rejected file %q is not named before its rows",
				journalName, w.view.line, v.target)
		}
		_, err = out.w.Write(v.row)
		return err
	})
	if err != nil {
		return fmt.Errorf("write rejected files from %s: %w", path, err)
	}
	return nil
}

// resultsCursor walks results.csv, in input order, alongside the journal.
type resultsCursor struct {
	s   *rowScanner
	w   *Writer
	v   resultsView
	key orderKey
	ok  bool // v and key hold a row
}

func (c *resultsCursor) start() error {
	if err := checkHeader(c.s, resultsHeader); err != nil {
		return err
	}
	return c.next()
}

func (c *resultsCursor) next() error {
	c.ok = false
	err := c.s.scan()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.v, err = viewResultsRow(c.s); err != nil {
		return err
	}
	c.key = orderKey{file: c.w.fileIndexBytes(c.v.file), line: c.v.line}
	c.ok = true
	return nil
}

// rejects reports whether the results row of the journal row j is invalid
// or failed, for the same record.
func (c *resultsCursor) rejects(w *Writer, j journalView) (bool, error) {
	k := orderKey{file: w.fileIndexBytes(j.file), line: j.line}
	for c.ok && c.key.less(k) {
		if err := c.next(); err != nil {
			return false, err
		}
	}
	if !c.ok || c.key != k {
		return false, nil
	}
	st := c.v.status
	return (st == Invalid || st == Failed) && c.v.hash == j.hash &&
		bytes.Equal(c.v.externalID, j.externalID), nil
}
