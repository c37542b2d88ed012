package input

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// encodingNames maps the accepted spellings of Options.Encoding to the
// canonical names.
var encodingNames = map[string]string{
	"": "auto", "auto": "auto",
	"utf-8": "utf-8", "utf8": "utf-8",
	"utf-16le": "utf-16le", "utf16le": "utf-16le",
	"utf-16be": "utf-16be", "utf16be": "utf-16be",
	"windows-1252": "windows-1252", "cp1252": "windows-1252",
	"iso-8859-1": "iso-8859-1", "latin1": "iso-8859-1", "latin-1": "iso-8859-1",
}

// replacementChar is U+FFFD in UTF-8. Decoders put it in place of bytes they
// cannot decode, so a value containing it has already lost text.
var replacementChar = []byte("\uFFFD")

// textDecoder turns the bytes of fields and lines into UTF-8 strings and
// finds the fields that cannot be decoded.
//
// UTF-16 is converted for the whole stream before parsing, so that the
// parsers see UTF-8. The other encodings are ASCII-compatible, so the
// parsers work on the raw bytes and textDecoder converts each record after
// it is split. That lets auto detection wait for the first non-ASCII byte:
// what came before it reads the same in UTF-8 and Windows-1252.
type textDecoder struct {
	name    string           // canonical encoding name, for Info
	guessed bool             // chosen from content
	decided bool             // false while auto has seen only ASCII
	single  *charmap.Charmap // non-nil for a single-byte encoding
	utf16   encoding.Encoding
	warning string // explanation shown when auto detection chose Windows-1252

	out  []byte // reused buffer for single-byte decoding
	ends []int  // reused field ends into out
}

// sniffBOM returns the encoding named by a byte-order mark at the start of
// head, and the mark's length.
func sniffBOM(head []byte) (string, int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		return "utf-8", 3
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return "utf-16le", 2
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return "utf-16be", 2
	}
	return "", 0
}

// chooseEncoding builds the decoder for the requested encoding and the
// byte-order mark found, if any.
func chooseEncoding(file, requested, bom string) (*textDecoder, error) {
	name := requested
	if requested == "auto" {
		name = bom
	} else if bom != "" && bom != requested {
		return nil, &FileError{File: file, Reason: fmt.Sprintf("the file starts with a %s "+
			"byte-order mark but the encoding %s was requested; drop --encoding, or pass "+
			"--encoding auto, to read it as %s", bom, requested, bom)}
	}

	d := &textDecoder{name: name, decided: true}
	switch name {
	case "":
		d.name, d.guessed, d.decided = "utf-8", true, false
	case "utf-16le":
		d.utf16 = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case "utf-16be":
		d.utf16 = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case "windows-1252":
		d.single = charmap.Windows1252
	case "iso-8859-1":
		d.single = charmap.ISO8859_1
	}
	return d, nil
}

// inspect looks at the first bytes of the decoded stream. For auto
// detection it rejects UTF-16 without a byte-order mark and settles the
// encoding if the sample already contains non-ASCII bytes.
func (d *textDecoder) inspect(file string, sample []byte) error {
	if d.decided {
		return nil
	}
	if enc := looksLikeUTF16(sample); enc != "" {
		return &FileError{File: file, Reason: fmt.Sprintf("the file looks like %s without "+
			"a byte-order mark; pass --encoding %s", enc, enc)}
	}
	if !isASCII(sample) {
		d.resolve(sample, 0)
	}
	return nil
}

// looksLikeUTF16 returns "utf-16le" or "utf-16be" when most characters of
// sample have a zero byte on the same side, as ASCII text in UTF-16 does.
func looksLikeUTF16(sample []byte) string {
	if len(sample) < 16 {
		return ""
	}
	var even, odd int
	for i, c := range sample[:len(sample)&^1] {
		if c == 0 && i%2 == 0 {
			even++
		} else if c == 0 {
			odd++
		}
	}
	pairs := len(sample) / 2
	switch {
	case odd > pairs*2/5 && even < pairs/20:
		return "utf-16le"
	case even > pairs*2/5 && odd < pairs/20:
		return "utf-16be"
	}
	return ""
}

