package mapping

import "unicode/utf8"

// Client is the body of POST /v2/integrations/clients. Source, ID and
// Name are required; the other fields are left out of the body when empty.
type Client struct {
	Source          string // metadata.source, one of Sources
	ID              string // external id in the source system
	Name            string
	BusinessName    string
	EmailContact    string
	NameContact     string
	LastNameContact string
	Phone           string
	Website         string
	Description     string
}

// AppendJSON appends the request body to dst and returns the extended
// buffer. The output is byte for byte what encoding/json.Marshal writes
// for the same body with omitempty optional fields: the same escapes for
// quotes, control characters, <, > and &, U+2028 and U+2029, and U+FFFD in
// place of invalid UTF-8.
func (c *Client) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"metadata":{"source":`...)
	dst = appendString(dst, c.Source)
	dst = append(dst, `},"id":`...)
	dst = appendString(dst, c.ID)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, c.Name)
	dst = appendOptional(dst, `,"business_name":`, c.BusinessName)
	dst = appendOptional(dst, `,"email_contact":`, c.EmailContact)
	dst = appendOptional(dst, `,"name_contact":`, c.NameContact)
	dst = appendOptional(dst, `,"last_name_contact":`, c.LastNameContact)
	dst = appendOptional(dst, `,"phone":`, c.Phone)
	dst = appendOptional(dst, `,"website":`, c.Website)
	dst = appendOptional(dst, `,"description":`, c.Description)
	return append(dst, '}')
}

func appendOptional(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return appendString(append(dst, key...), v)
}

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes that encoding/json writes unescaped.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendString appends s as a JSON string, copying runs of plain bytes
// in one append.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but line terminators in JavaScript source.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
