package corapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const payload = `{"metadata":{"source":"SALESFORCE"},"id":"SF-1","name":"Acme"}`

func TestCreateClientRequest(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		writeJSON(w, http.StatusCreated, `{"id":123,"company_id":7,"name":"Acme",`+
			`"created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:01Z"}`)
	})
	c := New(Config{APIURL: srv.URL + "/", UserAgent: "corimport-test"}, fixedTokens("tok"))

	created, err := c.CreateClient(context.Background(), []byte(payload))
	if err != nil {
		t.Fatalf("CreateClient() error = %v", err)
	}
	want := Created{ID: 123, CompanyID: 7,
		CreatedAt: "2025-03-01T12:00:00Z", UpdatedAt: "2025-03-01T12:00:01Z"}
	if created != want {
		t.Errorf("CreateClient() = %+v, want %+v", created, want)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/v2/integrations/clients" {
		t.Errorf("request = %s %s, want POST /v2/integrations/clients", got.Method, got.URL.Path)
	}
	if string(gotBody) != payload {
		t.Errorf("body = %s, want %s", gotBody, payload)
	}
	for name, want := range map[string]string{
		"Authorization": "Bearer tok",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"User-Agent":    "corimport-test",
	} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
}

func TestUpdateClientPath(t *testing.T) {
	tests := []struct {
		externalID string
		want       string
	}{
		{"SF-001", "/v2/integrations/clients/SF-001"},
		{"a/b c", "/v2/integrations/clients/a%2Fb%20c"},
		{"..", "/v2/integrations/clients/%2E%2E"},
		{".", "/v2/integrations/clients/%2E"},
		{"x?y#z", "/v2/integrations/clients/x%3Fy%23z"},
		{"Müller", "/v2/integrations/clients/M%C3%BCller"},
	}
	var mu sync.Mutex
	var gotURI, gotMethod string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotURI, gotMethod = r.RequestURI, r.Method
		mu.Unlock()
		writeJSON(w, http.StatusOK, `{"id":5}`)
	})
	c := New(Config{APIURL: srv.URL}, fixedTokens("tok"))
	for _, tt := range tests {
		created, err := c.UpdateClient(context.Background(), tt.externalID, []byte(payload))
		if err != nil || created.ID != 5 {
			t.Errorf("UpdateClient(%q) = %+v, %v, want id 5", tt.externalID, created, err)
		}
		mu.Lock()
		if gotMethod != http.MethodPut || gotURI != tt.want {
			t.Errorf("UpdateClient(%q) sent %s %s, want PUT %s", tt.externalID, gotMethod,
				gotURI, tt.want)
		}
		mu.Unlock()
	}
	if _, err := c.UpdateClient(context.Background(), "", []byte(payload)); err == nil {
		t.Error("UpdateClient(\"\") error = nil, want an error")
	}
}

// responseCase is one response of the API and how it must be read.
type responseCase struct {
	name        string
	status      int
	contentType string
	retryAfter  string
	body        string

	wantID     int64 // for a usable response, or zero for an *APIError
	wantKind   Kind
	wantCode   string
	wantName   string
	wantMsg    string
	wantRetry  time.Duration
	wantDetail bool
}

