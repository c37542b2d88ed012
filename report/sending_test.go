package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// logEvent appends one sending.log entry for a.csv line with id S-<line>.
func logEvent(t *testing.T, w *Writer, event string, line int) {
	t.Helper()
	id := "S-" + itoa(line)
	var err error
	switch event {
	case eventSending:
		err = w.Sending("a.csv", line, id, uint64(line))
	case eventSettled:
		err = w.Settled("a.csv", line, id, uint64(line))
	default:
		t.Fatalf("unknown event %q", event)
	}
	if err != nil {
		t.Fatalf("%s(a.csv, %d) error = %v", event, line, err)
	}
}

func maybeSent(w *Writer, line int) bool {
	return w.MaybeSent("a.csv", line, "S-"+itoa(line), uint64(line))
}

func TestMaybeSentLastEntryWins(t *testing.T) {
	tests := []struct {
		name string
		runs [][]string // the entries each run logs for a.csv line 2
		want bool
	}{
		{"sending then settled", [][]string{{eventSending, eventSettled}}, false},
		{"sending only", [][]string{{eventSending}}, true},
		{"sent again in a later run",
			[][]string{{eventSending, eventSettled}, {eventSending}}, true},
		{"settled in a later run", [][]string{{eventSending}, {eventSending, eventSettled}}, false},
		{"settled twice", [][]string{{eventSending, eventSettled}, {eventSending, eventSettled}},
			false},
		{"never logged", [][]string{{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mode := New
			for _, events := range tt.runs {
				w := open(t, dir, mode, "a.csv")
				for _, event := range events {
					logEvent(t, w, event, 2)
				}
				abandon(t, w) // killed before the record's row was written
				mode = Resume
			}

			w := open(t, dir, Resume, "a.csv")
			defer w.Close(0, false)
			if got := maybeSent(w, 2); got != tt.want {
				t.Errorf("MaybeSent(a.csv, 2) = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestResumeRewritesSendingLog(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	for line := 2; line <= 5; line++ {
		logEvent(t, w, eventSending, line)
	}
	logEvent(t, w, eventSettled, 3)
	logEvent(t, w, eventSettled, 5)
	write(t, w, csvOutcome("a.csv", 4, "S-4", Created))
	abandon(t, w)

	w = open(t, dir, Resume, "a.csv")
	defer w.Close(0, false)
	want := sendingHeader + "sending,a.csv,2,S-2,0000000000000002\n"
	if got := readText(t, filepath.Join(dir, sendingName)); got != want {
		t.Errorf("sending.log after Open(Resume) = %q, want %q", got, want)
	}
	for line, want := range map[int]bool{2: true, 3: false, 4: false, 5: false} {
		if got := maybeSent(w, line); got != want {
			t.Errorf("MaybeSent(a.csv, %d) = %v, want %v", line, got, want)
		}
	}
}

// writeSendingLog replaces sending.log in a report folder that holds a
// run over a.csv.
func writeSendingLog(t *testing.T, dir, text string) {
	t.Helper()
	w := open(t, dir, New, "a.csv")
	abandon(t, w)
	if err := os.WriteFile(filepath.Join(dir, sendingName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResumeTornSendingLog(t *testing.T) {
	tests := []struct {
		name string
		torn string // the last row, cut short
		want bool   // MaybeSent(a.csv, 2) after the resume
	}{
		{"torn settled entry", "settled,a.csv,2,S-2,00000000000", true},
		{"torn sending entry", "sending,a.csv,3,S-3,000", true},
		{"whole row without line break", "settled,a.csv,2,S-2,0000000000000002", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSendingLog(t, dir, sendingHeader+"sending,a.csv,2,S-2,0000000000000002\n"+tt.torn)

			w := open(t, dir, Resume, "a.csv")
			if got := maybeSent(w, 2); got != tt.want {
				t.Errorf("MaybeSent(a.csv, 2) = %v, want %v", got, tt.want)
			}
			if maybeSent(w, 3) {
				t.Errorf("MaybeSent(a.csv, 3) from a torn row = true, want false")
			}

			// entries appended after the resume start on a line of their own
			logEvent(t, w, eventSending, 4)
			logEvent(t, w, eventSettled, 2)
			abandon(t, w)
			w = open(t, dir, Resume, "a.csv")
			defer w.Close(0, false)
			if maybeSent(w, 2) {
				t.Errorf("MaybeSent(a.csv, 2) after Settled = true, want false")
			}
			if !maybeSent(w, 4) {
				t.Errorf("MaybeSent(a.csv, 4) after Sending = false, want true")
			}
		})
	}
}

func TestResumeLegacySendingLog(t *testing.T) {
	dir := t.TempDir()
	writeSendingLog(t, dir, legacySendingHeader+
		"a.csv,2,S-2,0000000000000002\na.csv,3,S-3,0000000000000003\n")

	w := open(t, dir, Resume, "a.csv")
	defer w.Close(0, false)
	for _, line := range []int{2, 3} {
		if !maybeSent(w, line) {
			t.Errorf("MaybeSent(a.csv, %d) = false, want true", line)
		}
	}
	want := sendingHeader + "sending,a.csv,2,S-2,0000000000000002\n" +
		"sending,a.csv,3,S-3,0000000000000003\n"
	if got := readText(t, filepath.Join(dir, sendingName)); got != want {
		t.Errorf("sending.log after Open(Resume) = %q, want %q", got, want)
	}
}

func TestResumeDamagedSendingLog(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		errMatch string
	}{
		{"unknown event", sendingHeader + "sent,a.csv,2,S-2,0000000000000002\n" +
			"sending,a.csv,3,S-3,0000000000000003\n", `line 2: unknown event "sent"`},
		{"missing cell", sendingHeader + "sending,a.csv,2,0000000000000002\n",
			"line 2: row has 4 cells, want 5"},
		{"bad line number", sendingHeader + "sending,a.csv,two,S-2,0000000000000002\n",
			`line 2: invalid line "two"`},
		{"foreign header", "id,name\n1,x\n", "line 1: header is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSendingLog(t, dir, tt.text)
			_, err := Open(dir, Options{Mode: Resume, Inputs: []string{"a.csv"}})
			var ledgerErr *LedgerError
			if !errors.As(err, &ledgerErr) {
				t.Fatalf("Open(Resume) error = %v, want a *LedgerError", err)
			}
			if !strings.Contains(err.Error(), tt.errMatch) {
				t.Errorf("Open(Resume) error = %q, want it to contain %q", err, tt.errMatch)
			}
		})
	}
}

func TestSendingAndSettledConcurrent(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, New, "a.csv")
	var wg sync.WaitGroup
	for worker := range 4 {
		wg.Go(func() {
			for line := 2 + worker; line < 202; line += 4 {
				if err := w.Sending("a.csv", line, "S-"+itoa(line), uint64(line)); err != nil {
					t.Errorf("Sending(a.csv, %d) error = %v", line, err)
				}
				if line%10 == 0 {
					continue // left unsettled
				}
				if err := w.Settled("a.csv", line, "S-"+itoa(line), uint64(line)); err != nil {
					t.Errorf("Settled(a.csv, %d) error = %v", line, err)
				}
			}
		})
	}
	wg.Wait()
	abandon(t, w)

	w = open(t, dir, Resume, "a.csv")
	defer w.Close(0, false)
	for line := 2; line < 202; line++ {
		if got, want := maybeSent(w, line), line%10 == 0; got != want {
			t.Errorf("MaybeSent(a.csv, %d) = %v, want %v", line, got, want)
		}
	}
}

func TestSettledAfterClose(t *testing.T) {
	w := open(t, t.TempDir(), New)
	closeWriter(t, w, 0)
	if err := w.Settled("a.csv", 2, "x", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Settled() after Close error = %v, want ErrClosed", err)
	}
}

// FuzzReadSending reads arbitrary sending.log contents: readSending either
// returns a *LedgerError or entries that survive writing and reading again.
func FuzzReadSending(f *testing.F) {
	f.Add([]byte(sendingHeader + "sending,a.csv,2,S-2,0000000000000002\n" +
		"settled,a.csv,2,S-2,0000000000000002\n"))
	f.Add([]byte(legacySendingHeader + "\"a,b\",3,\"x\ny\",0000000000000003\nb.csv,4"))
	f.Add([]byte(sendingHeader[:9]))
	f.Fuzz(func(t *testing.T, data []byte) {
		var entries []sendingEntry
		err := readSending(bytes.NewReader(data), func(e sendingEntry) error {
			entries = append(entries, e)
			return nil
		})
		var ledgerErr *LedgerError
		if err != nil && !errors.As(err, &ledgerErr) {
			t.Fatalf("readSending() error = %v, want nil or a *LedgerError", err)
		}

		again := []byte(sendingHeader)
		for _, e := range entries {
			event := eventSending
			if e.settled {
				event = eventSettled
			}
			again = appendSendingRow(again, event, e.file, e.line, e.externalID, e.hash)
		}
		var back []sendingEntry
		err = readSending(bytes.NewReader(again), func(e sendingEntry) error {
			back = append(back, e)
			return nil
		})
		if err != nil {
			t.Fatalf("readSending(rewritten log) error = %v", err)
		}
		if len(back) != len(entries) {
			t.Fatalf("readSending(rewritten log) entries = %d, want %d", len(back), len(entries))
		}
		for i := range back {
			if back[i] != entries[i] {
				t.Errorf("entry %d read back as %+v, want %+v", i, back[i], entries[i])
			}
		}
	})
}
