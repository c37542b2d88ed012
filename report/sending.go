package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
)

// sending.log is an append-only log of two kinds of entries, one per row:
//
//   - sending: the record is about to be sent (Sending).
//   - settled: every attempt to send the record got an HTTP response, so
//     COR's state for it is known (Settled).
//
// A record can be sent in several runs, so the last entry for a record
// wins. A resumed run counts a record as maybe sent when its last entry is
// a sending entry and results.csv has no final row for it.

// sendingHeader is the first line of sending.log.
const sendingHeader = "event,file,line,external_id,record_hash\n"

// legacySendingHeader is the first line of a sending.log written before
// settled entries existed. Its rows have no event column and are all
// sending entries.
const legacySendingHeader = "file,line,external_id,record_hash\n"

// The values of the event column of sending.log.
const (
	eventSending = "sending"
	eventSettled = "settled"
)

// MaybeSent reports whether an earlier run logged with Sending that it was
// about to send the record, no Settled entry followed, and results.csv has
// no final row for it. The client may then exist in COR although
// results.csv does not record it.
func (w *Writer) MaybeSent(file string, line int, externalID string, hash uint64) bool {
	if len(w.maybeSent) == 0 {
		return false
	}
	_, found := slices.BinarySearch(w.maybeSent, resumeKey(w.seed, file, line, externalID, hash))
	return found
}

// Sending appends a sending entry for the record to sending.log before its
// first attempt, and returns once the line is written to the operating
// system. A resumed run reads the log back for MaybeSent.
func (w *Writer) Sending(file string, line int, externalID string, hash uint64) error {
	return w.logSending(eventSending, file, line, externalID, hash)
}

// Settled appends a settled entry for the record to sending.log: every
// attempt to send it got an HTTP response, so COR's state for it is known
// and a resumed run does not count it as maybe sent. A later Sending
// entry, from this run or a later one, makes it maybe sent again.
//
// Call Settled only when no attempt may have reached COR unanswered,
// including attempts of earlier runs. A record that MaybeSent reported
// stays unknown until a response shows whether COR created the client.
func (w *Writer) Settled(file string, line int, externalID string, hash uint64) error {
	return w.logSending(eventSettled, file, line, externalID, hash)
}

// logSending appends one entry to sending.log. It is safe for concurrent
// use.
func (w *Writer) logSending(event, file string, line int, externalID string, hash uint64) error {
	w.sendingMu.Lock()
	defer w.sendingMu.Unlock()
	if w.sendingClosed {
		return ErrClosed
	}
	if w.sending == nil {
		f, err := openAppend(w.path(sendingName), sendingHeader)
		if err != nil {
			return fmt.Errorf("open %s: %w", sendingName, err)
		}
		w.sending = f
	}
	w.sendingBuf = appendSendingRow(w.sendingBuf[:0], event, file, line, externalID, hash)
	if _, err := w.sending.Write(w.sendingBuf); err != nil {
		return fmt.Errorf("write %s: %w", sendingName, err)
	}
	return nil
}

// appendSendingRow appends one row of sending.log. No cell gets the
// formula prefix, so that a negative line reads back as written.
func appendSendingRow(dst []byte, event, file string, line int, externalID string,
	hash uint64) []byte {
	dst = append(dst, event...)
	dst = append(dst, ',')
	dst = appendCell(dst, file, false)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(line), 10)
	dst = append(dst, ',')
	dst = appendCell(dst, externalID, false)
	dst = append(dst, ',')
	dst = appendHash(dst, hash)
	return append(dst, '\n')
}

// sendingEntry is one row of sending.log.
type sendingEntry struct {
	settled    bool
	file       string
	line       int
	externalID string
	hash       uint64
}

// resumeSending reads sending.log into maybeSent and rewrites it with one
// sending entry for each record that may have been sent.
//
// The log grows by one or two rows per record sent, so it is streamed:
// only the records whose last entry so far is a sending entry are kept in
// memory. Those are the records in flight at that point of the log plus
// the ones no response settled, a small set in practice.
func (w *Writer) resumeSending() error {
	f, err := os.Open(w.path(sendingName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", sendingName, err)
	}
	defer f.Close()

	// pending maps a resume key to its record and the order it was first
	// seen in, which the rewritten log keeps.
	type pendingEntry struct {
		sendingEntry
		order int
	}
	pending := make(map[uint64]pendingEntry)
	order := 0
	err = readSending(f, func(e sendingEntry) error {
		k := resumeKey(w.seed, e.file, e.line, e.externalID, e.hash)
		if e.settled {
			delete(pending, k)
			return nil
		}
		if _, done := slices.BinarySearch(w.finalKeys, k); done {
			return nil
		}
		if _, ok := pending[k]; !ok {
			pending[k] = pendingEntry{e, order}
			order++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", w.path(sendingName), err)
	}

	// rewrite the log with the records still maybe sent
	entries := make([]pendingEntry, 0, len(pending))
	maybe := make([]uint64, 0, len(pending))
	for k, e := range pending {
		entries = append(entries, e)
		maybe = append(maybe, k)
	}
	slices.SortFunc(entries, func(a, b pendingEntry) int { return cmp.Compare(a.order, b.order) })
	out, err := createPending(w.dir, sendingName)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", sendingName, err)
	}
	b := []byte(sendingHeader)
	for _, e := range entries {
		b = appendSendingRow(b, eventSending, e.file, e.line, e.externalID, e.hash)
	}
	if _, err := out.w.Write(b); err != nil {
		out.discard()
		return fmt.Errorf("rewrite %s: %w", sendingName, err)
	}
	if err := out.commit(); err != nil {
		return err
	}
	slices.Sort(maybe)
	w.maybeSent = maybe
	return nil
}

// readSending reads sending.log and calls fn for each whole row, in file
// order. A last row cut short by a kill in the middle of a write is
// ignored. It also reads the log of earlier versions, whose rows are all
// sending entries.
func readSending(r io.Reader, fn func(e sendingEntry) error) error {
	s := newRowScanner(r)
	legacy := false
	if err := checkHeader(s, sendingHeader); err != nil {
		if string(s.raw) != legacySendingHeader {
			return err
		}
		legacy = true
	}
	for {
		err := s.scan()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		e, err := parseSendingRow(s, legacy)
		if err != nil {
			if s.partial {
				return nil // torn by a kill in the middle of a write
			}
			return &LedgerError{Line: s.line, Reason: err.Error()}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// parseSendingRow parses the current row of s. A legacy row has no event
// column.
func parseSendingRow(s *rowScanner, legacy bool) (sendingEntry, error) {
	if err := s.split(); err != nil {
		return sendingEntry{}, err
	}
	want := 5
	if legacy {
		want = 4
	}
	if len(s.cells) != want {
		return sendingEntry{}, fmt.Errorf("row has %d cells, want %d", len(s.cells), want)
	}

	var e sendingEntry
	c := s.cells
	if !legacy {
		switch string(c[0]) {
		case eventSending:
		case eventSettled:
			e.settled = true
		default:
			return sendingEntry{}, fmt.Errorf("unknown event %q, want %s or %s",
				c[0], eventSending, eventSettled)
		}
		c = c[1:]
	}
	line, ok := parseInt(c[1], false)
	if !ok {
		return sendingEntry{}, fmt.Errorf("invalid line %q", c[1])
	}
	if e.hash, ok = parseHash(c[3]); !ok {
		return sendingEntry{}, fmt.Errorf("invalid record hash %q", c[3])
	}
	e.file, e.line, e.externalID = string(c[0]), int(line), string(c[2])
	return e, nil
}