var responseCases = []responseCase{
	// usable responses
	{name: "created", status: 201, body: `{"id":42,"company_id":3}`, wantID: 42},
	{name: "ok", status: 200, body: `{"id":42}`, wantID: 42},
	{name: "data envelope", status: 200, body: `{"data":{"id":43}}`, wantID: 43},
	{name: "large id", status: 201, body: `{"id":9007199254740993}`, wantID: 9007199254740993},

	// successes without a usable id
	{name: "string id", status: 200, body: `{"id":"42"}`, wantDetail: true},
	{name: "zero id", status: 201, body: `{"id":0}`, wantDetail: true},
	{name: "negative id", status: 201, body: `{"id":-5}`, wantDetail: true},
	{name: "fractional id", status: 201, body: `{"id":1.5}`, wantDetail: true},
	{name: "exponent id", status: 201, body: `{"id":1e3}`, wantDetail: true},
	{name: "no id", status: 201, body: `{"name":"Acme"}`, wantDetail: true},
	{name: "null body", status: 200, body: `null`, wantDetail: true},
	{name: "empty body", status: 200, body: ``, wantDetail: true},
	{name: "no content", status: 204, body: ``, wantDetail: true},
	{name: "array", status: 200, body: `[{"id":1}]`, wantDetail: true},
	{name: "html success", status: 200, contentType: "text/html",
		body: `<html><title>Maintenance</title></html>`, wantDetail: true},
	{name: "error envelope with 200", status: 200,
		body:     `{"status":400,"name":"CORCustomError","code":"ValidationError","message":"bad"}`,
		wantCode: "ValidationError", wantName: "CORCustomError", wantMsg: "bad", wantDetail: true},
	{name: "redirect", status: 302, body: ``, wantDetail: true},

	// duplicates
	{name: "documented duplicate", status: 400,
		body: `{"status":400,"name":"CORCustomError","code":"DuplicateExternalIdError",` +
			`"message":"External id SF-1 already exists for source SALESFORCE"}`,
		wantKind: KindDuplicate, wantCode: "DuplicateExternalIdError", wantName: "CORCustomError",
		wantMsg: "External id SF-1 already exists for source SALESFORCE"},
	{name: "duplicate conflict", status: 409, body: `{"code":"DuplicateExternalIdError"}`,
		wantKind: KindDuplicate, wantCode: "DuplicateExternalIdError"},
	{name: "duplicate in name", status: 400, body: `{"name":"DuplicateExternalIdError","message":"x"}`,
		wantKind: KindDuplicate, wantName: "DuplicateExternalIdError", wantMsg: "x"},
	{name: "duplicate in error", status: 400,
		body:     `{"error":"DuplicateExternalIdError","message":"exists"}`,
		wantKind: KindDuplicate, wantCode: "DuplicateExternalIdError", wantMsg: "exists"},
	{name: "duplicate screaming case", status: 422, body: `{"code":"DUPLICATE_EXTERNAL_ID"}`,
		wantKind: KindDuplicate, wantCode: "DUPLICATE_EXTERNAL_ID"},
	{name: "duplicate plain text", status: 409, contentType: "text/plain",
		body:     "Client with external id SF-1 Already Exists\n",
		wantKind: KindDuplicate, wantMsg: "Client with external id SF-1 Already Exists"},
	{name: "duplicate reason phrase", status: 400,
		body:     `{"error":"Bad Request","message":"external id already exists"}`,
		wantKind: KindDuplicate, wantMsg: "external id already exists"},
	{name: "duplicate numeric code", status: 400, body: `{"code":1062,"message":"Duplicate entry"}`,
		wantKind: KindDuplicate, wantCode: "1062", wantMsg: "Duplicate entry"},

	// validation and source
	{name: "validation", status: 400,
		body: `{"status":400,"name":"CORCustomError","code":"ValidationError",` +
			`"message":"name is required"}`,
		wantKind: KindValidation, wantCode: "ValidationError", wantName: "CORCustomError",
		wantMsg: "name is required"},
	{name: "validation code beats message", status: 400,
		body:     `{"code":"ValidationError","message":"email already exists"}`,
		wantKind: KindValidation, wantCode: "ValidationError", wantMsg: "email already exists"},
	{name: "nested validation", status: 422,
		body:     `{"error":{"code":"ValidationError","message":"email is invalid"}}`,
		wantKind: KindValidation, wantCode: "ValidationError", wantMsg: "email is invalid"},
	{name: "invalid source", status: 400,
		body: `{"status":400,"name":"CORCustomError","code":"InvalidSourceError",` +
			`"message":"unknown source"}`,
		wantKind: KindInvalidSource, wantCode: "InvalidSourceError", wantName: "CORCustomError",
		wantMsg: "unknown source"},
	{name: "invalid source in errors", status: 400,
		body:     `{"errors":[{"code":"InvalidSourceError","message":"bad source"}]}`,
		wantKind: KindInvalidSource, wantCode: "InvalidSourceError", wantMsg: "bad source"},

	// other client errors
	{name: "unknown code", status: 400,
		body:     `{"status":400,"name":"CORCustomError","code":"QuotaError","message":"quota"}`,
		wantKind: KindRejected, wantCode: "QuotaError", wantName: "CORCustomError", wantMsg: "quota"},
	{name: "plain bad request", status: 400, contentType: "text/plain", body: "Bad Request",
		wantKind: KindRejected, wantMsg: "Bad Request"},
	{name: "empty bad request", status: 400, wantKind: KindRejected},
	{name: "empty conflict", status: 409, wantKind: KindRejected},
	{name: "broken json", status: 400, body: `{"code":"Dup`, wantKind: KindRejected,
		wantMsg: `{"code":"Dup`},
	{name: "forbidden page", status: 403, contentType: "text/html",
		body:     "<!DOCTYPE html><html><head><TITLE>403\n Forbidden</TITLE></head></html>",
		wantKind: KindRejected, wantMsg: "403 Forbidden"},
	{name: "duplicate text on not found", status: 404, body: `{"message":"already exists"}`,
		wantKind: KindRejected, wantMsg: "already exists"},
	{name: "too large", status: 413, wantKind: KindRejected},
	{name: "list of errors", status: 400, body: `[{"code":"ValidationError","message":"m"}]`,
		wantKind: KindValidation, wantCode: "ValidationError", wantMsg: "m"},

	// statuses that decide the kind whatever the body contains
	{name: "unauthorized", status: 401, body: `{"code":"DuplicateExternalIdError"}`,
		wantKind: KindUnauthorized, wantCode: "DuplicateExternalIdError"},
	{name: "unauthorized empty", status: 401, wantKind: KindUnauthorized},
	{name: "rate limited seconds", status: 429, retryAfter: "7",
		wantKind: KindRateLimited, wantRetry: 7 * time.Second},
	{name: "rate limited date", status: 429, retryAfter: "Sat, 01 Mar 2025 12:00:30 GMT",
		wantKind: KindRateLimited, wantRetry: 30 * time.Second},
	{name: "rate limited json", status: 429, body: `{"error":"Too Many Requests"}`,
		wantKind: KindRateLimited, wantMsg: "Too Many Requests"},
	{name: "server duplicate", status: 500, body: `{"code":"DuplicateExternalIdError"}`,
		wantKind: KindServer, wantCode: "DuplicateExternalIdError"},
	{name: "nginx bad gateway", status: 502, contentType: "text/html",
		body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n" +
			"<body><center><h1>502 Bad Gateway</h1></center></body></html>",
		wantKind: KindServer, wantMsg: "502 Bad Gateway"},
	{name: "unavailable", status: 503, retryAfter: "120", body: "try later",
		wantKind: KindServer, wantRetry: 2 * time.Minute, wantMsg: "try later"},
	{name: "gateway timeout", status: 504, wantKind: KindServer},
	{name: "request timeout", status: 408, wantKind: KindServer},
}

