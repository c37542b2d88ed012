package corapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what is read from a response and kept in an error.
const (
	// MaxBodySize is the number of bytes read from any response body.
	// The response to one create is a few hundred bytes, so anything
	// longer is not a response this client can use.
	MaxBodySize = 1 << 20

	// MaxRetryAfter caps the wait taken from a Retry-After header, so
	// that a wrong header cannot stall a run for days.
	MaxRetryAfter = time.Hour

	maxBodyText    = 512 // bytes of the body kept in APIError.Body
	maxMessageText = 300 // bytes kept of a message, code or name
	redacted       = "[redacted]"
)

// errBodyTooLarge is returned by readBody for a body over MaxBodySize.
var errBodyTooLarge = errors.New("response body exceeds 1 MiB")

// readBody reads at most MaxBodySize bytes of r. On errBodyTooLarge the
// returned bytes are the first MaxBodySize.
func readBody(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(io.LimitReader(r, MaxBodySize+1))
	if err != nil {
		return buf.Bytes(), err
	}
	if buf.Len() > MaxBodySize {
		return buf.Bytes()[:MaxBodySize], errBodyTooLarge
	}
	return buf.Bytes(), nil
}

// classify builds the error for a response that is not a usable client.
// It is the one place where status and body turn into a Kind. Every
// secret given is redacted from the text kept in the error.
func classify(req request, resp response, secrets ...string) *APIError {
	fields := parseErrorBody(resp.body, resp.header.Get("Content-Type"))
	if resp.status < 400 && fields.code == "" {
		// A success body is an error only when it carries a code.
		// Otherwise its "name" is the client's name, not an error's.
		fields = errorFields{}
	}
	e := &APIError{
		Method:     req.method,
		Path:       req.path,
		Status:     resp.status,
		Name:       clean(fields.name, maxMessageText, secrets),
		Code:       clean(fields.code, maxMessageText, secrets),
		Message:    clean(fields.message, maxMessageText, secrets),
		RetryAfter: parseRetryAfter(resp.header.Get("Retry-After"), resp.now),
		Body:       clean(string(resp.body), maxBodyText, secrets),
	}
	e.Kind = kindOf(resp.status, fields)
	return e
}

// response is the part of an HTTP response that classification reads.
type response struct {
	status int
	header http.Header
	body   []byte
	now    time.Time // when the response arrived, for Retry-After dates
}

// request names the request that a response belongs to.
type request struct {
	method string
	path   string
}

// kindOf decides the Kind of an unusable response. Statuses that mean the
// same thing whatever the body come first. The body only distinguishes
// among client errors that COR describes with a code.
func kindOf(status int, f errorFields) Kind {
	switch {
	case status < 400:
		return KindUnknown
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status >= 500, status == http.StatusRequestTimeout:
		return KindServer
	case status != http.StatusBadRequest && status != http.StatusConflict &&
		status != http.StatusUnprocessableEntity:
		return KindRejected
	}
	if k, ok := kindOfCode(f.code); ok {
		return k
	}
	if k, ok := kindOfCode(f.name); ok {
		return k
	}
	if mentionsDuplicate(f.message) {
		return KindDuplicate
	}
	return KindRejected
}

// kindOfCode matches COR's error codes, ignoring case and punctuation so
// that DuplicateExternalIdError, DUPLICATE_EXTERNAL_ID and
// duplicate-external-id all match.
func kindOfCode(code string) (Kind, bool) {
	c := squash(code)
	switch {
	case c == "":
		return KindUnknown, false
	case strings.Contains(c, "duplicate"):
		return KindDuplicate, true
	case strings.Contains(c, "invalidsource"):
		return KindInvalidSource, true
	case strings.Contains(c, "validation"):
		return KindValidation, true
	}
	return KindUnknown, false
}

// mentionsDuplicate reports whether a free-text message states that the
// record already exists. It is the fallback for bodies without a known
// code, and only ever decides KindDuplicate.
func mentionsDuplicate(message string) bool {
	m := strings.ToLower(message)
	phrases := []string{"already exist", "duplicate", "already in use", "already registered"}
	for _, phrase := range phrases {
		if strings.Contains(m, phrase) {
			return true
		}
	}
	return false
}

// squash lower-cases s and drops everything but letters and digits.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// errorFields are the parts of an error body that classification reads.
type errorFields struct {
	name, code, message string
}

