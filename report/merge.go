package report

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// The report's files keep their rows sorted by orderKey. A resumed run,
// and even more a resumed run that was killed, leaves a file made of
// several sorted sections instead: the rows kept from earlier runs, then
// the rows of each later run. Merging those sections restores input order
// while streaming, without loading the file.

// orderKey orders rows by input file, then by line.
type orderKey struct {
	file int // index in Options.Inputs, or later for other files
	line int
}

func (k orderKey) less(o orderKey) bool {
	if k.file != o.file {
		return k.file < o.file
	}
	return k.line < o.line
}

// rowKeyFunc returns the key of the current row of s. keep is false for
// rows that take no part in merges (the journal's target headers).
type rowKeyFunc func(s *rowScanner) (k orderKey, keep bool, err error)

// section is a byte range of a file whose rows are sorted by key.
type section struct{ start, end int64 }

// maxFanIn bounds the sections merged at once, and so the buffers held
// open (32 KiB each). More sections are merged in passes.
const maxFanIn = 64

// scanSections reads the rows left in s and splits them into sections of
// non-decreasing key. A last row cut short ends the scan; end is the
// offset after the last whole row. ordered is false when the rows need a
// merge: there is more than one section, or two rows share a key.
func scanSections(s *rowScanner, key rowKeyFunc) (secs []section, end int64, ordered bool, err error) {
	end, ordered = s.read, true
	var last orderKey
	haveKey := false
	for {
		err := s.scan()
		if errors.Is(err, io.EOF) {
			return secs, end, ordered, nil
		}
		if err != nil {
			return nil, 0, false, err
		}
		k, keep, err := key(s)
		if err != nil {
			if s.partial {
				return secs, end, ordered, nil // torn by a kill in the middle of a write
			}
			return nil, 0, false, err
		}
		if len(secs) == 0 || keep && haveKey && k.less(last) {
			secs = append(secs, section{start: s.offset})
		}
		if keep {
			if haveKey && !last.less(k) {
				ordered = false
			}
			last, haveKey = k, true
		}
		end = s.read
		secs[len(secs)-1].end = end
	}
}

// mergeFile merges the sections of f and calls emit with each row, in key
// order. Of rows that share a key, only the last one in file order is
// emitted: it comes from the latest run. emit must not keep raw.
func (w *Writer) mergeFile(f *os.File, secs []section, key rowKeyFunc, emit func(raw []byte) error) error {
	var src io.ReaderAt = f
	for len(secs) > maxFanIn {
		tmp, err := os.CreateTemp(w.dir, mergeTempPattern)
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()

		bw := bufio.NewWriterSize(tmp, 64<<10)
		var off int64
		var next []section
		for i := 0; i < len(secs); i += maxFanIn {
			start := off
			group := secs[i:min(i+maxFanIn, len(secs))]
			err := mergeSections(src, group, key, func(raw []byte) error {
				n, err := bw.Write(raw)
				off += int64(n)
				return err
			})
			if err != nil {
				return err
			}
			next = append(next, section{start, off})
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		src, secs = tmp, next
	}
	return mergeSections(src, secs, key, emit)
}

// cursor is the reading position in one section during a merge.
type cursor struct {
	s   *rowScanner
	key orderKey
}

// advance moves c to the next row that takes part in merges. It returns
// false at the end of the section.
func (c *cursor) advance(key rowKeyFunc) (bool, error) {
	for {
		err := c.s.scan()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		k, keep, err := key(c.s)
		if err != nil {
			return false, err
		}
		if keep {
			c.key = k
			return true, nil
		}
	}
}

// mergeSections merges up to maxFanIn sections of src. It picks the
// smallest key by a linear scan, which costs less than a heap for the
// few sections a resume leaves.
func mergeSections(src io.ReaderAt, secs []section, key rowKeyFunc, emit func(raw []byte) error) error {
	var live []*cursor
	for _, sec := range secs {
		c := &cursor{s: newRowScanner(io.NewSectionReader(src, sec.start, sec.end-sec.start))}
		ok, err := c.advance(key)
		if err != nil {
			return err
		}
		if ok {
			live = append(live, c)
		}
	}

	// hold each row back until the next key shows whether a later
	// section repeats it
	var heldRow []byte
	var heldKey orderKey
	holding := false
	for len(live) > 0 {
		low := 0
		for i, c := range live[1:] {
			if c.key.less(live[low].key) {
				low = i + 1
			}
		}
		c := live[low]
		if holding && heldKey != c.key {
			if err := emit(heldRow); err != nil {
				return err
			}
		}
		heldRow = append(heldRow[:0], c.s.raw...)
		if heldRow[len(heldRow)-1] != '\n' {
			heldRow = append(heldRow, '\n')
		}
		heldKey, holding = c.key, true

		ok, err := c.advance(key)
		if err != nil {
			return err
		}
		if !ok {
			live = append(live[:low], live[low+1:]...)
		}
	}
	if holding {
		return emit(heldRow)
	}
	return nil
}
