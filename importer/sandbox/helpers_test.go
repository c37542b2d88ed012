package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock provides an Options.Now that advances only when Advance is called.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a Server behind a loopback httptest.Server.
type harness struct {
	t      *testing.T
	srv    *Server
	url    string
	client *http.Client
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &harness{t: t, srv: s, url: ts.URL, client: ts.Client()}
}

// response is an HTTP response read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// corError is COR's documented error body.
type corError struct {
	Status  int    `json:"status"`
	Name    string `json:"name"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// send performs req and reads the whole body; it returns the transport
// error for fault tests.
func (h *harness) send(req *http.Request) (response, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: body}, err
}

// do sends a request with optional headers ("Name: value") and body, and
// fails the test on a transport error.
func (h *harness) do(method, path, body string, headers ...string) response {
	h.t.Helper()
	a, err := h.send(h.request(method, path, body, headers...))
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

func (h *harness) request(method, path, body string, headers ...string) *http.Request {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Set(k, v)
	}
	return req
}

// tokenResponse is the body of a token endpoint response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// login fetches a token pair with the default credentials.
func (h *harness) login() tokenResponse {
	h.t.Helper()
	req := h.request(http.MethodPost, "/v1/oauth/token?grant_type=client_credentials", "")
	req.SetBasicAuth(DefaultAPIKey, DefaultClientSecret)
	a, err := h.send(req)
	if err != nil {
		h.t.Fatal(err)
	}
	if a.status != http.StatusOK {
		h.t.Fatalf("POST /v1/oauth/token = %d %s, want 200", a.status, a.body)
	}
	var tok tokenResponse
	a.decode(h.t, &tok)
	return tok
}

// refresh exchanges a refresh token.
func (h *harness) refresh(refreshToken string) response {
	h.t.Helper()
	form := url.Values{"refresh_token": {refreshToken}}.Encode()
	return h.do(http.MethodPost, "/v1/oauth/refreshtoken", form,
		"Content-Type: application/x-www-form-urlencoded")
}

// call sends a JSON request to an integration endpoint with token.
func (h *harness) call(method, path, token, body string) response {
	h.t.Helper()
	return h.do(method, path, body,
		"Content-Type: application/json", "Authorization: Bearer "+token)
}

func (h *harness) create(token, body string) response {
	h.t.Helper()
	return h.call(http.MethodPost, clientsPath, token, body)
}

func (a response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode response %d %q: %v", a.status, a.body, err)
	}
}

func (a response) corError(t *testing.T) corError {
	t.Helper()
	var e corError
	a.decode(t, &e)
	return e
}

func decodeJSON(tb testing.TB, r io.Reader, v any) {
	tb.Helper()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		tb.Fatalf("decode JSON response: %v", err)
	}
}

// clientBody builds a create body.
func clientBody(source, id, name string) string {
	b, _ := json.Marshal(map[string]any{
		"metadata": map[string]string{"source": source},
		"id":       id,
		"name":     name,
	})
	return string(b)
}
