package input

import (
	"bytes"
	"errors"
	"io"
)

var (
	// errLineTooLong means that the first line of a record was longer than
	// the limit. The scanner has skipped it.
	errLineTooLong = errors.New("line too long")

	// errRecordTooLong means that a later line of a record would take the
	// record past the limit. The scanner has not consumed it.
	errRecordTooLong = errors.New("record too long")
)

// lineScanner splits a stream into physical lines ended by LF, CRLF or a
// lone CR. All the lines of the record being read stay in its buffer, from
// mark on, so that a parser can look back at them and rewind to any of them
// without copying.
type lineScanner struct {
	src  io.Reader
	buf  []byte
	mark int // start of the current record in buf
	pos  int // next unread byte
	end  int // end of the data in buf
	max  int // limit on the bytes from mark to the end of a line
	eof  bool
	err  error // read error other than io.EOF

	// searched counts the bytes after pos already known to contain no
	// line end, so that a long line arriving in small reads is scanned once.
	searched int

	// lf is the index in buf of the first LF at or after an earlier pos,
	// or -1 when buf has none before lfScanned. Without it a file that ends
	// its lines with CR alone would be searched for LF to the end of the
	// buffer once per line.
	lf, lfScanned int

	line int // number of the last line returned, 1-based
}

func newLineScanner(src io.Reader, max int) *lineScanner {
	size := 64 << 10
	if max+1 < size {
		size = max + 1
	}
	return &lineScanner{src: src, buf: make([]byte, size), max: max, lf: -1}
}

// begin starts a record at the next unread byte.
func (s *lineScanner) begin() { s.mark = s.pos }

// bytesAt returns the bytes from offset lo to hi relative to mark.
func (s *lineScanner) bytesAt(lo, hi int) []byte { return s.buf[s.mark+lo : s.mark+hi] }

// rest returns the buffered bytes from mark on, as a sample of what
// follows.
func (s *lineScanner) rest() []byte { return s.buf[s.mark:s.end] }

// rewind makes the scanner read again from offset off relative to mark,
// the start of the given line.
func (s *lineScanner) rewind(off, line int) {
	s.pos, s.searched = s.mark+off, 0
	s.lf, s.lfScanned = -1, 0
	s.line = line - 1
}

// nextLine reads the next line. It returns the offsets of its content
// relative to mark, hi excluded, and the length of its line end (0 for a
// last line without one). It returns io.EOF when no bytes are left,
// errLineTooLong or errRecordTooLong at the limit, and read errors other
// than io.EOF.
func (s *lineScanner) nextLine() (lo, hi, term int, err error) {
	for {
		n, t, ok := s.findLineEnd()
		if ok {
			if s.pos+n+t-s.mark > s.max {
				return s.tooLong()
			}
			if n+t == 0 {
				if s.err != nil {
					return 0, 0, 0, s.err
				}
				return 0, 0, 0, io.EOF
			}
			lo = s.pos - s.mark
			s.pos += n + t
			s.searched = 0
			s.line++
			return lo, lo + n, t, nil
		}

		// Remember how far there is no line end; a CR at the end may
		// still be the start of a CRLF.
		s.searched = s.end - s.pos
		if s.searched > 0 && s.buf[s.end-1] == '\r' {
			s.searched--
		}
		if s.end-s.mark > s.max {
			return s.tooLong()
		}
		s.fill()
	}
}

// tooLong handles a line that takes the record past the limit.
func (s *lineScanner) tooLong() (int, int, int, error) {
	if s.pos > s.mark {
		s.searched = 0
		return 0, 0, 0, errRecordTooLong
	}

	// The line alone is too long: drop it without keeping it.
	s.searched = 0
	for {
		n, t, ok := s.findLineEnd()
		if ok {
			s.pos += n + t
			break
		}
		s.pos = s.end
		if s.end > s.mark && s.buf[s.end-1] == '\r' {
			s.pos--
		}
		s.mark = s.pos
		s.fill()
	}
	s.mark, s.searched = s.pos, 0
	s.line++
	if s.err != nil {
		return 0, 0, 0, s.err
	}
	return 0, 0, 0, errLineTooLong
}

// fill moves the current record to the front of the buffer, grows the
// buffer if the record fills it, and reads more data.
func (s *lineScanner) fill() {
	if s.eof {
		return
	}
	if s.mark > 0 {
		copy(s.buf, s.buf[s.mark:s.end])
		s.pos -= s.mark
		s.end -= s.mark
		if s.lf >= 0 {
			s.lf -= s.mark
		}
		s.lfScanned = max(s.lfScanned-s.mark, 0)
		s.mark = 0
	}
	if s.end == len(s.buf) {
		size := 2 * len(s.buf)
		if size > s.max+1 {
			size = s.max + 1
		}
		if size <= len(s.buf) {
			size = len(s.buf) + 1
		}
		buf := make([]byte, size)
		copy(buf, s.buf[:s.end])
		s.buf = buf
	}
	for range 100 {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
			return
		}
		if n > 0 {
			return
		}
	}
	s.eof, s.err = true, io.ErrNoProgress
}

// findLineEnd returns the length of the line at pos and the length of its
// line end (1 for LF or a lone CR, 2 for CRLF). ok is false when the
// buffer contains no complete line and more data may come. At EOF the rest
// of the buffer is the last line.
func (s *lineScanner) findLineEnd() (n, term int, ok bool) {
	lf := s.findLF()
	from := s.pos + s.searched
	head := s.buf[from:s.end]
	if lf >= 0 {
		head = s.buf[from:lf]
	}
	if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
		at := from + cr
		switch {
		case at+1 < s.end && s.buf[at+1] == '\n':
			return at - s.pos, 2, true
		case at+1 < s.end || s.eof:
			return at - s.pos, 1, true
		}
		return 0, 0, false
	}
	if lf >= 0 {
		return lf - s.pos, 1, true
	}
	if s.eof {
		return s.end - s.pos, 0, true
	}
	return 0, 0, false
}

// findLF returns the index in buf of the first LF at or after pos, or -1.
func (s *lineScanner) findLF() int {
	if s.lf >= s.pos {
		return s.lf
	}
	from := s.pos
	if s.lf == -1 && s.lfScanned > from {
		from = s.lfScanned
	}
	if i := bytes.IndexByte(s.buf[from:s.end], '\n'); i >= 0 {
		s.lf = from + i
		return s.lf
	}
	s.lf, s.lfScanned = -1, s.end
	return -1
}
