package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
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

// resume loads the report left in the folder by earlier runs.
//
// It rewrites results.csv in input order without the rows that this run
// retries. It rewrites sending.log with only the records that may have
// been sent and cuts a torn last row off the journal of rejected records.
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

// load makes raw the current row of s, for split.
func (s *rowScanner) load(raw []byte) {
	s.raw = raw
	s.partial = false
}
