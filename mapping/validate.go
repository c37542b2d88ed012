package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// validate checks a final value. A rule with more than one column reports
// no column, because the value is built from all of them.
//
// NOTE: no maximum length is checked, because COR's API documentation
// gives none; an over-long value is left to the API to reject.
func (cr *rule) validate(v string) *FieldError {
	label := ""
	if cr.origin == originColumn {
		label = cr.col.label
	}
	if v == "" {
		if cr.field <= fieldName {
			return cr.fail(label, "required value is empty")
		}
		return nil
	}
	// A description is free text, often several lines in a CRM.
	if reason := checkText(v, cr.field == fieldDescription); reason != "" {
		return cr.fail(label, "%s", reason)
	}

	switch cr.field {
	case fieldID, fieldPhone:
		if isScientific(v) {
			return cr.fail(label, "%s looks like a number that Excel wrote in scientific notation, "+
				"so digits were lost; export the column as text", quote(v))
		}
	case fieldEmailContact:
		if !validEmail(v) {
			return cr.fail(label, "%s is not a valid e-mail address", quote(v))
		}
	case fieldWebsite:
		if !validWebsite(v) {
			return cr.fail(label, "%s is not a valid website: expected a domain such as "+
				"example.com or an http or https URL", quote(v))
		}
	}
	return nil
}

// checkText returns the reason v cannot be sent: a control character
// (C0, DEL or C1), invalid UTF-8, or U+FFFD, which an earlier decoding
// left in place of characters it could not read. With multiline, tabs and
// line breaks are allowed.
func checkText(v string, multiline bool) string {
	for i := 0; i < len(v); {
		if i+8 <= len(v) && plainWord(v, i) {
			i += 8
			continue
		}
		b := v[i]
		if b < utf8.RuneSelf {
			lineBreak := b == '\t' || b == '\n' || b == '\r'
			if (b < 0x20 && !(multiline && lineBreak)) || b == 0x7f {
				return controlReason(rune(b), i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("is not valid UTF-8 (byte 0x%02X at byte %d)", b, i)
		case r == utf8.RuneError:
			return fmt.Sprintf("contains U+FFFD at byte %d, the replacement character "+
				"for text that was lost in decoding", i)
		case unicode.IsControl(r):
			return controlReason(r, i)
		}
		i += size
	}
	return ""
}

// plainWord reports whether the 8 bytes at v[i:] are all printable ASCII
// (0x20 to 0x7E), testing them at once with the "has a byte less than n"
// and "has a zero byte" bit tricks, which are exact for bytes below 0x80.
func plainWord(v string, i int) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	w := uint64(v[i]) | uint64(v[i+1])<<8 | uint64(v[i+2])<<16 | uint64(v[i+3])<<24 |
		uint64(v[i+4])<<32 | uint64(v[i+5])<<40 | uint64(v[i+6])<<48 | uint64(v[i+7])<<56
	if w&highs != 0 {
		return false
	}
	below := (w - 0x20*ones) &^ w & highs
	del := w ^ 0x7f*ones
	return below|(del-ones)&^del&highs == 0
}

func controlReason(r rune, at int) string {
	if isLineBreak(r) {
		return fmt.Sprintf("contains a tab or line break (U+%04X) at byte %d; "+
			"the single_line transform replaces them with spaces", r, at)
	}
	return fmt.Sprintf("contains the control character U+%04X at byte %d", r, at)
}

// isScientific reports text such as "1.55501E+10" or "1,55501E+10": what
// Excel shows for a long number, with the digits after the sixth lost.
// The exponent sign is required because Excel always writes it, so an id
// such as "12E5" is kept.
func isScientific(v string) bool {
	e := strings.IndexAny(v, "eE")
	if e < 1 || e+2 >= len(v) || (v[e+1] != '+' && v[e+1] != '-') {
		return false
	}
	mantissa, exponent := v[:e], v[e+2:]
	if !allDigits(exponent) {
		return false
	}
	if sep := strings.IndexAny(mantissa, ".,"); sep >= 0 {
		return allDigits(mantissa[:sep]) && allDigits(mantissa[sep+1:])
	}
	return allDigits(mantissa)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validEmail accepts local@domain with one @, a non-empty local part, a
// domain with a dot, and no white space or list separators. It rejects
// lists of addresses and display names ("Ann <ann@example.com>"), which
// COR would store as one odd address.
func validEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at < 1 || strings.IndexByte(v[at+1:], '@') >= 0 {
		return false
	}
	if strings.ContainsAny(v, ",;<>\"") || hasSpace(v) {
		return false
	}
	return validDomain(v[at+1:])
}

// validWebsite accepts a bare domain ("example.com", "www.example.com/a")
// or an http or https URL whose host has a dot, with no white space.
func validWebsite(v string) bool {
	if hasSpace(v) {
		return false
	}
	rest := v
	if i := strings.Index(v, "://"); i >= 0 {
		scheme := v[:i]
		if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
			return false
		}
		rest = v[i+3:]
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		if !allDigits(host[i+1:]) {
			return false
		}
		host = host[:i]
	}
	return validDomain(host)
}

// hasSpace reports whether v contains Unicode white space.
func hasSpace(v string) bool {
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b == ' ' || '\t' <= b && b <= '\r' {
			return true
		}
		if b >= utf8.RuneSelf {
			return strings.IndexFunc(v[i:], unicode.IsSpace) >= 0
		}
	}
	return false
}

// validDomain accepts dot-separated labels of letters, digits and
// hyphens (any non-ASCII letter too, for international domains), with at
// least two labels. An ASCII domain is checked in one pass over its bytes,
// and any other goes to validUnicodeDomain, which decides the same for
// ASCII.
func validDomain(d string) bool {
	prev := byte('.') // so that a leading dot fails as an empty label
	dots := 0
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
			dots++
		case c >= utf8.RuneSelf:
			return validUnicodeDomain(d)
		case !domainByte[c]:
			return false
		}
		prev = c
	}
	return dots > 0 && prev != '.'
}

// domainByte marks the ASCII letters, digits and hyphen.
var domainByte = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			'0' <= c && c <= '9'
	}
	return t
}()

// validUnicodeDomain is validDomain for any UTF-8, one rune at a time.
func validUnicodeDomain(d string) bool {
	if !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") ||
		strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		ok := r == '.' || r == '-' || r >= 0x80 && unicode.IsLetter(r) || r >= 0x80 && unicode.IsDigit(r) ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// quote returns v quoted, shortened to 60 bytes so that a long value does
// not flood the report.
func quote(v string) string {
	const maxLen = 60
	if len(v) <= maxLen {
		return strconv.Quote(v)
	}
	cut := maxLen
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "..."
}
