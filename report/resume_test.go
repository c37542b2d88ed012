package report

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// firstRun writes a run over a.csv lines 2 to 7 and b.jsonl lines 1 to 2
// that ends with a mix of statuses, and closes it.
func firstRun(t *testing.T, dir string) {
	t.Helper()
	w := open(t, dir, New, "a.csv", "b.jsonl")
	write(t, w,
		csvOutcome("a.csv", 2, "S-2", Created),
		csvOutcome("a.csv", 3, "S-3", Failed),
		csvOutcome("a.csv", 4, "S-4", Invalid),
		csvOutcome("a.csv", 5, "S-5", Unprocessed),
		csvOutcome("a.csv", 6, "S-6", Valid),
		csvOutcome("a.csv", 7, "", Skipped),
		jsonOutcome("b.jsonl", 1, "J-1", Failed),
		jsonOutcome("b.jsonl", 2, "J-2", Duplicate),
	)
	closeWriter(t, w, 1)
}

func TestResumeSkipsFinalRecords(t *testing.T) {
	dir := t.TempDir()
	firstRun(t, dir)
	w := open(t, dir, Resume, "a.csv", "b.jsonl")
	defer w.Close(0, false)

	tests := []struct {
		file string
		line int
		id   string
		want bool
	}{
		{"a.csv", 2, "S-2", true},  // created
		{"a.csv", 3, "S-3", false}, // failed: retried
		{"a.csv", 4, "S-4", true},  // invalid
		{"a.csv", 5, "S-5", false}, // unprocessed: retried
		{"a.csv", 6, "S-6", false}, // valid comes from a dry run: checked again
		{"a.csv", 7, "", true},     // skipped
		{"b.jsonl", 1, "J-1", false},
		{"b.jsonl", 2, "J-2", true},
		{"a.csv", 8, "S-8", false}, // never seen
	}
	for _, tt := range tests {
		if got := w.Resumed(tt.file, tt.line, tt.id, uint64(tt.line)); got != tt.want {
			t.Errorf("Resumed(%s, %d, %s) = %v, want %v", tt.file, tt.line, tt.id, got, tt.want)
		}
	}
	if w.Resumed("a.csv", 2, "S-2", 99) {
		t.Errorf("Resumed(a.csv, 2, S-2, changed hash) = true, want false")
	}
	if w.Resumed("a.csv", 2, "S-X", 2) {
		t.Errorf("Resumed(a.csv, 2, changed id) = true, want false")
	}
}

func TestResumeDropsRetriedRowsAndMerges(t *testing.T) {
	dir := t.TempDir()
	firstRun(t, dir)
	w := open(t, dir, Resume, "a.csv", "b.jsonl")

	want := []string{"a.csv:2 created", "a.csv:4 invalid", "a.csv:7 skipped", "b.jsonl:2 duplicate"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows after Open(Resume) = %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, summaryName)); !os.IsNotExist(err) {
		t.Errorf("summary.json after Open(Resume): %v, want it removed", err)
	}

	write(t, w,
		csvOutcome("a.csv", 3, "S-3", Created),
		csvOutcome("a.csv", 5, "S-5", Failed),
		csvOutcome("a.csv", 6, "S-6", Created),
		jsonOutcome("b.jsonl", 1, "J-1", Invalid),
	)
	closeWriter(t, w, 1)

	want = []string{"a.csv:2 created", "a.csv:3 created", "a.csv:4 invalid", "a.csv:5 failed",
		"a.csv:6 created", "a.csv:7 skipped", "b.jsonl:1 invalid", "b.jsonl:2 duplicate"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows after Close = %v, want %v", got, want)
	}

	s := readSummary(t, dir)
	wantCounts := Counts{Read: 8, Created: 3, Duplicate: 1, Invalid: 2, Failed: 1, Skipped: 1}
	if s.Counts != wantCounts {
		t.Errorf("summary counts = %+v, want %+v", s.Counts, wantCounts)
	}
	if !s.Resumed {
		t.Errorf("summary resumed = false, want true")
	}

	// the failed S-3 row is gone, the kept S-4 row stays, S-5 failed anew
	wantCSV := "error,Id,Name\nfield name: missing,S-4,Name S-4\nHTTP 503,S-5,Name S-5\n"
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got != wantCSV {
		t.Errorf("rejected.csv = %q, want %q", got, wantCSV)
	}
	wantJSON := `{"id":"J-1","name":"Name J-1"}` + "\n"
	if got := readText(t, filepath.Join(dir, rejectedJSON)); got != wantJSON {
		t.Errorf("rejected.jsonl = %q, want %q", got, wantJSON)
	}
}

