package corapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// clientsPath is the Integrations API collection of clients.
const clientsPath = "/v2/integrations/clients"

// Created is COR's response to a create or update: the client as stored.
// COR does not echo the external id.
type Created struct {
	ID        int64  // COR's id of the client, always positive
	CompanyID int64  // zero when the response has none
	CreatedAt string // as COR wrote it
	UpdatedAt string // as COR wrote it
}

// Client sends requests to the Integrations API, one attempt per call.
// It is safe for concurrent use.
type Client struct {
	base      string // APIURL without a trailing slash
	http      *http.Client
	tokens    *TokenSource
	timeout   time.Duration
	userAgent []string
	now       func() time.Time
	setupErr  error // returned by every call when set
}

// Header values shared by every request, which is safe because net/http
// only reads them.
var jsonHeader = []string{"application/json"}

// New returns a client for cfg that authenticates with tokens. With nil
// tokens it sends no Authorization header, which only a local stand-in of
// the API accepts. An APIURL that CheckURL rejects makes every call fail.
func New(cfg Config, tokens *TokenSource) *Client {
	cfg = cfg.withDefaults()
	c := &Client{
		base:      strings.TrimSuffix(cfg.APIURL, "/"),
		http:      cfg.HTTPClient,
		tokens:    tokens,
		timeout:   cfg.Timeout,
		userAgent: []string{cfg.UserAgent},
		now:       cfg.Now,
	}
	if err := CheckURL(cfg.APIURL); err != nil {
		c.setupErr = fmt.Errorf("corapi: API URL: %w", err)
	}
	return c
}

// CreateClient sends body, a ready JSON client payload, with
// POST /v2/integrations/clients and returns the created client. Its
// errors are *APIError, *TransportError and *TokenError, as described in
// the package documentation. A 401 also invalidates the token it used.
func (c *Client) CreateClient(ctx context.Context, body []byte) (Created, error) {
	return c.send(ctx, http.MethodPost, clientsPath, body)
}

// UpdateClient sends body with PUT /v2/integrations/clients/{externalID}
// and returns the updated client. Its response contains the COR id of a
// client that a create stored although its response was lost. Its errors
// are those of CreateClient.
func (c *Client) UpdateClient(ctx context.Context, externalID string,
	body []byte) (Created, error) {
	if externalID == "" {
		return Created{}, errors.New("corapi: update client: empty external id")
	}
	return c.send(ctx, http.MethodPut, clientsPath+"/"+escapeSegment(externalID), body)
}

// escapeSegment escapes s as one path segment. The segments "." and ".."
// are escaped too, so that no server or proxy can resolve them as
// relative paths.
func escapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// send makes one attempt at a request and reads its response.
func (c *Client) send(ctx context.Context, method, path string, body []byte) (Created, error) {
	if c.setupErr != nil {
		return Created{}, c.setupErr
	}
	var token string
	if c.tokens != nil {
		t, err := c.tokens.Token(ctx)
		if err != nil {
			return Created{}, err
		}
		token = t
	}

	// The trace records whether the whole request was written before a
	// failure, so that the server may have acted on it.
	attempt, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var wrote atomic.Bool
	attempt = httptrace.WithClientTrace(attempt, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(attempt, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return Created{}, fmt.Errorf("corapi: %s %s: %w", method, path, err)
	}
	req.Header["Content-Type"] = jsonHeader
	req.Header["Accept"] = jsonHeader
	req.Header["User-Agent"] = c.userAgent
	if token != "" {
		req.Header["Authorization"] = []string{"Bearer " + token}
	}

	// send and read the whole response, so that the connection is reused
	resp, err := c.http.Do(req)
	if err != nil {
		return Created{}, &TransportError{Method: method, Path: path, Err: err,
			Sent: wrote.Load(), Timeout: isTimeout(err)}
	}
	data, err := readBody(resp.Body)
	resp.Body.Close()
	tooLarge := errors.Is(err, errBodyTooLarge)
	if err != nil && !tooLarge {
		return Created{}, &TransportError{Method: method, Path: path, Err: err,
			Sent: true, Timeout: isTimeout(err)}
	}

	if resp.StatusCode == http.StatusUnauthorized && c.tokens != nil {
		c.tokens.Invalidate(token)
	}
	r := request{method: method, path: path}
	a := response{status: resp.StatusCode, header: resp.Header, body: data, now: c.now()}
	return decodeResponse(r, a, tooLarge, token)
}

// decodeResponse returns the client of a usable response, or the error that
// classifies it.
func decodeResponse(r request, a response, tooLarge bool, token string) (Created, error) {
	if a.status < 200 || a.status >= 300 {
		e := classify(r, a, token)
		if a.status < 400 {
			e.Detail = "unexpected status, and redirects are not followed"
		}
		return Created{}, e
	}

	created, detail := parseCreated(a.body)
	if tooLarge {
		detail = errBodyTooLarge.Error()
	}
	if detail == "" {
		return created, nil
	}
	e := classify(r, a, token)
	e.Detail = detail + "; the client may have been stored"
	return Created{}, e
}

// createdBody is the part of a client response that Created keeps. Fields
// are decoded by hand so that an odd type in one of them does not hide
// the id.
type createdBody struct {
	ID        json.RawMessage `json:"id"`
	CompanyID json.RawMessage `json:"company_id"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
	Data      json.RawMessage `json:"data"` // an envelope some APIs add
}

// parseCreated reads a 2xx body. It returns a non-empty description of
// the problem unless the body has a positive integer id.
func parseCreated(body []byte) (Created, string) {
	if c, ok := scanCreated(body); ok {
		return c, ""
	}
	return decodeCreated(body)
}

// decodeCreated is parseCreated with encoding/json, for every body that
// scanCreated does not read.
func decodeCreated(body []byte) (Created, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return Created{}, "the body is empty"
	}
	var typed struct {
		ID        int64  `json:"id"`
		CompanyID int64  `json:"company_id"`
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
	}
	if json.Unmarshal(body, &typed) == nil && typed.ID > 0 {
		// the common case, decoded without copying raw fields
		return Created(typed), ""
	}

	var v createdBody
	if json.Unmarshal(body, &v) != nil {
		return Created{}, "the body is not a JSON object"
	}
	if v.ID == nil && v.Data != nil {
		var inner createdBody
		if json.Unmarshal(v.Data, &inner) == nil {
			v = inner
		}
	}
	id, err := strconv.ParseInt(string(v.ID), 10, 64)
	if err != nil || id <= 0 {
		return Created{}, "the body has no positive numeric id"
	}
	company, _ := strconv.ParseInt(string(v.CompanyID), 10, 64)
	return Created{
		ID:        id,
		CompanyID: company,
		CreatedAt: rawString(v.CreatedAt),
		UpdatedAt: rawString(v.UpdatedAt),
	}, ""
}

// rawString returns the value of a JSON string, and "" for anything else.
func rawString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
