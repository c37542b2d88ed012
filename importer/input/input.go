package input

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// DefaultMaxRecordBytes is the size limit for one CSV record or JSONL line
// when Options.MaxRecordBytes is zero.
const DefaultMaxRecordBytes = 16 << 20

// sampleSize is how many bytes Open inspects to detect the encoding and,
// for standard input, the format.
const sampleSize = 64 << 10

// ErrInvalidOption is wrapped by the errors that Open returns for options it
// cannot use, such as an unknown format or encoding. Such errors are usage
// errors: nothing was read.
var ErrInvalidOption = errors.New("invalid input option")

// Options selects how Open reads a file. The zero value detects everything.
type Options struct {
	// Format is "csv", "jsonl", or "" or "auto" to choose from the file
	// name: .csv, .tsv and .txt are CSV, .jsonl, .ndjson and .json are
	// JSONL, each optionally followed by .gz. For standard input, auto
	// looks at the first byte that is not white space: { or [ means JSONL.
	Format string

	// Encoding is "auto" (or ""), "utf-8", "utf-16le", "utf-16be",
	// "windows-1252" or "iso-8859-1". Auto uses a byte-order mark when the
	// file has one. Without one, a file whose non-ASCII bytes are not
	// UTF-8 and contain no valid multi-byte UTF-8 sequence is read as
	// Windows-1252, and any other file as UTF-8.
	Encoding string

	// Delimiter separates CSV fields. Zero detects it from the header
	// among comma, semicolon, tab and vertical bar.
	Delimiter rune

	// MaxRecordBytes limits one CSV record or one JSONL line, in bytes.
	// Zero means DefaultMaxRecordBytes.
	MaxRecordBytes int
}

// Reader streams the records of one input file. It is not safe for
// concurrent use.
type Reader interface {
	// Header returns the column names. For CSV these are the header
	// cells, trimmed of white space (including U+00A0) with their case
	// kept, in file order; an unnamed column is "". For JSONL and JSON
	// arrays they are the keys of the objects among the first 100 records
	// (fewer once those hold 1 MiB of text, but always up to the first
	// object), with nested objects flattened to dotted paths such as
	// "contact.email", in the order first seen. A key that first appears
	// after those records is not in the header.
	Header() []string

	// Next returns the next record, or io.EOF after the last one. A problem
	// with one record is reported in Record.Err, not here. Any other error
	// is a problem with the whole file, usually a *FileError, and the
	// Reader cannot go on after it.
	Next() (*Record, error)

	// Info describes how the file is being read. Read it again after
	// io.EOF, because the encoding of a file whose first 64 KiB are
	// ASCII is settled only when the first non-ASCII byte appears.
	Info() Info

	// Close releases the file. It does not close standard input.
	Close() error
}

// Info describes how a Reader decodes its file.
type Info struct {
	Format    string // "csv", "jsonl", or "json" for a file that is one JSON array
	Encoding  string // "utf-8", "utf-16le", "utf-16be", "windows-1252" or "iso-8859-1"
	Guessed   bool   // the encoding was chosen from the content, without a byte-order mark or an option
	Delimiter rune   // CSV field delimiter; zero for JSON
	Warnings  []string
}

// FileError is a problem with a whole file, such as a file that cannot be
// opened or decoded, or a header that cannot be read. The run should stop
// on it.
type FileError struct {
	File   string
	Line   int    // 1-based line where the problem was found, or 0
	Reason string // what is wrong and what to do about it
	Err    error  // underlying error, if any
}

func (e *FileError) Error() string {
	msg := "read " + e.File
	if e.Line > 0 {
		msg += fmt.Sprintf(" line %d", e.Line)
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Open opens the file called name, or stdin when name is "-", and returns a
// Reader positioned after the CSV header (or before the first JSON record).
// Gzip compression is detected from the first bytes of any file. Errors are
// *FileError, or wrap ErrInvalidOption.
func Open(name string, stdin io.Reader, opts Options) (Reader, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "auto" && name != "-" {
		f, err := formatFromName(name)
		if err != nil {
			return nil, err
		}
		format = f
	}

	src, closer := stdin, io.Closer(nil)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, &FileError{File: name, Reason: "cannot open the file; check the path " +
				"and its permissions", Err: err}
		}
		src, closer = f, f
	}
	r, err := newReader(name, src, format, opts)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	r.setCloser(closer)
	return r, nil
}

// Check reports an invalid option as Open would, without opening a file,
// so that a command can reject it before it creates anything. The error
// wraps ErrInvalidOption.
func (o Options) Check() error {
	return o.normalize()
}

