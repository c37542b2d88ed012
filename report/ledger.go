package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Row is one row of results.csv, with formula neutralisation removed. The
// csv tags name the columns, so gocsv can decode results.csv into Rows;
// gocsv then keeps the neutralised text, while ReadResults removes it.
type Row struct {
	File       string     `csv:"file"`
	Line       int        `csv:"line"`
	ExternalID string     `csv:"external_id"`
	Name       string     `csv:"name"`
	Status     Status     `csv:"status"`
	CORID      int64      `csv:"cor_id"`
	HTTPStatus int        `csv:"http_status"`
	ErrorCode  string     `csv:"error_code"`
	Message    string     `csv:"message"`
	Attempts   int        `csv:"attempts"`
	Hash       RecordHash `csv:"record_hash"`
}

// RecordHash is Outcome.Hash as results.csv writes it: 16 lower-case hex
// digits.
type RecordHash uint64

// MarshalCSV returns h as 16 hex digits.
func (h RecordHash) MarshalCSV() (string, error) {
	return string(appendHash(nil, uint64(h))), nil
}

// UnmarshalCSV parses 16 hex digits.
func (h *RecordHash) UnmarshalCSV(s string) error {
	v, ok := parseHash([]byte(s))
	if !ok {
		return fmt.Errorf("record hash %q is not 16 hex digits", s)
	}
	*h = RecordHash(v)
	return nil
}

// LedgerError is a damaged row or header in a file the report wrote and
// reads back: results.csv, rejected.journal or sending.log.
type LedgerError struct {
	Line   int // physical line where the row starts
	Reason string
}

func (e *LedgerError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// ReadResults reads results.csv from r and calls fn for each row, in file
// order. fn must not keep row after it returns.
//
// A last row cut short (the process was killed in the middle of a write)
// is ignored. Any other damage, a header that is not results.csv's, and
// errors from fn stop the read; damage is reported as a *LedgerError.
func ReadResults(r io.Reader, fn func(row *Row) error) error {
	s := newRowScanner(r)
	if err := checkHeader(s, resultsHeader); err != nil {
		return err
	}
	var row Row
	for {
		err := s.scan()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := decodeResultsRow(s, &row); err != nil {
			if s.partial {
				return nil // torn by a kill in the middle of a write
			}
			return err
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
}

// checkHeader reads the first row of s and checks that it is want. An
// empty input, or a first line cut short before its end, counts as a
// header with no rows after it.
func checkHeader(s *rowScanner, want string) error {
	err := s.scan()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.partial && len(s.raw) < len(want) && want[:len(s.raw)] == string(s.raw) {
		return nil
	}
	if string(s.raw) != want {
		return &LedgerError{Line: 1, Reason: fmt.Sprintf("header is %q, want %q: "+
			"this is not a results file written by corimport",
			trimRow(s.raw), want[:len(want)-1])}
	}
	return nil
}

// resultsView is the part of a results.csv row that merges and resume
// need. Its slices point into a rowScanner and live until the next scan.
type resultsView struct {
	file       []byte
	line       int
	externalID []byte
	status     Status
	hash       uint64
}

// viewResultsRow checks the current row of s and removes the formula
// prefix from every cell.
func viewResultsRow(s *rowScanner) (resultsView, error) {
	if err := s.split(); err != nil {
		return resultsView{}, &LedgerError{Line: s.line, Reason: err.Error()}
	}
	c := s.cells
	if len(c) != resultsColumns {
		return resultsView{}, &LedgerError{Line: s.line, Reason: fmt.Sprintf(
			"row has %d cells, want %d", len(c), resultsColumns)}
	}
	for i := range c {
		c[i] = unprefix(c[i])
	}
	for _, col := range [...]struct {
		index     int
		emptyZero bool
		name      string
	}{{1, false, "line"}, {5, true, "cor_id"}, {6, true, "http_status"}, {9, false, "attempts"}} {
		if _, ok := parseInt(c[col.index], col.emptyZero); !ok {
			return resultsView{}, &LedgerError{Line: s.line,
				Reason: fmt.Sprintf("column %s is not an integer: %q", col.name, c[col.index])}
		}
	}
	line, _ := parseInt(c[1], false)
	hash, ok := parseHash(c[10])
	if !ok {
		return resultsView{}, &LedgerError{Line: s.line,
			Reason: fmt.Sprintf("column record_hash is not 16 hex digits: %q", c[10])}
	}
	status := parseStatus(c[4])
	if status == "" {
		return resultsView{}, &LedgerError{Line: s.line,
			Reason: fmt.Sprintf("unknown status %q", c[4])}
	}
	return resultsView{file: c[0], line: int(line), externalID: c[2], status: status, hash: hash}, nil
}

// decodeResultsRow parses the current row of s into row.
func decodeResultsRow(s *rowScanner, row *Row) error {
	v, err := viewResultsRow(s)
	if err != nil {
		return err
	}
	c := s.cells
	corID, _ := parseInt(c[5], true)
	httpStatus, _ := parseInt(c[6], true)
	attempts, _ := parseInt(c[9], false)
	*row = Row{
		File: string(v.file), Line: v.line, ExternalID: string(v.externalID),
		Name: string(c[3]), Status: v.status, CORID: corID, HTTPStatus: int(httpStatus),
		ErrorCode: string(c[7]), Message: string(c[8]), Attempts: int(attempts),
		Hash: RecordHash(v.hash),
	}
	return nil
}

// unprefix removes the formula prefix that appendCell adds.
func unprefix(cell []byte) []byte {
	if len(cell) > 0 && cell[0] == formulaPrefix {
		return cell[1:]
	}
	return cell
}

// parseInt parses a decimal integer cell. An empty cell is 0 when
// emptyZero is set and invalid otherwise.
func parseInt(cell []byte, emptyZero bool) (int64, bool) {
	if len(cell) == 0 {
		return 0, emptyZero
	}
	n, err := strconv.ParseInt(string(cell), 10, 64)
	return n, err == nil
}

// parseHash parses exactly 16 hex digits. The fixed width also catches a
// row cut short inside its last cell.
func parseHash(cell []byte) (uint64, bool) {
	if len(cell) != 16 {
		return 0, false
	}
	var h uint64
	for _, c := range cell {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		h = h<<4 | uint64(d)
	}
	return h, true
}

// trimRow returns a row without its line ending, cut to a length that
// fits in an error message.
func trimRow(raw []byte) string {
	raw = bytes.TrimRight(raw, "\r\n")
	if len(raw) > 120 {
		return string(raw[:120]) + "..."
	}
	return string(raw)
}

// parseStatus returns the status named by b, or "" for an unknown name.
// It does not allocate.
func parseStatus[T string | []byte | Status](b T) Status {
	for _, s := range [...]Status{Created, Duplicate, Invalid, Failed, Skipped, Valid, Unprocessed} {
		if string(b) == string(s) {
			return s
		}
	}
	return ""
}

// final reports whether a record with this status is skipped by a resumed
// run. Failed and unprocessed records are retried. Valid is not final
// either: it comes from a dry run, in which nothing was sent, and a dry
// run re-validates a record at no cost.
func (s Status) final() bool {
	switch s {
	case Created, Duplicate, Invalid, Skipped:
		return true
	}
	return false
}
