package report

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixedNow returns a clock that starts at a fixed time and moves one
// second per call.
func fixedNow() func() time.Time {
	t := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func open(t *testing.T, dir string, mode Mode, inputs ...string) *Writer {
	t.Helper()
	w, err := Open(dir, Options{Mode: mode, Inputs: inputs, Now: fixedNow()})
	if err != nil {
		t.Fatalf("Open(%s, mode %d) error = %v", dir, mode, err)
	}
	return w
}

func write(t *testing.T, w *Writer, outcomes ...*Outcome) {
	t.Helper()
	for _, o := range outcomes {
		if err := w.Write(o); err != nil {
			t.Fatalf("Write(%s line %d) error = %v", o.File, o.Line, err)
		}
	}
}

func closeWriter(t *testing.T, w *Writer, code int) {
	t.Helper()
	if err := w.Close(code, false); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
}

// abandon stops using w as a killed process would: rows flushed so far
// stay on disk, nothing else happens.
func abandon(t *testing.T, w *Writer) {
	t.Helper()
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush() error = %v", err)
	}
	w.results.Close()
	if w.journal != nil {
		w.journal.Close()
	}
	if w.sending != nil {
		w.sending.Close()
	}
}

var csvHeader = []string{"Id", "Name"}

// csvOutcome returns the outcome of a CSV record with cells id and name.
func csvOutcome(file string, line int, id string, st Status) *Outcome {
	return &Outcome{File: file, Line: line, ExternalID: id, Name: "Name " + id, Status: st,
		Hash: uint64(line), Header: csvHeader, Fields: []string{id, "Name " + id},
		Message: reasonFor(st)}
}

func jsonOutcome(file string, line int, id string, st Status) *Outcome {
	return &Outcome{File: file, Line: line, ExternalID: id, Status: st, Hash: uint64(line),
		Header: []string{"id", "name"}, JSON: true,
		Text: []byte(`{"id":"` + id + `","name":"Name ` + id + `"}`), Message: reasonFor(st)}
}

func reasonFor(st Status) string {
	switch st {
	case Invalid:
		return "field name: missing"
	case Failed:
		return "HTTP 503"
	}
	return ""
}

func readRows(t *testing.T, dir string) []Row {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, resultsName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []Row
	err = ReadResults(f, func(r *Row) error {
		rows = append(rows, *r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadResults() error = %v", err)
	}
	return rows
}

// locations returns "file:line status" for each row.
func locations(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.File+":"+itoa(r.Line)+" "+string(r.Status))
	}
	return out
}

func itoa(n int) string { return string(appendInt(nil, int64(n), false)) }

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	var s Summary
	if err := json.Unmarshal([]byte(readText(t, filepath.Join(dir, summaryName))), &s); err != nil {
		t.Fatalf("decode summary.json: %v", err)
	}
	return s
}

func TestOpenNewRejectsNonEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{Mode: New})
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Open(non-empty, New) error = %v, want ErrNotEmpty", err)
	}
	for _, hint := range []string{"--overwrite", "--resume", "notes.txt"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("Open(non-empty, New) error = %q, want it to mention %s", err, hint)
		}
	}
}

func TestOpenNewCreatesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "report")
	w := open(t, dir, New)
	closeWriter(t, w, 0)
	for _, name := range []string{resultsName, rejectedCSV, summaryName} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("after Close, %s: %v", name, err)
		}
	}
	if got := readText(t, filepath.Join(dir, resultsName)); got != resultsHeader {
		t.Errorf("empty results.csv = %q, want the header only", got)
	}
}

func TestOpenRejectsRepeatedInput(t *testing.T) {
	_, err := Open(t.TempDir(), Options{Inputs: []string{"a.csv", "a.csv"}})
	if err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("Open(a.csv twice) error = %v, want a repeated input error", err)
	}
}

func TestOverwriteKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-1", Invalid))
	closeWriter(t, w, 1)
	foreign := []string{"notes.txt", "rejected_old.csv", "results.csv.bak"}
	for _, name := range append(foreign, "rejected-x.csv", "summary.json.123.tmp") {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	w = open(t, dir, Overwrite, "b.csv")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := append(slices.Clone(foreign), resultsName)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("folder after Open(Overwrite) = %v, want %v", names, want)
	}
	closeWriter(t, w, 0)
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got != "" {
		t.Errorf("rejected.csv after overwrite = %q, want empty", got)
	}
}