// normalize fills in defaults and checks the options.
func (o *Options) normalize() error {
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	switch o.Format {
	case "", "auto":
		o.Format = "auto"
	case "csv", "jsonl":
	case "ndjson", "json":
		o.Format = "jsonl"
	default:
		return fmt.Errorf("input: %w: format %q: use csv, jsonl or auto", ErrInvalidOption, o.Format)
	}

	enc, ok := encodingNames[strings.ToLower(strings.TrimSpace(o.Encoding))]
	if !ok {
		return fmt.Errorf("input: %w: encoding %q: use auto, utf-8, utf-16le, utf-16be, "+
			"windows-1252 or iso-8859-1", ErrInvalidOption, o.Encoding)
	}
	o.Encoding = enc

	d := o.Delimiter
	if d != 0 && (d >= utf8.RuneSelf || d == '"' || d == '\r' || d == '\n' || d == 0) {
		return fmt.Errorf("input: %w: delimiter %q: use an ASCII character other than "+
			"a quote or a line break, such as , ; | or TAB", ErrInvalidOption, d)
	}

	switch {
	case o.MaxRecordBytes == 0:
		o.MaxRecordBytes = DefaultMaxRecordBytes
	case o.MaxRecordBytes < 0:
		return fmt.Errorf("input: %w: record size limit %d is negative", ErrInvalidOption, o.MaxRecordBytes)
	}
	return nil
}

// formatFromName returns "csv" or "jsonl" from the extension of name.
func formatFromName(name string) (string, error) {
	base := strings.ToLower(filepath.Base(name))
	base = strings.TrimSuffix(base, ".gz")
	switch filepath.Ext(base) {
	case ".csv", ".tsv", ".txt":
		return "csv", nil
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	}
	return "", fmt.Errorf("input: %w: cannot tell the format of %s from its extension; "+
		"pass --format csv or --format jsonl", ErrInvalidOption, name)
}

// reader is a Reader that can take over the closer of its file.
type reader interface {
	Reader
	setCloser(io.Closer)
}

// newReader sets up decompression and decoding of src and returns the
// reader for the format, "auto" meaning detect it from the content.
func newReader(name string, src io.Reader, format string, opts Options) (reader, error) {
	st, err := openStream(name, src, opts.Encoding)
	if err != nil {
		return nil, err
	}
	if format == "auto" {
		format = "csv"
		if c := firstNonSpace(st.sample); c == '{' || c == '[' {
			format = "jsonl"
		}
	}
	if format == "csv" {
		return newCSVReader(name, st, opts)
	}
	if firstNonSpace(st.sample) == '[' {
		return newArrayReader(name, st, opts)
	}
	return newJSONLReader(name, st, opts)
}

// stream is a decompressed input whose byte-order mark has been removed
// and whose UTF-16, if any, has been converted to UTF-8.
type stream struct {
	r      *bufio.Reader
	gz     *gzip.Reader // nil unless the input is compressed
	text   *textDecoder
	sample []byte // the first bytes of r, valid until r is read
}

// close closes what the stream opened, such as the gzip reader.
func (s *stream) close() error {
	if s.gz != nil {
		return s.gz.Close()
	}
	return nil
}

// openStream detects compression and the encoding of src.
func openStream(name string, src io.Reader, encoding string) (*stream, error) {
	st := &stream{r: bufio.NewReaderSize(src, sampleSize)}
	magic, err := st.r.Peek(2)
	if err != nil && err != io.EOF {
		return nil, &FileError{File: name, Reason: "cannot read the file", Err: err}
	}
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(st.r)
		if err != nil {
			return nil, &FileError{File: name, Reason: "the file starts like gzip but its " +
				"gzip header is invalid; check that the download is complete", Err: err}
		}
		st.gz = gz
		st.r = bufio.NewReaderSize(gz, sampleSize)
	}

	head, err := st.r.Peek(4)
	if err != nil && err != io.EOF {
		return nil, readError(name, err)
	}
	bom, n := sniffBOM(head)
	text, err := chooseEncoding(name, encoding, bom)
	if err != nil {
		return nil, err
	}
	st.text = text
	st.r.Discard(n)
	if text.utf16 != nil {
		tr := text.utf16.NewDecoder().Reader(st.r)
		st.r = bufio.NewReaderSize(tr, sampleSize)
	}

	st.sample, err = st.r.Peek(sampleSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, readError(name, err)
	}
	if err := text.inspect(name, st.sample); err != nil {
		return nil, err
	}
	return st, nil
}

// readError wraps an error from the underlying reader or gzip stream.
func readError(name string, err error) *FileError {
	reason := "cannot read the file"
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		reason = "the compressed data is damaged or truncated; check that the file was " +
			"copied completely"
	}
	return &FileError{File: name, Reason: reason, Err: err}
}

// firstNonSpace returns the first byte of b that is not JSON white space,
// or 0.
func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}
