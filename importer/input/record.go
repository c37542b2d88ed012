// Package input reads CSV and JSONL exports as streams of records.
//
// Open detects compression, encoding and format and returns a Reader: CSV
// (delimiter detected from the header), JSON Lines, or a file that is one
// JSON array. A Reader never holds a whole file in memory and never stops
// on a bad record: a record it cannot make sense of carries a RecordError
// and reading goes on. Only a problem with the whole file (one that cannot
// be opened, decoded or given a header) is returned from Open or Next, as
// a *FileError. Duplicate header names are returned as they are, for the
// mapping to judge.
package input

import "fmt"

// Record is one record of an input file, in the reader's order.
//
// For CSV, Fields holds the cells in header order, exactly as written after
// decoding (not trimmed). For JSONL, Object holds the decoded object, with
// numbers as json.Number so that they keep their exact text, and Text holds
// the line as read.
type Record struct {
	File string // file name as given on the command line, "-" for stdin
	Line int    // 1-based physical line where the record starts
	Seq  int    // 1-based position of the record within its file

	Fields []string       // CSV cells, aligned with Reader.Header
	Object map[string]any // JSONL object; nil for CSV
	Text   []byte         // JSONL line, or raw text of a malformed CSV record

	// Blank is set for blank lines and rows whose fields are all empty.
	// Such records are reported as skipped.
	Blank bool

	// Err is set when the record could not be read; it is a *RecordError.
	Err error
}

// RecordError is a problem with one record that does not stop the file.
type RecordError struct {
	File   string
	Line   int
	Column string // column name or JSON key, if the problem is in one field
	Reason string
}

func (e *RecordError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s line %d: column %q: %s", e.File, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
}