// TestResponses sends every response case over HTTP and checks how
// CreateClient reads it.
func TestResponses(t *testing.T) {
	var current atomic.Pointer[responseCase]
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		tc := current.Load()
		if tc.contentType != "" {
			w.Header().Set("Content-Type", tc.contentType)
		} else if tc.body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		if tc.retryAfter != "" {
			w.Header().Set("Retry-After", tc.retryAfter)
		}
		if tc.status >= 300 && tc.status < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(tc.status)
		_, _ = io.WriteString(w, tc.body)
	})
	clock := newFakeClock()
	c := New(Config{APIURL: srv.URL, Now: clock.Now}, fixedTokens("tok"))

	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			current.Store(&tc)
			created, err := c.CreateClient(context.Background(), []byte(payload))
			checkResponse(t, tc, created, err)
		})
	}
}

func checkResponse(t *testing.T, tc responseCase, created Created, err error) {
	t.Helper()
	if tc.wantID != 0 {
		if err != nil || created.ID != tc.wantID {
			t.Errorf("CreateClient() = %+v, %v, want id %d", created, err, tc.wantID)
		}
		return
	}
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("CreateClient() = %+v, %v, want an *APIError", created, err)
	}
	if created != (Created{}) {
		t.Errorf("CreateClient() = %+v with an error, want the zero Created", created)
	}
	if e.Kind != tc.wantKind {
		t.Errorf("Kind = %v, want %v (error %v)", e.Kind, tc.wantKind, e)
	}
	if e.Status != tc.status {
		t.Errorf("Status = %d, want %d", e.Status, tc.status)
	}
	if e.Code != tc.wantCode || e.Name != tc.wantName || e.Message != tc.wantMsg {
		t.Errorf("Code, Name, Message = %q, %q, %q, want %q, %q, %q",
			e.Code, e.Name, e.Message, tc.wantCode, tc.wantName, tc.wantMsg)
	}
	if e.RetryAfter != tc.wantRetry {
		t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.wantRetry)
	}
	if got := e.Detail != ""; got != tc.wantDetail {
		t.Errorf("Detail = %q, want it set: %v", e.Detail, tc.wantDetail)
	}
	if e.Method != http.MethodPost || e.Path != clientsPath {
		t.Errorf("Method, Path = %s %s, want POST %s", e.Method, e.Path, clientsPath)
	}
}

