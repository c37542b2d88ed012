package report

import (
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Mode selects what Open does with a report folder that already contains files.
type Mode int

// The modes of Open.
const (
	New       Mode = iota // reject a folder that is not empty
	Overwrite             // remove the report's own files first, keep any other file
	Resume                // continue the report found in the folder
)

// Options configure Open.
type Options struct {
	Mode Mode

	// Inputs are the input files in command-line order. Rows of
	// different files are ordered by their position here; files that are
	// not listed sort after the listed ones. A resumed run retries the
	// failed and unprocessed records of the listed files only, so that
	// the rows of a file left out stay accounted for. With no Inputs,
	// every file counts as listed.
	Inputs []string

	// Now returns the current time for summary.json; nil means time.Now.
	Now func() time.Time
}

// flushSize is the buffered size at which Write flushes on its own.
const flushSize = 64 << 10

// ErrClosed is returned by methods called after Close.
var ErrClosed = errors.New("report is closed")

// Writer writes the report of one run into a folder. Create it with Open.
//
// Write, Flush, Close and Counts must be called from one goroutine.
// Resumed, MaybeSent, Sending and Settled are safe for concurrent use,
// with each other and with that goroutine.
type Writer struct {
	dir     string
	opts    Options
	started time.Time

	results    *os.File
	resultsBuf []byte
	journal    *os.File // created with the first rejected record
	journalBuf []byte

	files   map[string]int // input file name to its order index
	last    orderKey       // key of the last row written
	wrote   bool           // this run wrote a row
	sorted  bool           // rows arrived in strictly increasing key order
	resumed bool           // a results file was found and resumed

	counts Counts

	seed      maphash.Seed
	finalKeys []uint64 // sorted resume keys of records with a final row
	maybeSent []uint64 // sorted resume keys of records an earlier run may have sent

	sendingMu     sync.Mutex
	sending       *os.File // created with the first Sending call
	sendingBuf    []byte
	sendingClosed bool

	targets *targets
	rows    *rowEncoder // created with the first rejected record
	scratch []byte
	view    rowScanner // re-reads one row during merges
	closed  bool
}

// Open prepares the report folder dir (creating it if needed) according
// to opts.Mode and returns a Writer that appends to its results file.
//
// In mode New, a folder that contains any file is rejected with an error
// wrapping ErrNotEmpty. In mode Resume, Open reads the results left by
// earlier runs (see Resumed). A folder without results.csv starts a new
// report, so that a job always started with the same arguments also works
// the first time.
func Open(dir string, opts Options) (*Writer, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Writer{
		dir:     dir,
		opts:    opts,
		started: opts.Now(),
		files:   make(map[string]int, len(opts.Inputs)),
		sorted:  true,
		seed:    maphash.MakeSeed(),
		targets: newTargets(),
	}
	for i, name := range opts.Inputs {
		if _, dup := w.files[name]; dup {
			return nil, fmt.Errorf("input file %q is given twice; "+
				"the report could not tell its records apart", name)
		}
		w.files[name] = i
	}
	if err := prepareDir(dir, opts.Mode); err != nil {
		return nil, err
	}
	if opts.Mode == Resume {
		if err := w.resume(); err != nil {
			return nil, err
		}
	}

	f, err := openAppend(w.path(resultsName), resultsHeader)
	if err != nil {
		return nil, fmt.Errorf("open results file: %w", err)
	}
	w.results = f
	return w, nil
}

func (w *Writer) path(name string) string { return filepath.Join(w.dir, name) }

// fileIndex returns the order index of an input file. A file that is not
// in Options.Inputs gets the next free index when first seen.
func (w *Writer) fileIndex(name string) int {
	if i, ok := w.files[name]; ok {
		return i
	}
	i := len(w.files)
	w.files[name] = i
	return i
}

// fileIndexBytes is fileIndex for a name read from a file; the lookup
// does not allocate.
func (w *Writer) fileIndexBytes(name []byte) int {
	if i, ok := w.files[string(name)]; ok {
		return i
	}
	return w.fileIndex(string(name))
}

// rereads reports whether this run reads the input file name again, so
// that its failed and unprocessed records are retried.
func (w *Writer) rereads(name []byte) bool {
	if len(w.opts.Inputs) == 0 {
		return true
	}
	i, ok := w.files[string(name)]
	return ok && i < len(w.opts.Inputs)
}

// Write appends the row of o to results.csv and, for invalid and failed
// records, keeps its original values for the rejected files. Outcomes
// should arrive in Seq order (see Reorder); rows that do not are put in
// order by Close.
func (w *Writer) Write(o *Outcome) error {
	if w.closed {
		return ErrClosed
	}
	if parseStatus(o.Status) == "" {
		return fmt.Errorf("write %s line %d: unknown status %q", o.File, o.Line, o.Status)
	}

	k := orderKey{file: w.fileIndex(o.File), line: o.Line}
	if w.wrote && !w.last.less(k) {
		w.sorted = false
	}
	w.last, w.wrote = k, true

	w.resultsBuf = appendResultsRow(w.resultsBuf, o)
	w.counts.add(o.Status)
	if o.Status == Invalid || o.Status == Failed {
		if err := w.keepRejected(o); err != nil {
			return err
		}
	}
	if len(w.resultsBuf) >= flushSize || len(w.journalBuf) >= flushSize {
		return w.Flush()
	}
	return nil
}

// Flush writes the buffered rows to the operating system. Only whole rows
// are written, so a process killed between flushes loses whole rows. A
// kill in the middle of a write may still cut the last row short, and the
// readers of these files ignore such a row. Flush does not sync to disk.
//
// The journal of rejected records is written before results.csv, so that
// a final row in results.csv always has its rejected values on disk.
func (w *Writer) Flush() error {
	if w.closed {
		return ErrClosed
	}
	if len(w.journalBuf) > 0 {
		if _, err := w.journal.Write(w.journalBuf); err != nil {
			return fmt.Errorf("write %s: %w", journalName, err)
		}
		w.journalBuf = w.journalBuf[:0]
	}
	if len(w.resultsBuf) > 0 {
		if _, err := w.results.Write(w.resultsBuf); err != nil {
			return fmt.Errorf("write %s: %w", resultsName, err)
		}
		w.resultsBuf = w.resultsBuf[:0]
	}
	return nil
}

// Counts returns the records counted so far: the rows kept from earlier
// runs plus the rows written by this one. After Close they are recounted
// from the final results file.
func (w *Writer) Counts() Counts { return w.counts }

// Close flushes the rows, puts results.csv in input order when a resume or
// unordered writes require it, writes the rejected files and then
// summary.json. It keeps going after a failed step and returns every
// error met.
//
// Each file is replaced in one rename, so a crash during Close leaves a
// report that a resumed run can read.
func (w *Writer) Close(exitCode int, dryRun bool) error {
	if w.closed {
		return ErrClosed
	}
	errs := []error{w.Flush()}
	w.closed = true
	errs = append(errs, w.results.Close())
	if w.journal != nil {
		errs = append(errs, w.journal.Close())
	}
	w.sendingMu.Lock()
	if w.sending != nil {
		errs = append(errs, w.sending.Close())
		w.sending = nil
	}
	w.sendingClosed = true
	w.sendingMu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	reordered := w.resumed || !w.sorted
	if reordered {
		errs = append(errs, w.sortResults())
	}
	rejected, err := w.writeRejected(reordered)
	errs = append(errs, err)
	errs = append(errs, w.writeSummary(exitCode, dryRun, rejected))
	return errors.Join(errs...)
}

// sortResults rewrites results.csv in input order, keeping only the last
// row of a record written twice, and recounts the records.
func (w *Writer) sortResults() error {
	w.counts = Counts{}
	return w.rewriteResults(func(v resultsView) bool {
		w.counts.add(v.status)
		return true
	})
}