func TestResultsRowsInOrder(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv", "b.jsonl")
	write(t, w,
		csvOutcome("a.csv", 2, "S-1", Created),
		csvOutcome("a.csv", 3, "=S-2", Invalid),
		csvOutcome("a.csv", 5, "S-1", Duplicate),
		jsonOutcome("b.jsonl", 1, "J-1", Failed),
		jsonOutcome("b.jsonl", 2, "", Skipped),
	)
	closeWriter(t, w, 1)

	want := resultsHeader +
		"a.csv,2,S-1,Name S-1,created,,,,,0,0000000000000002\n" +
		"a.csv,3,'=S-2,Name =S-2,invalid,,,,field name: missing,0,0000000000000003\n" +
		"a.csv,5,S-1,Name S-1,duplicate,,,,,0,0000000000000005\n" +
		"b.jsonl,1,J-1,,failed,,,,HTTP 503,0,0000000000000001\n" +
		"b.jsonl,2,,,skipped,,,,,0,0000000000000002\n"
	if got := readText(t, filepath.Join(dir, resultsName)); got != want {
		t.Errorf("results.csv =\n%s\nwant\n%s", got, want)
	}
}

func TestRejectedFiles(t *testing.T) {
	otherHeader := []string{"Record ID", "Company name"}
	phoneHeader := []string{"id", "name", "phone"}
	tests := []struct {
		name     string
		outcomes []*Outcome
		want     map[string]string // file name to content
	}{
		{
			name: "csv keeps cells verbatim",
			outcomes: []*Outcome{
				csvOutcome("a.csv", 2, "=S-1", Invalid),
				csvOutcome("a.csv", 3, "S-2", Created),
				csvOutcome("a.csv", 4, "S-3", Failed),
			},
			want: map[string]string{
				rejectedCSV: "error,Id,Name\nfield name: missing,=S-1,Name =S-1\n" +
					"HTTP 503,S-3,Name S-3\n",
			},
		},
		{
			name: "jsonl keeps the line",
			outcomes: []*Outcome{
				jsonOutcome("b.jsonl", 1, "J-1", Invalid),
				jsonOutcome("b.jsonl", 2, "J-2", Created),
			},
			want: map[string]string{
				rejectedCSV:  "",
				rejectedJSON: `{"id":"J-1","name":"Name J-1"}` + "\n",
			},
		},
		{
			name: "second header gets its own file",
			outcomes: []*Outcome{
				csvOutcome("in/a.csv", 2, "S-1", Invalid),
				{File: "in/hubspot export.csv.gz", Line: 2, ExternalID: "H-1", Status: Invalid,
					Header: otherHeader, Fields: []string{"H-1", "Acme"}, Message: "bad"},
				csvOutcome("c.csv", 9, "S-9", Failed),
			},
			want: map[string]string{
				rejectedCSV: "error,Id,Name\nfield name: missing,S-1,Name S-1\n" +
					"HTTP 503,S-9,Name S-9\n",
				"rejected-hubspot_export.csv": "error,Record ID,Company name\nbad,H-1,Acme\n",
			},
		},
		{
			name: "malformed csv record keeps its raw text",
			outcomes: []*Outcome{{File: "a.csv", Line: 7, Status: Invalid, Header: csvHeader,
				Text: []byte("S-7,\"Acme\"x\r\n"), Message: "bare quote"}},
			want: map[string]string{
				rejectedCSV: "error,Id,Name\nbare quote,\"S-7,\"\"Acme\"\"x\"\n",
			},
		},
		{
			name: "short and long records keep their cells",
			outcomes: []*Outcome{
				{File: "a.csv", Line: 2, Status: Invalid, Header: phoneHeader,
					Fields: []string{"R-2", "Two"}, Message: "2 fields"},
				{File: "a.csv", Line: 3, Status: Invalid, Header: phoneHeader,
					Fields: []string{"R-3", "Three", "3", "extra"}, Message: "4 fields"},
			},
			want: map[string]string{
				rejectedCSV: "error,id,name,phone\n2 fields,R-2,Two\n4 fields,R-3,Three,3,extra\n",
			},
		},
		{
			name: "input with an error column",
			outcomes: []*Outcome{{File: "a.csv", Line: 2, Status: Invalid,
				Header: []string{"id", "Error"}, Fields: []string{"1", "e"}, ErrorCode: "E",
				Message: "m"}},
			want: map[string]string{rejectedCSV: "corimport_error,id,Error\nE: m,1,e\n"},
		},
		{
			name: "json array element is compacted",
			outcomes: []*Outcome{{File: "b.json", Line: 3, Status: Invalid, JSON: true,
				Text: []byte("{\n  \"id\": \"A 1\"\n}"), Message: "m"}},
			want: map[string]string{rejectedCSV: "", rejectedJSON: `{"id":"A 1"}` + "\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := open(t, dir, New)
			write(t, w, tt.outcomes...)
			closeWriter(t, w, 1)
			for name, want := range tt.want {
				if got := readText(t, filepath.Join(dir, name)); got != want {
					t.Errorf("%s =\n%q\nwant\n%q", name, got, want)
				}
			}
			var names []string
			for name := range tt.want {
				names = append(names, name)
			}
			slices.Sort(names)
			if got := readSummary(t, dir).RejectedFiles; !slices.Equal(got, names) {
				t.Errorf("summary rejected_files = %v, want %v", got, names)
			}
		})
	}
}