func TestResponseBodyTooLarge(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, `{"id":1,"pad":"`+strings.Repeat("x", MaxBodySize)+`"}`)
	})
	c := New(Config{APIURL: srv.URL}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *APIError
	if !errors.As(err, &e) || e.Kind != KindUnknown || !strings.Contains(e.Detail, "1 MiB") {
		t.Fatalf("CreateClient() error = %v, want KindUnknown naming the 1 MiB limit", err)
	}
	if len(e.Body) > maxBodyText+len("…") {
		t.Errorf("len(Body) = %d, want at most %d", len(e.Body), maxBodyText)
	}
}

func TestUnauthorizedInvalidatesToken(t *testing.T) {
	tokens := newTokenServer(t)
	var mu sync.Mutex
	var seen []string
	api := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			writeJSON(w, http.StatusUnauthorized, `{"message":"jwt expired"}`)
			return
		}
		writeJSON(w, http.StatusCreated, `{"id":9}`)
	})
	c := New(Config{APIURL: api.URL}, tokens.source(newFakeClock()))

	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *APIError
	if !errors.As(err, &e) || e.Kind != KindUnauthorized {
		t.Fatalf("first CreateClient() error = %v, want KindUnauthorized", err)
	}
	if created, err := c.CreateClient(context.Background(), []byte(payload)); err != nil ||
		created.ID != 9 {
		t.Fatalf("second CreateClient() = %+v, %v, want id 9", created, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen[0] != "Bearer tok-1" || seen[1] != "Bearer tok-2" {
		t.Errorf("Authorization headers = %q, want tok-1 then a renewed tok-2", seen)
	}
}

func TestCreateClientTokenFailure(t *testing.T) {
	auth := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client"}`)
	})
	var calls atomic.Int32
	api := newServer(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	ts := NewTokenSource(Config{AuthURL: auth.URL + "/v1/oauth/token"}, testCred)
	c := New(Config{APIURL: api.URL}, ts)

	_, err := c.CreateClient(context.Background(), []byte(payload))
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, ErrCredentialsRejected) {
		t.Errorf("CreateClient() error = %v, want a *TokenError wrapping ErrCredentialsRejected", err)
	}
	var apiErr *APIError
	var transportErr *TransportError
	if errors.As(err, &apiErr) || errors.As(err, &transportErr) {
		t.Errorf("CreateClient() error = %v, want neither *APIError nor *TransportError", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("API requests = %d, want 0", n)
	}
}

func TestTransportConnectionRefused(t *testing.T) {
	c := New(Config{APIURL: refusedURL(t)}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *TransportError
	if !errors.As(err, &e) {
		t.Fatalf("CreateClient() error = %v, want a *TransportError", err)
	}
	if e.Sent || e.Timeout {
		t.Errorf("Sent, Timeout = %v, %v, want false, false", e.Sent, e.Timeout)
	}
}

func TestTransportCanceledBeforeSending(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("the server got a request from a canceled context")
	})
	c := New(Config{APIURL: srv.URL}, fixedTokens("tok"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.CreateClient(ctx, []byte(payload))
	var e *TransportError
	if !errors.As(err, &e) || e.Sent || !errors.Is(err, context.Canceled) {
		t.Errorf("CreateClient(canceled) error = %v, want unsent, wrapping context.Canceled", err)
	}
}

// TestTransportClosedAfterRequest covers a server that reads the whole
// request and then drops the connection: COR may have stored the client.
func TestTransportClosedAfterRequest(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	served := make(chan error, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			served <- err
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err == nil {
			_, err = io.Copy(io.Discard, req.Body)
		}
		served <- err
	}()

	c := New(Config{APIURL: "http://" + l.Addr().String()}, fixedTokens("tok"))
	_, err = c.CreateClient(context.Background(), []byte(payload))
	if err := <-served; err != nil {
		t.Fatalf("server: %v", err)
	}
	var e *TransportError
	if !errors.As(err, &e) {
		t.Fatalf("CreateClient() error = %v, want a *TransportError", err)
	}
	if !e.Sent || e.Timeout {
		t.Errorf("Sent, Timeout = %v, %v, want true, false", e.Sent, e.Timeout)
	}
}

func TestTransportTimeout(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done() // respond only after the client gave up
	})
	c := New(Config{APIURL: srv.URL, Timeout: 50 * time.Millisecond}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *TransportError
	if !errors.As(err, &e) {
		t.Fatalf("CreateClient() error = %v, want a *TransportError", err)
	}
	if !e.Sent || !e.Timeout {
		t.Errorf("Sent, Timeout = %v, %v, want true, true", e.Sent, e.Timeout)
	}
}

