package corapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Distinctive secrets that no error, log or encoding may contain.
const (
	testKey     = "KEY-sekrit-4711"
	testSecret  = "SECRET-sekrit-0815"
	testRefresh = "REFRESH-sekrit-2342"
)

var testCred = Credentials{APIKey: testKey, ClientSecret: testSecret}

// fakeClock is a clock that moves only when Advance is called.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newServer starts an httptest server on 127.0.0.1 that is closed when the
// test ends.
func newServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// writeGrant responds to a token request as COR documents it.
func writeGrant(w http.ResponseWriter, access, refresh string, expiresIn int) {
	w.Header().Set("Content-Type", "application/json")
	body := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": expiresIn}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	_ = json.NewEncoder(w).Encode(body)
}

// writeJSON writes status and a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// fixedTokens returns a token source that always returns token.
func fixedTokens(token string) *TokenSource {
	return NewTokenSource(Config{}, Credentials{AccessToken: token})
}
