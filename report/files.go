package report

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Names of the files in the report folder.
const (
	resultsName  = "results.csv"
	summaryName  = "summary.json"
	journalName  = "rejected.journal"
	sendingName  = "sending.log"
	rejectedCSV  = "rejected.csv"
	rejectedJSON = "rejected.jsonl"

	mergeTempPattern = ".corimport-merge-*.tmp"
)

// ownedPatterns match the names of the files the report writes. Overwrite
// removes these and nothing else; each may also exist as NAME.*.tmp, a
// temporary file left by a crash before its rename.
var ownedPatterns = []string{
	resultsName, summaryName, journalName, sendingName,
	rejectedCSV, "rejected-*.csv", rejectedJSON,
}

// owned reports whether name is a file the report writes.
func owned(name string) bool {
	if ok, _ := filepath.Match(mergeTempPattern, name); ok {
		return true
	}
	for _, p := range ownedPatterns {
		for _, pattern := range [...]string{p, p + ".*.tmp"} {
			if ok, _ := filepath.Match(pattern, name); ok {
				return true
			}
		}
	}
	return false
}

// ErrNotEmpty is returned by Open in mode New when the report folder
// already contains files.
var ErrNotEmpty = errors.New("report folder is not empty")

// prepareDir creates dir if needed and applies mode to its contents.
func prepareDir(dir string, mode Mode) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read report folder: %w", err)
	}
	switch mode {
	case New:
		if len(entries) > 0 {
			return fmt.Errorf("%w: %s contains %s; pass --overwrite to replace its report, "+
				"or --resume to continue it", ErrNotEmpty, dir, entries[0].Name())
		}
	case Overwrite:
		return removeOwned(dir, entries)
	}
	return nil
}

// removeOwned removes the report's files from dir, leaving other files.
func removeOwned(dir string, entries []os.DirEntry) error {
	for _, e := range entries {
		if e.IsDir() || !owned(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("remove old report file: %w", err)
		}
	}
	return nil
}

// removeTemps removes the temporary files that a crash left in dir
// before their rename.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read report folder: %w", err)
	}
	var temps []os.DirEntry
	for _, e := range entries {
		if owned(e.Name()) && filepath.Ext(e.Name()) == ".tmp" {
			temps = append(temps, e)
		}
	}
	return removeOwned(dir, temps)
}

// pending is a file being written under a temporary name, to replace its
// final name in one rename once complete. A crash leaves either the old
// file or the new one, never a mix.
type pending struct {
	f     *os.File
	w     *bufio.Writer
	final string
}

func createPending(dir, name string) (*pending, error) {
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &pending{f: f, w: bufio.NewWriterSize(f, 64<<10), final: filepath.Join(dir, name)}, nil
}

// commit writes the file to disk and renames it to its final name.
//
// NOTE: the folder itself is not synced after the rename, so a power
// failure right after commit may still show the old file. A killed
// process cannot cause that.
func (p *pending) commit() error {
	err := p.w.Flush()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.f.Name(), p.final)
	}
	if err != nil {
		os.Remove(p.f.Name())
		return fmt.Errorf("write %s: %w", filepath.Base(p.final), err)
	}
	return nil
}

// discard removes the temporary file after a failure.
func (p *pending) discard() {
	p.f.Close()
	os.Remove(p.f.Name())
}

// openAppend opens a report file for appending, writing header first when
// the file is new or empty.
func openAppend(path, header string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && info.Size() == 0 {
		_, err = f.WriteString(header)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