func TestTransportBrokenBody(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":`)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := New(Config{APIURL: srv.URL}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *TransportError
	if !errors.As(err, &e) || !e.Sent {
		t.Errorf("CreateClient() error = %v, want a sent *TransportError", err)
	}
}

func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			writeJSON(w, http.StatusBadRequest, `{"code":"ValidationError","message":"`+
				strings.Repeat("x", 4096)+`"}`)
			return
		}
		writeJSON(w, http.StatusCreated, `{"id":1}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := New(Config{APIURL: srv.URL}, fixedTokens("tok"))
	for range 20 {
		_, _ = c.CreateClient(context.Background(), []byte(payload))
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("connections = %d for 20 sequential requests, want 1", got)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Redirect(w, r, "/v2/other", http.StatusTemporaryRedirect)
	})
	c := New(Config{APIURL: srv.URL, HTTPClient: &http.Client{}}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	var e *APIError
	if !errors.As(err, &e) || e.Kind != KindUnknown || e.Status != http.StatusTemporaryRedirect {
		t.Errorf("CreateClient() error = %v, want KindUnknown with status 307", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestClientSetupError(t *testing.T) {
	c := New(Config{APIURL: "http://cor.example.com"}, fixedTokens("tok"))
	_, err := c.CreateClient(context.Background(), []byte(payload))
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("CreateClient() error = %v, want the loopback rule", err)
	}
}

func TestTransportPoolSize(t *testing.T) {
	cfg := Config{MaxConns: 16}.withDefaults()
	tr, ok := cfg.HTTPClient.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport = %T, want *http.Transport", cfg.HTTPClient.Transport)
	}
	if tr.MaxIdleConnsPerHost != 16 {
		t.Errorf("MaxIdleConnsPerHost = %d, want 16", tr.MaxIdleConnsPerHost)
	}
}

func TestErrorStrings(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&APIError{Method: "POST", Path: clientsPath, Status: 400, Name: "CORCustomError",
			Code: "DuplicateExternalIdError", Message: "exists", Kind: KindDuplicate},
			"corapi: POST /v2/integrations/clients: status 400 (duplicate external id): " +
				"DuplicateExternalIdError: exists"},
		{&APIError{Method: "POST", Path: clientsPath, Status: 201,
			Detail: "the body has no positive numeric id"},
			"corapi: POST /v2/integrations/clients: status 201 (unknown response): " +
				"the body has no positive numeric id"},
		{&TransportError{Method: "PUT", Path: "/x", Err: io.EOF, Sent: true},
			"corapi: PUT /x: request sent, no response: EOF"},
		{&TransportError{Method: "POST", Path: "/x", Err: context.DeadlineExceeded,
			Timeout: true},
			"corapi: POST /x: request not sent (timed out): context deadline exceeded"},
		{&TokenError{Status: 401, Code: "invalid_client", Err: ErrCredentialsRejected},
			"corapi: get access token: status 401: invalid_client: " +
				"credentials rejected by the token endpoint"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if got := Kind(99).String(); got != "kind 99" {
		t.Errorf("Kind(99).String() = %q, want %q", got, "kind 99")
	}
}

func ExampleClient_CreateClient() {
	// A stand-in for the Integrations API.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, `{"id":42,"company_id":7}`)
	}))
	defer api.Close()

	tokens := NewTokenSource(Config{}, Credentials{AccessToken: "ready-token"})
	c := New(Config{APIURL: api.URL}, tokens)
	created, err := c.CreateClient(context.Background(),
		[]byte(`{"metadata":{"source":"SALESFORCE"},"id":"SF-1","name":"Acme"}`))

	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Kind == KindDuplicate:
		fmt.Println("already in COR")
	case err != nil:
		fmt.Println("failed:", err)
	default:
		fmt.Println("created client", created.ID)
	}
	// Output: created client 42
}