// parseErrorBody reads an error body in any of the shapes seen from COR
// and from the proxies in front of it: COR's documented
// {"status","name","code","message"}, {"error","message"},
// {"error":{"code","message"}}, {"errors":[...]}, a list of such objects
// (the first one counts), an HTML error page
// (its title becomes the message), plain text, or nothing.
func parseErrorBody(body []byte, contentType string) errorFields {
	text := bytes.TrimSpace(body)
	if len(text) == 0 {
		return errorFields{}
	}
	if text[0] == '{' || text[0] == '[' {
		var v any
		d := json.NewDecoder(bytes.NewReader(text))
		d.UseNumber()
		if d.Decode(&v) == nil {
			if list, ok := v.([]any); ok && len(list) > 0 {
				v = list[0]
			}
			if obj, ok := v.(map[string]any); ok {
				return fieldsOfObject(obj, 0)
			}
		}
	}
	if text[0] == '<' || strings.Contains(strings.ToLower(contentType), "html") {
		return errorFields{message: htmlTitle(string(text))}
	}
	return errorFields{message: string(text)}
}

// fieldsOfObject reads the error fields of a decoded JSON object, looking
// into a nested "error" object or the first element of "errors".
func fieldsOfObject(v map[string]any, depth int) errorFields {
	f := errorFields{
		name:    scalarText(v["name"]),
		code:    scalarText(v["code"]),
		message: scalarText(v["message"]),
	}
	if f.message == "" {
		f.message = scalarText(v["error_description"])
	}
	if f.message == "" {
		f.message = scalarText(v["detail"])
	}

	// "error" is a code ("invalid_client"), a reason phrase ("Bad
	// Request") or a nested object.
	switch e := v["error"].(type) {
	case string:
		f.fillFromText(e)
	case map[string]any:
		if depth < 2 {
			f.fill(fieldsOfObject(e, depth+1))
		}
	}
	if list, ok := v["errors"].([]any); ok && len(list) > 0 {
		switch e := list[0].(type) {
		case string:
			f.fill(errorFields{message: e})
		case map[string]any:
			if depth < 2 {
				f.fill(fieldsOfObject(e, depth+1))
			}
		}
	}
	return f
}

// fillFromText stores an "error" string as the code when it reads like an
// identifier, and otherwise as the message when there is none.
func (f *errorFields) fillFromText(s string) {
	s = strings.TrimSpace(s)
	if s != "" && !strings.ContainsAny(s, " \t") {
		if f.code == "" {
			f.code = s
		}
		return
	}
	if f.message == "" {
		f.message = s
	}
}

// fill sets the fields of f that are empty from g.
func (f *errorFields) fill(g errorFields) {
	if f.name == "" {
		f.name = g.name
	}
	if f.code == "" {
		f.code = g.code
	}
	if f.message == "" {
		f.message = g.message
	}
}

// scalarText returns a JSON string or number as text, and "" for anything
// else.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// htmlTitle returns the text of the page's <title>, or "" when it has
// none.
func htmlTitle(page string) string {
	lower := strings.ToLower(page)
	start := strings.Index(lower, "<title")
	if start < 0 {
		return ""
	}
	open := strings.IndexByte(lower[start:], '>')
	if open < 0 {
		return ""
	}
	start += open + 1
	end := strings.Index(lower[start:], "</title")
	if end < 0 {
		return ""
	}
	return strings.Join(strings.Fields(page[start:start+end]), " ")
}

// parseRetryAfter returns the wait that a Retry-After header requests: a number
// of seconds or an HTTP date, relative to now. An empty, negative or
// malformed header gives zero, and a longer wait than MaxRetryAfter is
// cut to it.
func parseRetryAfter(header string, now time.Time) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if header[0] >= '0' && header[0] <= '9' {
		secs, err := strconv.ParseInt(header, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return MaxRetryAfter
		case err != nil:
			return 0
		case secs >= int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	at, err := http.ParseTime(header)
	if err != nil {
		return 0
	}
	wait := at.Sub(now)
	switch {
	case wait < 0:
		return 0
	case wait > MaxRetryAfter:
		return MaxRetryAfter
	}
	return wait
}

// clean makes text from a response safe to keep in an error: every secret
// redacted, invalid UTF-8 and control characters replaced, runs of spaces
// collapsed, and the result cut to at most limit bytes on a character
// boundary. Secrets are redacted before the cut, so no part of one
// survives at the end.
func clean(s string, limit int, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	if len(s) > 4*limit {
		s = s[:4*limit] // spare the work of cleaning a megabyte
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