func TestSummaryCountsAddUp(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	statuses := []Status{Created, Created, Duplicate, Invalid, Failed, Skipped, Valid, Unprocessed}
	for i, st := range statuses {
		write(t, w, csvOutcome("a.csv", i+2, "S-"+itoa(i), st))
	}
	if err := w.Close(3, true); err != nil {
		t.Fatalf("Close() error = %v", err)
	}

	s := readSummary(t, dir)
	want := Counts{Read: 8, Created: 2, Duplicate: 1, Invalid: 1, Failed: 1, Skipped: 1,
		Valid: 1, Unprocessed: 1}
	if s.Counts != want {
		t.Errorf("summary counts = %+v, want %+v", s.Counts, want)
	}
	sum := s.Counts.Created + s.Counts.Duplicate + s.Counts.Invalid + s.Counts.Failed +
		s.Counts.Skipped + s.Counts.Valid + s.Counts.Unprocessed
	if sum != s.Counts.Read {
		t.Errorf("summary statuses add up to %d, want read %d", sum, s.Counts.Read)
	}
	if s.ExitCode != 3 || !s.DryRun || s.Resumed {
		t.Errorf("summary exit_code, dry_run, resumed = %d, %v, %v, want 3, true, false",
			s.ExitCode, s.DryRun, s.Resumed)
	}
	if s.DurationSeconds != 1 {
		t.Errorf("summary duration_seconds = %v, want 1", s.DurationSeconds)
	}
	if !slices.Equal(s.Inputs, []string{"a.csv"}) {
		t.Errorf("summary inputs = %v, want [a.csv]", s.Inputs)
	}
	if w.Counts() != want {
		t.Errorf("Counts() = %+v, want %+v", w.Counts(), want)
	}
}

func TestCountsTable(t *testing.T) {
	var b strings.Builder
	Counts{Read: 1200, Created: 1000, Invalid: 200}.Table(&b)
	want := "created      1000\n" +
		"duplicate       0\n" +
		"invalid       200\n" +
		"failed          0\n" +
		"skipped         0\n" +
		"valid           0\n" +
		"unprocessed     0\n" +
		"read         1200\n"
	if b.String() != want {
		t.Errorf("Table() =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteAfterClose(t *testing.T) {
	w := open(t, t.TempDir(), New)
	closeWriter(t, w, 0)
	if err := w.Write(csvOutcome("a.csv", 2, "x", Created)); !errors.Is(err, ErrClosed) {
		t.Errorf("Write() after Close error = %v, want ErrClosed", err)
	}
	if err := w.Close(0, false); !errors.Is(err, ErrClosed) {
		t.Errorf("Close() twice error = %v, want ErrClosed", err)
	}
}

func TestWriteRejectsUnknownStatus(t *testing.T) {
	w := open(t, t.TempDir(), New)
	defer w.Close(0, false)
	if err := w.Write(csvOutcome("a.csv", 2, "x", "done")); err == nil {
		t.Errorf("Write(status done) error = nil, want an error")
	}
}

func TestFlushWritesWholeRows(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-1", Created))
	if got := readText(t, filepath.Join(dir, resultsName)); got != resultsHeader {
		t.Errorf("results.csv before Flush = %q, want the header only", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush() error = %v", err)
	}
	if got := readRows(t, dir); len(got) != 1 {
		t.Errorf("rows after Flush = %d, want 1", len(got))
	}
	closeWriter(t, w, 0)
}

func TestUnorderedWritesSortedAtClose(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv", "b.csv")
	write(t, w,
		csvOutcome("b.csv", 2, "B-2", Invalid),
		csvOutcome("a.csv", 3, "A-3", Created),
		csvOutcome("a.csv", 2, "A-2", Failed),
	)
	closeWriter(t, w, 1)
	want := []string{"a.csv:2 failed", "a.csv:3 created", "b.csv:2 invalid"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	wantRejected := "error,Id,Name\nHTTP 503,A-2,Name A-2\nfield name: missing,B-2,Name B-2\n"
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got != wantRejected {
		t.Errorf("rejected.csv = %q, want %q", got, wantRejected)
	}
}