func TestResumeAfterTornLastRow(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-2", Created), csvOutcome("a.csv", 3, "S-3", Invalid))
	abandon(t, w)
	path := filepath.Join(dir, resultsName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("a.csv,4,S-4,\"Name\nS-4\",created,12,2") // killed mid-write
	f.Close()

	leftover := filepath.Join(dir, "results.csv.42.tmp") // a crash before a rename
	if err := os.WriteFile(leftover, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}

	w = open(t, dir, Resume, "a.csv")
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover temporary file after Open(Resume): %v, want it removed", err)
	}
	if !w.Resumed("a.csv", 3, "S-3", 3) {
		t.Errorf("Resumed(a.csv, 3) = false, want true")
	}
	if w.Resumed("a.csv", 4, "S-4", 4) {
		t.Errorf("Resumed(a.csv, 4) from a torn row = true, want false")
	}
	write(t, w, csvOutcome("a.csv", 4, "S-4", Created))
	closeWriter(t, w, 0)

	want := []string{"a.csv:2 created", "a.csv:3 invalid", "a.csv:4 created"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got !=
		"error,Id,Name\nfield name: missing,S-3,Name S-3\n" {
		t.Errorf("rejected.csv = %q, want the S-3 row", got)
	}
}

// TestResumeAfterKilledResume kills a resumed run before Close, so that
// results.csv holds two sorted sections, and resumes again.
func TestResumeAfterKilledResume(t *testing.T) {
	dir := t.TempDir()
	firstRun(t, dir)

	w := open(t, dir, Resume, "a.csv", "b.jsonl")
	write(t, w,
		csvOutcome("a.csv", 3, "S-3", Failed),
		csvOutcome("a.csv", 5, "S-5", Created),
	)
	abandon(t, w)

	w = open(t, dir, Resume, "a.csv", "b.jsonl")
	want := []string{"a.csv:2 created", "a.csv:4 invalid", "a.csv:5 created", "a.csv:7 skipped",
		"b.jsonl:2 duplicate"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows after the second Open(Resume) = %v, want %v", got, want)
	}
	write(t, w,
		csvOutcome("a.csv", 3, "S-3", Created),
		csvOutcome("a.csv", 6, "S-6", Created),
		jsonOutcome("b.jsonl", 1, "J-1", Created),
	)
	closeWriter(t, w, 0)

	want = []string{"a.csv:2 created", "a.csv:3 created", "a.csv:4 invalid", "a.csv:5 created",
		"a.csv:6 created", "a.csv:7 skipped", "b.jsonl:1 created", "b.jsonl:2 duplicate"}
	if got := locations(readRows(t, dir)); !slices.Equal(got, want) {
		t.Errorf("rows after Close = %v, want %v", got, want)
	}
	wantCounts := Counts{Read: 8, Created: 5, Duplicate: 1, Invalid: 1, Skipped: 1}
	if got := readSummary(t, dir).Counts; got != wantCounts {
		t.Errorf("summary counts = %+v, want %+v", got, wantCounts)
	}
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got !=
		"error,Id,Name\nfield name: missing,S-4,Name S-4\n" {
		t.Errorf("rejected.csv = %q, want only the S-4 row", got)
	}
	if got := readText(t, filepath.Join(dir, rejectedJSON)); got != "" {
		t.Errorf("rejected.jsonl = %q, want empty", got)
	}
}

func TestResumeChangedRecordReplacesRow(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-2", Invalid), csvOutcome("a.csv", 3, "S-3", Created))
	closeWriter(t, w, 1)

	w = open(t, dir, Resume, "a.csv")
	fixed := csvOutcome("a.csv", 2, "S-2", Created)
	fixed.Hash = 1234 // the user fixed the row
	if w.Resumed(fixed.File, fixed.Line, fixed.ExternalID, fixed.Hash) {
		t.Fatalf("Resumed(changed record) = true, want false")
	}
	write(t, w, fixed)
	closeWriter(t, w, 0)

	rows := readRows(t, dir)
	want := []string{"a.csv:2 created", "a.csv:3 created"}
	if got := locations(rows); !slices.Equal(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	if rows[0].Hash != 1234 {
		t.Errorf("row a.csv:2 hash = %d, want 1234", rows[0].Hash)
	}
	if got := readSummary(t, dir).Counts; got != (Counts{Read: 2, Created: 2}) {
		t.Errorf("summary counts = %+v, want 2 created", got)
	}
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got != "error,Id,Name\n" {
		t.Errorf("rejected.csv = %q, want the header only", got)
	}
}

func TestResumeKeepsFilesNotReread(t *testing.T) {
	dir := t.TempDir()
	firstRun(t, dir)
	w := open(t, dir, Resume, "a.csv") // b.jsonl left out
	closeWriter(t, w, 1)

	rows := locations(readRows(t, dir))
	if !slices.Contains(rows, "b.jsonl:1 failed") {
		t.Errorf("rows = %v, want b.jsonl:1 failed kept", rows)
	}
	if slices.Contains(rows, "a.csv:3 failed") {
		t.Errorf("rows = %v, want a.csv:3 dropped for retry", rows)
	}
	if got := readText(t, filepath.Join(dir, rejectedJSON)); !strings.Contains(got, "J-1") {
		t.Errorf("rejected.jsonl = %q, want the J-1 line kept", got)
	}
}

func TestResumeWithoutResultsStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"notes.txt", journalName, summaryName} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := open(t, dir, Resume, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-2", Invalid))
	closeWriter(t, w, 1)
	if s := readSummary(t, dir); s.Resumed || s.Counts.Read != 1 {
		t.Errorf("summary resumed, read = %v, %d, want false, 1", s.Resumed, s.Counts.Read)
	}
	if got := readText(t, filepath.Join(dir, "notes.txt")); got != "x" {
		t.Errorf("notes.txt = %q, want it untouched", got)
	}
}

func TestResumeRejectsForeignResults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, resultsName), []byte("id,name\n1,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{Mode: Resume})
	if err == nil || !strings.Contains(err.Error(), "not a results file written by corimport") {
		t.Errorf("Open(foreign results.csv, Resume) error = %v, want a header error", err)
	}
}

