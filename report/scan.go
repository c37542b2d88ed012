package report

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// rowScanner splits a CSV file written by this package into rows and
// cells, keeping each row's bytes so that merges copy rows unchanged.
//
// It reads the strict dialect that appendCell writes: comma-separated,
// cells quoted with '"' and quotes doubled inside, rows ending in "\n"
// outside quotes. A row ends at the first "\n" after an even number of
// quotes, which is exact for that dialect.
type rowScanner struct {
	br *bufio.Reader

	raw     []byte   // the current row as read, with its "\n" if any
	cells   [][]byte // the current row's cells, unquoted
	buf     []byte   // storage for unquoted cells
	line    int      // physical line where the current row starts
	next    int      // physical line where the next row starts
	offset  int64    // byte offset of the current row in the input
	read    int64    // bytes consumed so far
	partial bool     // the current row has no "\n" (end of input)
}

func newRowScanner(r io.Reader) *rowScanner {
	return &rowScanner{br: bufio.NewReaderSize(r, 32<<10), next: 1}
}

// errCellSyntax is the reason for a row that the dialect does not allow.
var errCellSyntax = errors.New("malformed CSV cell")

// scan reads the next row into raw. It returns io.EOF when no bytes are
// left; a last row without "\n" is returned with partial set.
func (s *rowScanner) scan() error {
	s.raw = s.raw[:0]
	s.partial = false
	s.offset = s.read
	s.line = s.next
	quotes := 0
	for {
		chunk, err := s.br.ReadSlice('\n')
		s.raw = append(s.raw, chunk...)
		quotes += bytes.Count(chunk, []byte{'"'})
		s.next += bytes.Count(chunk, []byte{'\n'})
		switch {
		case err == nil && quotes%2 == 0:
			s.read += int64(len(s.raw))
			return nil
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			s.read += int64(len(s.raw))
			if len(s.raw) == 0 {
				return io.EOF
			}
			s.partial = true
			return nil
		default:
			return err
		}
	}
}

// split parses raw into cells. The cells stay valid until the next scan.
func (s *rowScanner) split() error {
	row := s.raw
	if n := len(row); n > 0 && row[n-1] == '\n' {
		row = row[:n-1]
		if n := len(row); n > 0 && row[n-1] == '\r' {
			row = row[:n-1]
		}
	}
	s.cells = s.cells[:0]
	s.buf = s.buf[:0]
	i := 0
	for {
		var cell []byte
		if i < len(row) && row[i] == '"' {
			start := len(s.buf)
			i++
			for {
				j := bytes.IndexByte(row[i:], '"')
				if j < 0 {
					return errCellSyntax
				}
				s.buf = append(s.buf, row[i:i+j]...)
				i += j + 1
				if i < len(row) && row[i] == '"' {
					s.buf = append(s.buf, '"')
					i++
					continue
				}
				break
			}
			cell = s.buf[start:len(s.buf):len(s.buf)]
		} else {
			end := len(row)
			if j := bytes.IndexByte(row[i:], ','); j >= 0 {
				end = i + j
			}
			cell = row[i:end:end]
			if bytes.IndexByte(cell, '"') >= 0 {
				return errCellSyntax
			}
			i = end
		}
		s.cells = append(s.cells, cell)
		if i == len(row) {
			return nil
		}
		if row[i] != ',' {
			return errCellSyntax
		}
		i++
	}
}
