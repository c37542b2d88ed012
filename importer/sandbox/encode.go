package sandbox

import (
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The responses on the create path are built by appending to a pooled byte
// slice rather than with encoding/json, which keeps reflection and most
// allocations off the path that benchmarks hammer.

// jsonContentType is shared by every response; net/http only reads it.
var jsonContentType = []string{"application/json; charset=utf-8"}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuffer keeps one oversized body from pinning memory in the pool.
const maxPooledBuffer = 64 << 10

func getBuffer() *[]byte { return bufPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// writeJSON sends body, which must be a complete JSON value, with status.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	w.Write(body)
}

// writeError sends COR's documented error body with the specific error
// name in code.
func writeError(w http.ResponseWriter, status int, code, message string) {
	b := getBuffer()
	*b = appendError(*b, status, code, message)
	writeJSON(w, status, *b)
	putBuffer(b)
}

func appendError(dst []byte, status int, code, message string) []byte {
	dst = append(dst, `{"status":`...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, `,"name":"CORCustomError","code":`...)
	dst = appendString(dst, code)
	dst = append(dst, `,"message":`...)
	dst = appendString(dst, message)
	return append(dst, '}')
}

// appendClient appends the client as COR returns it from a create or update: its
// COR id as id, no external id, and null for empty optional fields.
func appendClient(dst []byte, c *Client) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, c.CORID, 10)
	dst = append(dst, `,"company_id":`...)
	dst = strconv.AppendInt(dst, c.CompanyID, 10)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, c.Name)
	for _, f := range [...]struct{ key, value string }{
		{`,"business_name":`, c.BusinessName},
		{`,"email_contact":`, c.EmailContact},
		{`,"name_contact":`, c.NameContact},
		{`,"last_name_contact":`, c.LastNameContact},
		{`,"phone":`, c.Phone},
		{`,"website":`, c.Website},
		{`,"description":`, c.Description},
	} {
		dst = append(dst, f.key...)
		dst = appendNullable(dst, f.value)
	}
	dst = append(dst, `,"created_at":"`...)
	dst = c.CreatedAt.UTC().AppendFormat(dst, timeFormat)
	dst = append(dst, `","updated_at":"`...)
	dst = c.UpdatedAt.UTC().AppendFormat(dst, timeFormat)
	return append(dst, `"}`...)
}

// timeFormat is RFC 3339 in UTC with milliseconds, the way JavaScript's
// Date.toISOString writes timestamps.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func appendNullable(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendString(dst, s)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. It is kept apart from the
// importer's encoder in mapping on purpose, so that the stand-in does not
// share a bug with the client it is used to test. Invalid UTF-8 becomes U+FFFD,
// and U+2028 and U+2029 are escaped so the output is also valid
// JavaScript.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
