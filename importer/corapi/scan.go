package corapi

import (
	"unicode/utf8"
)

// maxScanDepth is the deepest nesting scanCreated reads. COR's client
// responses are flat, so deeper bodies go to encoding/json.
const maxScanDepth = 32

// The fields of Created, in the order scanCreated numbers them.
const (
	scanID = iota
	scanCompanyID
	scanCreatedAt
	scanUpdatedAt
	scanOther  // a key that Created does not keep
	scanUnsure // a key that encoding/json might match to a field
)

var scanNames = [...]string{"id", "company_id", "created_at", "updated_at"}

// scanCreated reads the common 2xx body, one JSON object with a positive
// integer id, without reflection. It returns ok only when json.Unmarshal
// into the typed struct of parseCreated would succeed with the same
// Created. For anything less plain it returns ok false, and the caller
// falls back to encoding/json. These cases are escapes or non-ASCII bytes
// in a key, a key that matches a field only ignoring case, a repeated
// field, a field of another type or null, an escape in a kept string,
// invalid UTF-8, a surrogate escape, nesting deeper than maxScanDepth, and
// text after the object.
//
// Every create goes through it. BenchmarkParseCreated puts it at about a
// fifth of the time of encoding/json on a 421-byte sandbox response.
func scanCreated(body []byte) (c Created, ok bool) {
	s := scanner{b: body}
	s.skipSpace()
	if !s.consume('{') {
		return Created{}, false
	}
	s.skipSpace()
	if s.consume('}') {
		return Created{}, false // no id
	}

	var seen [scanOther]bool
	for {
		// key
		start, end, escaped := s.str()
		if start < 0 || escaped {
			return Created{}, false
		}
		field := scanField(body[start:end])
		s.skipSpace()
		if !s.consume(':') {
			return Created{}, false
		}
		s.skipSpace()

		// value
		switch field {
		case scanUnsure:
			return Created{}, false
		case scanOther:
			if !s.value(1) {
				return Created{}, false
			}
		default:
			if seen[field] || !s.scanKept(field, &c) {
				return Created{}, false
			}
			seen[field] = true
		}

		// separator or end
		s.skipSpace()
		if s.consume(',') {
			s.skipSpace()
			continue
		}
		if !s.consume('}') {
			return Created{}, false
		}
		break
	}
	s.skipSpace()
	return c, s.i == len(body) && c.ID > 0
}

// scanField returns the field that key names, scanOther, or scanUnsure
// for a key that json.Unmarshal might still match to a field. Unmarshal
// matches names ignoring case, with Unicode case folding. Keys that match
// only when '_' and '-' are ignored, as encoding/json/v2 can, are
// scanUnsure too.
func scanField(key []byte) int {
	for i, name := range scanNames {
		if string(key) == name {
			return i
		}
	}
	var folded [len("companyid")]byte
	n := 0
	for _, b := range key {
		switch {
		case b >= utf8.RuneSelf:
			return scanUnsure
		case b == '_' || b == '-':
			continue
		case n == len(folded):
			return scanOther // longer than every field name
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		}
		folded[n] = b
		n++
	}
	switch string(folded[:n]) {
	case "id", "companyid", "createdat", "updatedat":
		return scanUnsure
	}
	return scanOther
}

// scanKept reads the value of a field that Created keeps into c. It
// returns false for any value that is not an int64 integer (id and
// company_id) or a string without escapes (the timestamps).
func (s *scanner) scanKept(field int, c *Created) bool {
	switch field {
	case scanID, scanCompanyID:
		n, ok := s.integer()
		if field == scanID {
			c.ID = n
		} else {
			c.CompanyID = n
		}
		return ok
	default:
		start, end, escaped := s.str()
		if start < 0 || escaped {
			return false
		}
		if field == scanCreatedAt {
			c.CreatedAt = string(s.b[start:end])
		} else {
			c.UpdatedAt = string(s.b[start:end])
		}
		return true
	}
}

