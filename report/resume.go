package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"slices"
)

// A resumed run matches records to the rows of earlier runs by a 64-bit
// resume key: a hash of the file name, line, external id and record hash.
// The Writer keeps only the sorted keys, 8 bytes per record, instead of
// the rows.
//
// NOTE: two different records whose keys collide would make the second
// one count as done. With 10 million records the chance of any collision
// is about 3 in a million.

// resumeKey returns the resume key of a record. The seed is per process,
// so keys are never stored.
func resumeKey(seed maphash.Seed, file string, line int, externalID string, hash uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(file)
	var b [17]byte // a NUL ends the file name, then line and hash
	binary.LittleEndian.PutUint64(b[1:], uint64(line))
	binary.LittleEndian.PutUint64(b[9:], hash)
	h.Write(b[:])
	h.WriteString(externalID)
	return h.Sum64()
}

// Resumed reports whether an earlier run of this job already reported the
// record with a final status (created, duplicate, invalid or skipped), so
// that this run skips it. A record whose content changed has another hash
// and is processed again, and Close replaces its old row with the new one.
func (w *Writer) Resumed(file string, line int, externalID string, hash uint64) bool {
	if len(w.finalKeys) == 0 {
		return false
	}
	_, found := slices.BinarySearch(w.finalKeys, resumeKey(w.seed, file, line, externalID, hash))
	return found
}

// MaybeSent reports whether an earlier run recorded with Sending that it
// was about to send the record and no final row followed. The client may
// then exist in COR although results.csv does not record it.
func (w *Writer) MaybeSent(file string, line int, externalID string, hash uint64) bool {
	if len(w.maybeSent) == 0 {
		return false
	}
	_, found := slices.BinarySearch(w.maybeSent, resumeKey(w.seed, file, line, externalID, hash))
	return found
}

// sendingHeader is the first line of sending.log.
const sendingHeader = "file,line,external_id,record_hash\n"

// Sending appends the record to sending.log before its first attempt, and
// returns once the line is written to the operating system. A resumed run
// reads the log back for MaybeSent.
func (w *Writer) Sending(file string, line int, externalID string, hash uint64) error {
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
	b := appendCell(w.sendingBuf[:0], file, false)
	b = append(b, ',')
	b = appendInt(b, int64(line), false)
	b = append(b, ',')
	b = appendCell(b, externalID, false)
	b = append(b, ',')
	b = appendHash(b, hash)
	b = append(b, '\n')
	w.sendingBuf = b
	if _, err := w.sending.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", sendingName, err)
	}
	return nil
}