func TestResumeMaybeSent(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	for line := 2; line <= 4; line++ {
		if err := w.Sending("a.csv", line, "S-"+itoa(line), uint64(line)); err != nil {
			t.Fatalf("Sending() error = %v", err)
		}
	}
	write(t, w, csvOutcome("a.csv", 2, "S-2", Created), csvOutcome("a.csv", 3, "S-3", Failed))
	abandon(t, w) // killed while a.csv line 4 was in flight

	w = open(t, dir, Resume, "a.csv")
	defer w.Close(0, false)
	for _, tt := range []struct {
		line int
		want bool
	}{{2, false}, {3, true}, {4, true}, {5, false}} {
		if got := w.MaybeSent("a.csv", tt.line, "S-"+itoa(tt.line), uint64(tt.line)); got != tt.want {
			t.Errorf("MaybeSent(a.csv, %d) = %v, want %v", tt.line, got, tt.want)
		}
	}
	if got := readText(t, filepath.Join(dir, sendingName)); strings.Contains(got, "S-2") {
		t.Errorf("sending.log = %q, want the created S-2 dropped", got)
	}
}

// TestResumeManySections merges more sections than maxFanIn at once.
func TestResumeManySections(t *testing.T) {
	dir := t.TempDir()
	const n = 3*maxFanIn + 5
	data := []byte(resultsHeader)
	for line := n + 1; line >= 2; line-- { // every row starts a section
		data = appendResultsRow(data, csvOutcome("a.csv", line, "S-"+itoa(line), Created))
	}
	// a repeated record: the later row wins
	data = appendResultsRow(data, csvOutcome("a.csv", 10, "S-10", Duplicate))
	if err := os.WriteFile(filepath.Join(dir, resultsName), data, 0o644); err != nil {
		t.Fatal(err)
	}

	w := open(t, dir, Resume, "a.csv")
	closeWriter(t, w, 0)
	rows := readRows(t, dir)
	if len(rows) != n {
		t.Fatalf("rows = %d, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.Line != i+2 {
			t.Fatalf("row %d line = %d, want %d", i, r.Line, i+2)
		}
	}
	if rows[8].Status != Duplicate {
		t.Errorf("row a.csv:10 status = %s, want duplicate", rows[8].Status)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(entries) > 0 {
		t.Errorf("temporary files left: %v", entries)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".corimport-*")); len(entries) > 0 {
		t.Errorf("merge files left: %v", entries)
	}
}

