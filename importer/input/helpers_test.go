package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// want is the expected shape of one record.
type want struct {
	line   int
	fields []string // compared when not nil
	blank  bool
	err    string // substring of the RecordError reason; "" for no error
	column string // RecordError.Column when err is set
	text   string // Record.Text when not ""
}

// result is everything read from one file.
type result struct {
	header []string
	recs   []*Record
	info   Info
}

// readFile opens path and reads it to the end, failing on a file error.
func readFile(t *testing.T, path string, opts Options) result {
	t.Helper()
	r, err := Open(path, nil, opts)
	if err != nil {
		t.Fatalf("Open(%s) error: %v", path, err)
	}
	defer r.Close()
	res := result{header: r.Header()}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next() on %s error: %v", path, err)
		}
		res.recs = append(res.recs, rec)
	}
	res.info = r.Info()
	return res
}

// writeTemp writes content to a file called name in a new temporary
// folder and returns its path.
func writeTemp(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkRecords compares the records read with the expected ones, including
// Seq, which must count from 1.
func checkRecords(t *testing.T, got []*Record, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for _, r := range got {
			t.Logf("record %d line %d: fields %q blank %v err %v", r.Seq, r.Line, r.Fields,
				r.Blank, r.Err)
		}
		t.Fatalf("read %d records, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		r := got[i]
		if r.Seq != i+1 {
			t.Errorf("record %d: Seq = %d, want %d", i+1, r.Seq, i+1)
		}
		if r.Line != w.line {
			t.Errorf("record %d: Line = %d, want %d", i+1, r.Line, w.line)
		}
		if r.Blank != w.blank {
			t.Errorf("record %d: Blank = %v, want %v", i+1, r.Blank, w.blank)
		}
		if w.fields != nil && !slices.Equal(r.Fields, w.fields) {
			t.Errorf("record %d: Fields = %q, want %q", i+1, r.Fields, w.fields)
		}
		if w.text != "" && string(r.Text) != w.text {
			t.Errorf("record %d: Text = %q, want %q", i+1, r.Text, w.text)
		}
		checkRecordError(t, i+1, r, w)
	}
}

func checkRecordError(t *testing.T, n int, r *Record, w want) {
	t.Helper()
	if w.err == "" {
		if r.Err != nil {
			t.Errorf("record %d: Err = %v, want none", n, r.Err)
		}
		return
	}
	var re *RecordError
	if !errors.As(r.Err, &re) {
		t.Errorf("record %d: Err = %v, want a *RecordError containing %q", n, r.Err, w.err)
		return
	}
	if !strings.Contains(re.Reason, w.err) {
		t.Errorf("record %d: Reason = %q, want it to contain %q", n, re.Reason, w.err)
	}
	if re.Column != w.column {
		t.Errorf("record %d: Column = %q, want %q", n, re.Column, w.column)
	}
	if re.Line != r.Line {
		t.Errorf("record %d: RecordError.Line = %d, want %d", n, re.Line, r.Line)
	}
}

// hasWarning reports whether one of warnings contains s.
func hasWarning(warnings []string, s string) bool {
	for _, w := range warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// utf16LE encodes s as UTF-16LE without a byte-order mark.
func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// gzipBytes compresses data.
func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