// resume loads the report left in the folder by earlier runs.
//
// It rewrites results.csv in input order without the rows that this run
// retries. It drops from sending.log the records that reached a final
// status and cuts a torn last row off the journal of rejected records.
// It removes summary.json, which Close writes again for the whole job. If
// the process dies between two steps, a later resume still reads the
// files correctly.
func (w *Writer) resume() error {
	if _, err := os.Stat(w.path(resultsName)); errors.Is(err, fs.ErrNotExist) {
		entries, err := os.ReadDir(w.dir)
		if err != nil {
			return fmt.Errorf("read report folder: %w", err)
		}
		return removeOwned(w.dir, entries) // nothing to resume: start afresh
	}
	w.resumed = true
	if err := removeTemps(w.dir); err != nil {
		return err
	}

	var finalKeys []uint64
	err := w.rewriteResults(func(v resultsView) bool {
		final := v.status.final()
		if !final && w.rereads(v.file) {
			return false // retried by this run
		}
		if final {
			finalKeys = append(finalKeys, resumeKey(w.seed, string(v.file), v.line, string(v.externalID), v.hash))
		}
		w.counts.add(v.status)
		return true
	})
	if err != nil {
		return err
	}
	slices.Sort(finalKeys)
	w.finalKeys = slices.Clip(finalKeys)

	if err := w.resumeSending(); err != nil {
		return err
	}
	if err := w.resumeJournal(); err != nil {
		return err
	}
	if err := os.Remove(w.path(summaryName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old %s: %w", summaryName, err)
	}
	return nil
}

// rewriteResults rewrites results.csv in input order, with one row per
// record (the last one written), keeping the rows for which keep returns
// true.
func (w *Writer) rewriteResults(keep func(v resultsView) bool) error {
	f, err := os.Open(w.path(resultsName))
	if err != nil {
		return fmt.Errorf("open results file: %w", err)
	}
	defer f.Close()

	s := newRowScanner(f)
	if err := checkHeader(s, resultsHeader); err != nil {
		return fmt.Errorf("read %s: %w", w.path(resultsName), err)
	}
	secs, _, _, err := scanSections(s, w.resultsKey)
	if err != nil {
		return fmt.Errorf("read %s: %w", w.path(resultsName), err)
	}

	out, err := createPending(w.dir, resultsName)
	if err != nil {
		return fmt.Errorf("rewrite results file: %w", err)
	}
	if _, err := out.w.WriteString(resultsHeader); err != nil {
		out.discard()
		return fmt.Errorf("rewrite results file: %w", err)
	}
	err = w.mergeFile(f, secs, w.resultsKey, func(raw []byte) error {
		w.view.load(raw)
		v, err := viewResultsRow(&w.view)
		if err != nil || !keep(v) {
			return err
		}
		_, err = out.w.Write(raw)
		return err
	})
	if err != nil {
		out.discard()
		return fmt.Errorf("rewrite %s: %w", w.path(resultsName), err)
	}
	return out.commit()
}

// resultsKey is the rowKeyFunc of results.csv.
func (w *Writer) resultsKey(s *rowScanner) (orderKey, bool, error) {
	v, err := viewResultsRow(s)
	if err != nil {
		return orderKey{}, false, err
	}
	return orderKey{file: w.fileIndexBytes(v.file), line: v.line}, true, nil
}

// resumeSending reads sending.log into maybeSent and rewrites it without
// the records that have a final row.
func (w *Writer) resumeSending() error {
	f, err := os.Open(w.path(sendingName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", sendingName, err)
	}
	defer f.Close()

	out, err := createPending(w.dir, sendingName)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", sendingName, err)
	}
	var maybe []uint64
	err = readSending(f, func(file, externalID string, line int, hash uint64, raw []byte) error {
		k := resumeKey(w.seed, file, line, externalID, hash)
		if _, done := slices.BinarySearch(w.finalKeys, k); done {
			return nil
		}
		maybe = append(maybe, k)
		_, err := out.w.Write(raw)
		return err
	}, out.w)
	if err != nil {
		out.discard()
		return fmt.Errorf("read %s: %w", w.path(sendingName), err)
	}
	if err := out.commit(); err != nil {
		return err
	}
	slices.Sort(maybe)
	w.maybeSent = slices.Clip(maybe)
	return nil
}

// readSending reads sending.log, writing its header to header and calling
// fn for each whole row.
func readSending(r io.Reader, fn func(file, externalID string, line int, hash uint64, raw []byte) error,
	header io.Writer) error {
	s := newRowScanner(r)
	if err := checkHeader(s, sendingHeader); err != nil {
		return err
	}
	if _, err := io.WriteString(header, sendingHeader); err != nil {
		return err
	}
	for {
		err := s.scan()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = s.split()
		var line int64
		var hash uint64
		if err == nil && len(s.cells) != 4 {
			err = fmt.Errorf("row has %d cells, want 4", len(s.cells))
		}
		if err == nil {
			var okLine, okHash bool
			line, okLine = parseInt(s.cells[1], false)
			hash, okHash = parseHash(s.cells[3])
			if !okLine || !okHash {
				err = errors.New("line or record_hash is not valid")
			}
		}
		if err != nil {
			if s.partial {
				return nil // torn by a kill in the middle of a write
			}
			return &LedgerError{Line: s.line, Reason: err.Error()}
		}
		raw := s.raw
		if s.partial {
			raw = append(raw, '\n')
		}
		if err := fn(string(s.cells[0]), string(s.cells[2]), int(line), hash, raw); err != nil {
			return err
		}
	}
}

// load makes raw the current row of s, for split.
func (s *rowScanner) load(raw []byte) {
	s.raw = raw
	s.partial = false
}