// resolve settles auto detection from sample, which contains the first
// non-ASCII bytes seen, found at line (0 if at the start of the file).
func (d *textDecoder) resolve(sample []byte, line int) {
	d.decided = true
	if hasMultiByteUTF8(sample) {
		return
	}
	d.name, d.single = "windows-1252", charmap.Windows1252
	where := "in the first 64 KiB"
	if line > 0 {
		where = fmt.Sprintf("from line %d on", line)
	}
	d.warning = fmt.Sprintf("read as windows-1252 because the non-ASCII bytes %s are not "+
		"UTF-8 and none forms a multi-byte UTF-8 sequence; if that is wrong, pass "+
		"--encoding with the encoding of the file", where)
}

// hasMultiByteUTF8 reports whether b contains at least one valid UTF-8
// sequence longer than one byte.
func hasMultiByteUTF8(b []byte) bool {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			return true
		}
		i++
	}
	return false
}

// isASCII reports whether every byte of b is below 0x80.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if v&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fieldProblem is a field that cannot be used as text.
type fieldProblem struct {
	index  int // field index, -1 for none
	reason string
}

// cells converts the fields stored back to back in raw, field i ending at
// ends[i], into strings backed by one allocation. The strings keep the
// bytes of fields that cannot be decoded. sample is the raw input from the
// start of the record on, used if auto detection is still open; line is the
// record's line.
func (d *textDecoder) cells(raw []byte, ends []int, sample []byte, line int) ([]string, fieldProblem) {
	ok := fieldProblem{index: -1}
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		fields := split(string(raw), ends)
		return fields, fieldProblem{fieldAt(ends, i), "contains a NUL byte"}
	}
	if isASCII(raw) {
		return split(string(raw), ends), ok
	}
	if !d.decided {
		d.resolve(sample, line)
	}

	if d.single != nil {
		d.out, d.ends = d.out[:0], d.ends[:0]
		start := 0
		for _, end := range ends {
			d.out = d.decodeSingle(d.out, raw[start:end])
			d.ends = append(d.ends, len(d.out))
			start = end
		}
		fields := split(string(d.out), d.ends)
		if i := bytes.Index(d.out, replacementChar); i >= 0 {
			return fields, fieldProblem{fieldAt(d.ends, i), d.invalidReason()}
		}
		return fields, ok
	}

	fields := split(string(raw), ends)
	for i, f := range fields {
		if !utf8.ValidString(f) {
			return fields, fieldProblem{i, d.invalidReason()}
		}
	}
	if i := bytes.Index(raw, replacementChar); i >= 0 {
		return fields, fieldProblem{fieldAt(ends, i), d.replacementReason()}
	}
	return fields, ok
}

// invalidReason explains bytes that the encoding cannot decode.
func (d *textDecoder) invalidReason() string {
	if d.single != nil {
		return "contains a byte that " + d.name + " does not define (0x81, 0x8D, 0x8F, " +
			"0x90 or 0x9D); if the file is in another encoding, pass it with --encoding"
	}
	return "is not valid UTF-8; if the file is in another encoding, pass it with " +
		"--encoding (for example --encoding windows-1252)"
}

// replacementReason explains a U+FFFD found in decoded text.
func (d *textDecoder) replacementReason() string {
	if d.utf16 != nil {
		return "is not valid " + d.name + " (or contains U+FFFD, the replacement character)"
	}
	return "contains U+FFFD, the replacement character, so text was already lost " +
		"in an earlier conversion"
}

// text converts one line to UTF-8 for the JSON parser. It returns the
// converted bytes, valid until the next call, and whether the input was
// valid in its encoding.
func (d *textDecoder) text(raw []byte, sample []byte, line int) ([]byte, bool) {
	if isASCII(raw) {
		return raw, true
	}
	if !d.decided {
		d.resolve(sample, line)
	}
	if d.single != nil {
		d.out = d.decodeSingle(d.out[:0], raw)
		return d.out, !bytes.Contains(d.out, replacementChar)
	}
	return raw, utf8.Valid(raw)
}

// decodeSingle appends b, in the single-byte encoding, to dst as UTF-8.
// Windows-1252 turns its five undefined bytes into U+FFFD.
func (d *textDecoder) decodeSingle(dst, b []byte) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, d.single.DecodeByte(c))
	}
	return dst
}

// split slices s at ends into fields.
func split(s string, ends []int) []string {
	fields := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		fields[i] = s[start:end]
		start = end
	}
	return fields
}

// fieldAt returns the index of the field that contains byte offset off.
func fieldAt(ends []int, off int) int {
	for i, end := range ends {
		if off < end {
			return i
		}
	}
	return len(ends) - 1
}
