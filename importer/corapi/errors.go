package corapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Errors returned by this package, to be tested with errors.Is.
var (
	// ErrCredentialsRejected is wrapped by a *TokenError when the token
	// endpoint returned 400, 401 or 403: the API key and client secret (or
	// the refresh token, before the fallback to them) were not accepted.
	ErrCredentialsRejected = errors.New("corapi: credentials rejected by the token endpoint")

	// ErrNoCredentials is returned by CredentialsFromEnv when none of the
	// credential variables is set.
	ErrNoCredentials = errors.New("corapi: no credentials")
)

// Kind is the classification of an API response that is not a usable
// client. The zero value is KindUnknown, so an APIError built without a
// classification is never taken for a known case.
type Kind int

// The kinds of API responses. Classification reads the status and the body
// together, as described for each.
const (
	// KindUnknown is a response that cannot be read as a result: a 2xx
	// without a positive numeric id, an unreadable 2xx body, or a 1xx or
	// 3xx status. A 2xx of this kind may have created the client.
	KindUnknown Kind = iota

	// KindDuplicate is a 400, 409 or 422 whose code or name is COR's
	// DuplicateExternalIdError (or contains "duplicate"), or, when neither
	// is a known code, whose message states that the record already exists.
	KindDuplicate

	// KindValidation is a 400, 409 or 422 whose code or name is COR's
	// ValidationError.
	KindValidation

	// KindInvalidSource is a 400, 409 or 422 whose code or name is COR's
	// InvalidSourceError.
	KindInvalidSource

	// KindUnauthorized is a 401, whatever the body: the access token was
	// missing, expired or revoked.
	KindUnauthorized

	// KindRateLimited is a 429.
	KindRateLimited

	// KindServer is a 5xx, whatever the body, or a 408, which a server
	// sends when it stopped waiting for the request before handling it.
	KindServer

	// KindRejected is any other 4xx: the request was understood and
	// rejected, and sending it again will not change the response.
	KindRejected
)

var kindNames = [...]string{
	KindUnknown:       "unknown response",
	KindDuplicate:     "duplicate external id",
	KindValidation:    "validation error",
	KindInvalidSource: "invalid source",
	KindUnauthorized:  "unauthorized",
	KindRateLimited:   "rate limited",
	KindServer:        "server error",
	KindRejected:      "rejected",
}

// String returns a short lower-case description such as "rate limited".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind %d", int(k))
	}
	return kindNames[k]
}

// APIError is a response from the Integrations API that is not a usable
// client: an error status, or a success the client cannot read. Text
// fields come from the response body, cut to a bounded length, with
// control characters replaced and the access token redacted.
type APIError struct {
	Method string // HTTP method of the request
	Path   string // request path, such as /v2/integrations/clients
	Status int    // HTTP status code

	Name    string // "name" of a JSON error body, such as CORCustomError
	Code    string // "code" of a JSON error body, such as ValidationError
	Message string // message of the body, or the title of an HTML page

	// Detail explains why a 2xx or 3xx response is unusable. It is set
	// only for KindUnknown.
	Detail string

	// RetryAfter is the wait that the Retry-After header requests, capped
	// at MaxRetryAfter, or zero when the header is missing or invalid.
	RetryAfter time.Duration

	Body string // start of the response body, for reports and debugging
	Kind Kind
}

// Error returns the method, path, status, kind, code and message.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "corapi: %s %s: status %d (%s)", e.Method, e.Path, e.Status, e.Kind)
	if code := e.codeOrName(); code != "" {
		b.WriteString(": ")
		b.WriteString(code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// codeOrName returns the most specific identifier of the error, leaving
// out COR's generic name when a code is present.
func (e *APIError) codeOrName() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Name
}

// TransportError is a request that got no HTTP response: the connection
// failed, timed out or was closed, or the response broke off while its body
// was being read.
type TransportError struct {
	Method string
	Path   string

	// Err is the underlying error, usually a *url.Error. It can wrap
	// context.Canceled or context.DeadlineExceeded.
	Err error

	// Sent is set when the whole request had been handed to the connection
	// before the failure, so that COR may have received and processed it.
	// A dial error or a failure while writing leaves it false, and then the
	// request cannot have created anything. Sent errs on the side of true:
	// a request buffered but lost in the final flush also counts as sent.
	Sent bool

	// Timeout is set when the attempt ran out of time, either the
	// per-attempt Config.Timeout or a deadline of the caller's context.
	Timeout bool
}

// Error returns whether the request was sent and the underlying error.
func (e *TransportError) Error() string {
	state := "request not sent"
	if e.Sent {
		state = "request sent, no response"
	}
	if e.Timeout {
		state += " (timed out)"
	}
	return fmt.Sprintf("corapi: %s %s: %s: %v", e.Method, e.Path, state, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// TokenError is a failure to obtain an access token. The API request that
// needed the token was not sent.
type TokenError struct {
	// Status is the token endpoint's HTTP status, or zero when it did not
	// respond.
	Status int

	Code    string // error code of the body, such as invalid_client
	Message string // message of the body, with secrets redacted

	// RetryAfter is the wait that the Retry-After header requests, capped
	// at MaxRetryAfter.
	RetryAfter time.Duration

	Timeout bool // the token request ran out of time

	// Err is the cause: ErrCredentialsRejected, a *url.Error, a context
	// error, or a description of an unusable response.
	Err error

	retryable bool
}

// Error returns the status, code, message and cause.
func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("corapi: get access token")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "corapi: "))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// Retryable reports whether asking again may succeed: the token endpoint
// did not respond (for a reason other than the caller's context), or it
// returned 408, 429 or 5xx.
func (e *TokenError) Retryable() bool { return e.retryable }

// isTimeout reports whether err is a timeout of the network or of a
// context deadline.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