// scanner is a position in a JSON text. Its methods return false, or a
// negative start, for invalid JSON and for JSON they do not read.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips the byte c if it comes next.
func (s *scanner) consume(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// value skips one JSON value nested at depth.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		start, _, _ := s.str()
		return start >= 0
	case c == '{' || c == '[':
		return depth < maxScanDepth && s.composite(depth)
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		_, ok := s.number()
		return ok
	}
}

// composite skips an object or an array nested at depth.
func (s *scanner) composite(depth int) bool {
	closing := byte(']')
	if s.b[s.i] == '{' {
		closing = '}'
	}
	s.i++
	s.skipSpace()
	if s.consume(closing) {
		return true
	}
	for {
		if closing == '}' {
			if start, _, _ := s.str(); start < 0 {
				return false
			}
			s.skipSpace()
			if !s.consume(':') {
				return false
			}
			s.skipSpace()
		}
		if !s.value(depth + 1) {
			return false
		}
		s.skipSpace()
		if s.consume(closing) {
			return true
		}
		if !s.consume(',') {
			return false
		}
		s.skipSpace()
	}
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// str skips a string and returns the bounds of its contents and whether
// it has escapes. The start is -1 for an invalid string, invalid UTF-8 or
// a \u escape of a surrogate, whose handling differs between decoders.
func (s *scanner) str() (start, end int, escaped bool) {
	if !s.consume('"') {
		return -1, 0, false
	}
	start = s.i
	for s.i < len(s.b) {
		// the plain run, in locals, which the compiler keeps in registers
		b, i := s.b, s.i
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		s.i = i
		if i == len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			s.i++
			return start, s.i - 1, escaped
		case c == '\\':
			escaped = true
			if !s.escape() {
				return -1, 0, false
			}
		case c < 0x20:
			return -1, 0, false
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				return -1, 0, false
			}
			s.i += size
		}
	}
	return -1, 0, false
}

// plainByte marks the ASCII bytes that stand for themselves in a JSON
// string: all but control bytes, '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape skips the escape sequence at s.i.
func (s *scanner) escape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if len(s.b)-s.i < 6 {
			return false
		}
		var r rune
		for _, c := range s.b[s.i+2 : s.i+6] {
			d, ok := hexValue(c)
			if !ok {
				return false
			}
			r = r<<4 | d
		}
		s.i += 6
		return r < 0xD800 || r > 0xDFFF
	}
	return false
}

func hexValue(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// number skips a JSON number and reports whether it is an integer, with
// no fraction or exponent.
func (s *scanner) number() (integer, ok bool) {
	s.consume('-')
	if !s.intPart() {
		return false, false
	}
	integer = true
	if s.consume('.') {
		integer = false
		if !s.digits() {
			return false, false
		}
	}
	if s.consume('e') || s.consume('E') {
		integer = false
		if !s.consume('+') {
			s.consume('-')
		}
		if !s.digits() {
			return false, false
		}
	}
	return integer, true
}

// intPart skips the integer part of a number: 0, or digits that do not
// start with 0.
func (s *scanner) intPart() bool {
	if s.consume('0') {
		return s.i == len(s.b) || s.b[s.i] < '0' || s.b[s.i] > '9'
	}
	return s.digits()
}

// digits skips one or more digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// integer reads a JSON integer that fits in an int64.
func (s *scanner) integer() (int64, bool) {
	start := s.i
	integer, ok := s.number()
	if !ok || !integer {
		return 0, false
	}
	text := s.b[start:s.i]
	negative := text[0] == '-'
	if negative {
		text = text[1:]
	}

	// Accumulate as a negative number, whose range includes math.MinInt64.
	var n int64
	for _, c := range text {
		d := int64(c - '0')
		if n < (minInt64+d)/10 {
			return 0, false
		}
		n = n*10 - d
	}
	if negative {
		return n, true
	}
	if n == minInt64 {
		return 0, false
	}
	return -n, true
}

const minInt64 = -1 << 63