func TestResumeTornJournal(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	write(t, w, csvOutcome("a.csv", 2, "S-2", Invalid))
	abandon(t, w)
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("a.csv,3,S-3,00000000000000") // killed mid-write
	f.Close()

	w = open(t, dir, Resume, "a.csv")
	write(t, w, csvOutcome("a.csv", 3, "S-3", Invalid))
	closeWriter(t, w, 1)
	want := "error,Id,Name\nfield name: missing,S-2,Name S-2\nfield name: missing,S-3,Name S-3\n"
	if got := readText(t, filepath.Join(dir, rejectedCSV)); got != want {
		t.Errorf("rejected.csv = %q, want %q", got, want)
	}
}

func TestSendingAfterClose(t *testing.T) {
	w := open(t, t.TempDir(), New)
	closeWriter(t, w, 0)
	if err := w.Sending("a.csv", 2, "x", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Sending() after Close error = %v, want ErrClosed", err)
	}
}

// FuzzResume opens a report folder holding arbitrary results and journal
// files: Open either rejects them or resumes, and Close then succeeds.
func FuzzResume(f *testing.F) {
	row := "a.csv,2,S-2,Acme,invalid,,,,bad,0,0000000000000002\n"
	journal := journalHeader + ",0,,,rejected.csv,\"error,Id,Name\n\"\n" +
		"a.csv,2,S-2,0000000000000002,rejected.csv,\"bad,S-2,Acme\n\"\n"
	f.Add([]byte(resultsHeader+row), []byte(journal))
	f.Add([]byte(resultsHeader+row+row[:20]), []byte(journal[:len(journal)-9]))
	f.Add([]byte(resultsHeader), []byte(journalHeader+"a.csv,2,,x,../x,\"\n\"\n"))
	f.Fuzz(func(t *testing.T, results, journal []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, resultsName), results, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, journalName), journal, 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := Open(dir, Options{Mode: Resume, Inputs: []string{"a.csv"}})
		if err != nil {
			return
		}
		if err := w.Write(csvOutcome("a.csv", 3, "S-3", Invalid)); err != nil {
			t.Fatalf("Write() error = %v", err)
		}
		err = w.Close(1, false)
		var ledgerErr *LedgerError
		if err != nil {
			if !errors.As(err, &ledgerErr) {
				t.Fatalf("Close() error = %v, want nil or a *LedgerError", err)
			}
			return
		}
		rows := readRows(t, dir)
		if got := readSummary(t, dir).Counts.Read; got != len(rows) {
			t.Errorf("summary read = %d, want %d rows", got, len(rows))
		}
	})
}
