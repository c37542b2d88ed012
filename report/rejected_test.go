package report

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readCSV reads a whole CSV file with encoding/csv, allowing rows of any
// width.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv.Reader.ReadAll(%s) error = %v", path, err)
	}
	return rows
}

func TestRejectedCSVReadsBack(t *testing.T) {
	header := []string{"id", " name", "notes"}
	tests := []struct {
		name   string
		fields []string
		text   string // raw text of a record that could not be split
		reason string
		want   []string // cells after the reason
	}{
		{name: "plain", fields: []string{"R-1", "Acme", "x"}},
		{name: "short", fields: []string{"R-2", "Two"}},
		{name: "long", fields: []string{"R-3", "Three", "3", "extra", ""}},
		{name: "empty cells", fields: []string{"", "", ""}},
		{name: "no cells", fields: []string{}},
		{name: "leading space", fields: []string{" R-4", "  ", "\tx"}},
		{name: "quotes and commas", fields: []string{`"R-5"`, "Acme, Inc.", `a "b" c`}},
		{name: "line breaks", fields: []string{"R-6", "two\nlines", "cr\ronly"}},
		{name: "postgres end marker", fields: []string{`\.`, "=1+2", "-"}},
		{name: "reason with quotes", fields: []string{"R-7"}, reason: `field "id", "x": bad`},
		{name: "malformed record", text: "R-8,\"Acme\"x,\"multi\nline\r\n",
			want: []string{"R-8,\"Acme\"x,\"multi\nline"}},
	}
	dir := t.TempDir()
	w := open(t, dir, New)
	for i, tt := range tests {
		o := &Outcome{File: "a.csv", Line: i + 2, Status: Invalid, Header: header,
			Fields: tt.fields, Text: []byte(tt.text), Message: tt.reason}
		if tt.reason == "" {
			o.Message = tt.name
		}
		write(t, w, o)
	}
	closeWriter(t, w, 1)

	rows := readCSV(t, filepath.Join(dir, rejectedCSV))
	if len(rows) != len(tests)+1 {
		t.Fatalf("rejected.csv rows = %d, want %d", len(rows), len(tests)+1)
	}
	if want := []string{"error", "id", " name", "notes"}; !slices.Equal(rows[0], want) {
		t.Errorf("rejected.csv header = %q, want %q", rows[0], want)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason := tt.reason
			if reason == "" {
				reason = tt.name
			}
			want := tt.want
			if want == nil {
				want = tt.fields
			}
			want = append([]string{reason}, want...)
			if got := rows[i+1]; !slices.Equal(got, want) {
				t.Errorf("rejected.csv row %d = %q, want %q", i+1, got, want)
			}
		})
	}
}

// FuzzRejectedRow checks that encoding/csv reads a rejected row back as
// the reason followed by the record's cells.
func FuzzRejectedRow(f *testing.F) {
	f.Add("bad", "R-1", " x", "a,\"b\"\nc")
	f.Add("", "", "", "")
	f.Add(`\.`, "\r", "\"", "=1")
	f.Fuzz(func(t *testing.T, message, a, b, c string) {
		o := &Outcome{Status: Invalid, Message: message, Fields: []string{a, b, c}}
		cells := rejectedCells(nil, o)
		row, err := newRowEncoder().encode(cells)
		if err != nil {
			t.Fatalf("encode(%q) error = %v", cells, err)
		}
		r := csv.NewReader(strings.NewReader(string(row)))
		r.FieldsPerRecord = -1
		got, err := r.Read()
		if err != nil {
			t.Fatalf("csv.Reader.Read(%q) error = %v", row, err)
		}

		// encoding/csv turns CRLF inside a quoted cell into LF
		want := make([]string, len(cells))
		for i, cell := range cells {
			want[i] = strings.ReplaceAll(cell, "\r\n", "\n")
		}
		if !slices.Equal(got, want) {
			t.Errorf("csv.Reader.Read(%q) = %q, want %q", row, got, want)
		}
	})
}
