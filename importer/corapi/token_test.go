package corapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tokenServer is a stand-in for COR's token endpoints that issues
// numbered tokens and records what it was sent.
type tokenServer struct {
	t         *testing.T
	url       string
	expiresIn int
	refresh   bool // issue refresh tokens

	mu        sync.Mutex
	issued    int
	grants    int // client-credentials requests
	refreshes []string
	failNext  []int // statuses of the next responses, in order
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{t: t, expiresIn: 3600}
	srv := newServer(t, ts.serve)
	ts.url = srv.URL + "/v1/oauth/token"
	return ts
}

func (s *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/v1/oauth/token":
		s.grants++
	case "/v1/oauth/refreshtoken":
		s.refreshes = append(s.refreshes, r.PostFormValue("refresh_token"))
	default:
		http.NotFound(w, r)
		return
	}
	if len(s.failNext) > 0 {
		status := s.failNext[0]
		s.failNext = s.failNext[1:]
		writeJSON(w, status, `{"error":"invalid_grant","error_description":"refused"}`)
		return
	}
	s.issued++
	refresh := ""
	if s.refresh {
		refresh = fmt.Sprintf("refresh-%d", s.issued)
	}
	writeGrant(w, fmt.Sprintf("tok-%d", s.issued), refresh, s.expiresIn)
}

func (s *tokenServer) counts() (grants, refreshes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants, len(s.refreshes)
}

func (s *tokenServer) refreshTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refreshes...)
}

func (s *tokenServer) fail(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, statuses...)
}

func (s *tokenServer) source(clock *fakeClock) *TokenSource {
	return NewTokenSource(Config{AuthURL: s.url, Now: clock.Now}, testCred)
}

// mustToken calls Token and fails the test on error.
func mustToken(t *testing.T, ts *TokenSource) string {
	t.Helper()
	token, err := ts.Token(context.Background())
	if err != nil {
		t.Fatalf("Token() error = %v", err)
	}
	return token
}

func TestTokenRequest(t *testing.T) {
	var got *http.Request
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		writeGrant(w, "tok-1", "", 3600)
	})
	ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token?tenant=a",
		UserAgent: "corimport-test"}, testCred)

	if token := mustToken(t, ts); token != "tok-1" {
		t.Errorf("Token() = %q, want %q", token, "tok-1")
	}
	if got.Method != http.MethodPost {
		t.Errorf("method = %s, want POST", got.Method)
	}
	if got.URL.Path != "/v1/oauth/token" {
		t.Errorf("path = %s, want /v1/oauth/token", got.URL.Path)
	}
	if g := got.URL.Query().Get("grant_type"); g != "client_credentials" {
		t.Errorf("grant_type = %q, want client_credentials", g)
	}
	if g := got.URL.Query().Get("tenant"); g != "a" {
		t.Errorf("tenant = %q, want the query of the auth URL kept", g)
	}
	user, pass, ok := got.BasicAuth()
	if !ok || user != testKey || pass != testSecret {
		t.Errorf("BasicAuth() = %q, %q, %v, want the API key and client secret", user, pass, ok)
	}
	if ua := got.UserAgent(); ua != "corimport-test" {
		t.Errorf("User-Agent = %q, want corimport-test", ua)
	}
	if got.ContentLength != 0 {
		t.Errorf("Content-Length = %d, want 0", got.ContentLength)
	}
}

func TestTokenReuse(t *testing.T) {
	srv := newTokenServer(t)
	ts := srv.source(newFakeClock())
	for range 5 {
		if token := mustToken(t, ts); token != "tok-1" {
			t.Fatalf("Token() = %q, want tok-1", token)
		}
	}
	if grants, _ := srv.counts(); grants != 1 {
		t.Errorf("token requests = %d, want 1", grants)
	}
}

func TestTokenRenewsAheadOfExpiry(t *testing.T) {
	tests := []struct {
		name      string
		expiresIn int
		before    time.Duration // still cached at this age
		after     time.Duration // renewed at this age
	}{
		{"hour renews at 90%", 3600, 3239 * time.Second, 3240 * time.Second},
		{"two minutes renews a minute early", 120, 59 * time.Second, 60 * time.Second},
		{"short token renews at half", 30, 14 * time.Second, 15 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t)
			srv.expiresIn = tt.expiresIn
			clock := newFakeClock()
			ts := srv.source(clock)

			mustToken(t, ts)
			clock.Advance(tt.before)
			if token := mustToken(t, ts); token != "tok-1" {
				t.Errorf("Token() at %v = %q, want tok-1", tt.before, token)
			}
			clock.Advance(tt.after - tt.before)
			if token := mustToken(t, ts); token != "tok-2" {
				t.Errorf("Token() at %v = %q, want tok-2", tt.after, token)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	issued := newFakeClock().Now()
	tests := []struct {
		lifetime       time.Duration
		renew, expires time.Duration
	}{
		{time.Hour, 3240 * time.Second, 3590 * time.Second},
		{2 * time.Minute, time.Minute, 110 * time.Second},
		{10 * time.Second, 5 * time.Second, 9 * time.Second},
	}
	for _, tt := range tests {
		renewAt, expireAt := schedule(issued, tt.lifetime)
		if got := renewAt.Sub(issued); got != tt.renew {
			t.Errorf("schedule(%v) renews after %v, want %v", tt.lifetime, got, tt.renew)
		}
		if got := expireAt.Sub(issued); got != tt.expires {
			t.Errorf("schedule(%v) expires after %v, want %v", tt.lifetime, got, tt.expires)
		}
	}
}

func TestTokenLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{`3600`, time.Hour},
		{`"1800"`, 30 * time.Minute},
		{`0`, defaultTokenLifetime},
		{`-5`, defaultTokenLifetime},
		{`null`, defaultTokenLifetime},
		{`"soon"`, defaultTokenLifetime},
		{`"NaN"`, defaultTokenLifetime},
		{`1e12`, maxTokenLifetime},
	}
	for _, tt := range tests {
		g, err := parseGrant([]byte(`{"access_token":"a","expires_in":` + tt.in + `}`))
		if err != nil {
			t.Fatalf("parseGrant(expires_in %s) error = %v", tt.in, err)
		}
		if g.lifetime != tt.want {
			t.Errorf("parseGrant(expires_in %s) lifetime = %v, want %v", tt.in, g.lifetime, tt.want)
		}
	}
}

func TestTokenSingleFetch(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release
		writeGrant(w, "tok-1", "", 3600)
	})
	ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token"}, testCred)

	const workers = 32
	tokens := make(chan string, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			token, err := ts.Token(context.Background())
			if err != nil {
				t.Errorf("Token() error = %v", err)
			}
			tokens <- token
		})
	}
	close(release)
	wg.Wait()
	close(tokens)

	for token := range tokens {
		if token != "tok-1" {
			t.Errorf("Token() = %q, want tok-1", token)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestTokenWaiterRetriesAbandonedFetch(t *testing.T) {
	arrived := make(chan struct{}, 1)
	var calls atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			arrived <- struct{}{}
			<-r.Context().Done() // hold the first fetch until its caller gives up
			return
		}
		writeGrant(w, "tok-2", "", 3600)
	})
	ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token"}, testCred)

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		first <- err
	}()
	<-arrived
	second := make(chan string, 1)
	go func() {
		token, err := ts.Token(context.Background())
		if err != nil {
			t.Errorf("Token() of the waiter error = %v", err)
		}
		second <- token
	}()
	cancel()

	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("Token() of the canceled caller error = %v, want context.Canceled", err)
	}
	if token := <-second; token != "tok-2" {
		t.Errorf("Token() of the waiter = %q, want tok-2", token)
	}
}

func TestTokenWaitHonoursContext(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		writeGrant(w, "tok-1", "", 3600)
	})
	ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token"}, testCred)

	done := make(chan struct{})
	go func() {
		defer close(done)
		mustToken(t, ts)
	}()
	<-arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ts.Token(ctx)
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, context.Canceled) {
		t.Errorf("Token(canceled) error = %v, want a *TokenError wrapping context.Canceled", err)
	}
	close(release)
	<-done
}

func TestTokenRefresh(t *testing.T) {
	srv := newTokenServer(t)
	srv.refresh = true
	clock := newFakeClock()
	ts := srv.source(clock)

	mustToken(t, ts)
	clock.Advance(time.Hour - time.Minute)
	if token := mustToken(t, ts); token != "tok-2" {
		t.Errorf("Token() after renewal = %q, want tok-2", token)
	}
	grants, _ := srv.counts()
	if grants != 1 {
		t.Errorf("client-credentials requests = %d, want 1", grants)
	}
	if got := srv.refreshTokens(); len(got) != 1 || got[0] != "refresh-1" {
		t.Errorf("refresh requests = %q, want [refresh-1]", got)
	}

	// the next renewal uses the refresh token of the last response
	clock.Advance(time.Hour - time.Minute)
	mustToken(t, ts)
	if got := srv.refreshTokens(); len(got) != 2 || got[1] != "refresh-2" {
		t.Errorf("refresh requests = %q, want [refresh-1 refresh-2]", got)
	}
}

func TestTokenRefreshFallsBack(t *testing.T) {
	srv := newTokenServer(t)
	srv.refresh = true
	clock := newFakeClock()
	ts := srv.source(clock)

	mustToken(t, ts)
	srv.fail(http.StatusBadRequest) // the refresh token is refused
	clock.Advance(time.Hour - time.Minute)
	if token := mustToken(t, ts); token != "tok-2" {
		t.Errorf("Token() after refused refresh = %q, want tok-2", token)
	}
	grants, refreshes := srv.counts()
	if grants != 2 || refreshes != 1 {
		t.Errorf("requests = %d grants, %d refreshes, want 2 and 1", grants, refreshes)
	}
}

func TestTokenRefreshRequest(t *testing.T) {
	var auth, contentType string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/oauth/refreshtoken" {
			auth, contentType = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		}
		writeGrant(w, "tok", testRefresh, 3600)
	})
	clock := newFakeClock()
	ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token", Now: clock.Now}, testCred)
	mustToken(t, ts)
	clock.Advance(time.Hour - time.Minute)
	mustToken(t, ts)
	if auth != "" {
		t.Errorf("refresh Authorization = %q, want none", auth)
	}
	if contentType != "application/x-www-form-urlencoded" {
		t.Errorf("refresh Content-Type = %q, want a form", contentType)
	}
}

func TestTokenFailedRenewalKeepsToken(t *testing.T) {
	srv := newTokenServer(t)
	clock := newFakeClock()
	ts := srv.source(clock)

	mustToken(t, ts)
	srv.fail(http.StatusServiceUnavailable)
	clock.Advance(55 * time.Minute)
	if token := mustToken(t, ts); token != "tok-1" {
		t.Errorf("Token() after failed renewal = %q, want the still valid tok-1", token)
	}
	clock.Advance(renewRetryDelay - time.Second)
	mustToken(t, ts)
	if grants, _ := srv.counts(); grants != 2 {
		t.Errorf("token requests before the retry delay = %d, want 2", grants)
	}
	clock.Advance(time.Second)
	if token := mustToken(t, ts); token != "tok-2" {
		t.Errorf("Token() after the retry delay = %q, want tok-2", token)
	}
}

func TestTokenExpiredAndRenewalFails(t *testing.T) {
	srv := newTokenServer(t)
	clock := newFakeClock()
	ts := srv.source(clock)

	mustToken(t, ts)
	srv.fail(http.StatusServiceUnavailable)
	clock.Advance(time.Hour)
	_, err := ts.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.Status != http.StatusServiceUnavailable || !te.Retryable() {
		t.Errorf("Token() after expiry error = %v, want a retryable *TokenError with status 503", err)
	}
}

func TestTokenInvalidate(t *testing.T) {
	srv := newTokenServer(t)
	ts := srv.source(newFakeClock())

	mustToken(t, ts)
	ts.Invalidate("tok-1")
	if token := mustToken(t, ts); token != "tok-2" {
		t.Errorf("Token() after Invalidate(tok-1) = %q, want tok-2", token)
	}

	// a second worker reporting the same stale token causes no fetch
	ts.Invalidate("tok-1")
	ts.Invalidate("")
	if token := mustToken(t, ts); token != "tok-2" {
		t.Errorf("Token() after stale Invalidate = %q, want tok-2", token)
	}
	if grants, _ := srv.counts(); grants != 2 {
		t.Errorf("token requests = %d, want 2", grants)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		status    int
		rejected  bool
		retryable bool
	}{
		{http.StatusBadRequest, true, false},
		{http.StatusUnauthorized, true, false},
		{http.StatusForbidden, true, false},
		{http.StatusNotFound, false, false},
		{http.StatusRequestTimeout, false, true},
		{http.StatusTooManyRequests, false, true},
		{http.StatusInternalServerError, false, true},
		{http.StatusServiceUnavailable, false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				writeJSON(w, tt.status,
					`{"error":"invalid_client","error_description":"Bad client credentials"}`)
			})
			ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token"}, testCred)
			_, err := ts.Token(context.Background())

			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("Token() error = %v, want a *TokenError", err)
			}
			if got := errors.Is(err, ErrCredentialsRejected); got != tt.rejected {
				t.Errorf("errors.Is(%v, ErrCredentialsRejected) = %v, want %v", err, got, tt.rejected)
			}
			if got := te.Retryable(); got != tt.retryable {
				t.Errorf("Retryable() = %v, want %v", got, tt.retryable)
			}
			if te.Status != tt.status || te.Code != "invalid_client" ||
				te.Message != "Bad client credentials" || te.RetryAfter != 3*time.Second {
				t.Errorf("TokenError = %+v, want status %d, code invalid_client, "+
					"the description and 3s", te, tt.status)
			}
		})
	}
}

func TestTokenUnusableResponses(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ``},
		{"html", `<html><title>Login</title></html>`},
		{"no access token", `{"token_type":"Bearer"}`},
		{"numeric access token", `{"access_token":12345}`},
		{"token with newline", `{"access_token":"a\nb"}`},
		{"array", `[{"access_token":"a"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, tt.body)
			})
			ts := NewTokenSource(Config{AuthURL: srv.URL + "/v1/oauth/token"}, testCred)
			_, err := ts.Token(context.Background())
			var te *TokenError
			if !errors.As(err, &te) || te.Retryable() || te.Status != http.StatusOK {
				t.Errorf("Token() error = %v, want a final *TokenError with status 200", err)
			}
		})
	}
}

func TestTokenUnreachable(t *testing.T) {
	ts := NewTokenSource(Config{AuthURL: refusedURL(t) + "/v1/oauth/token"}, testCred)
	_, err := ts.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || !te.Retryable() || te.Status != 0 {
		t.Errorf("Token() error = %v, want a retryable *TokenError without status", err)
	}
}

func TestTokenFixed(t *testing.T) {
	ts := NewTokenSource(Config{AuthURL: refusedURL(t)}, Credentials{AccessToken: "ready"})
	for range 2 {
		if token := mustToken(t, ts); token != "ready" {
			t.Errorf("Token() = %q, want the fixed token", token)
		}
		ts.Invalidate("ready")
	}
}

func TestTokenSetupErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		cred Credentials
		want string
	}{
		{"plain http", Config{AuthURL: "http://auth.example.com/token"}, testCred, "loopback"},
		{"no secret", Config{}, Credentials{APIKey: "k"}, EnvClientSecret},
		{"nothing", Config{}, Credentials{}, "no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTokenSource(tt.cfg, tt.cred).Token(context.Background())
			var te *TokenError
			if !errors.As(err, &te) || te.Retryable() || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Token() error = %v, want a final *TokenError mentioning %q", err, tt.want)
			}
		})
	}
}

func TestTokenURLs(t *testing.T) {
	tests := []struct {
		auth, token, refresh string
	}{
		{DefaultAuthURL,
			"https://api.projectcor.com/v1/oauth/token?grant_type=client_credentials",
			"https://api.projectcor.com/v1/oauth/refreshtoken"},
		{"http://127.0.0.1:8080/cor/v1/oauth/token/?x=1",
			"http://127.0.0.1:8080/cor/v1/oauth/token/?grant_type=client_credentials&x=1",
			"http://127.0.0.1:8080/cor/v1/oauth/refreshtoken"},
		{"http://localhost/auth",
			"http://localhost/auth?grant_type=client_credentials",
			"http://localhost/v1/oauth/refreshtoken"},
	}
	for _, tt := range tests {
		token, refresh := tokenURLs(tt.auth)
		if token != tt.token || refresh != tt.refresh {
			t.Errorf("tokenURLs(%q) = %q, %q, want %q, %q", tt.auth, token, refresh,
				tt.token, tt.refresh)
		}
	}
}

// refusedURL returns the URL of a loopback port where nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestTokenRetryDelayEndsAtExpiry(t *testing.T) {
	srv := newTokenServer(t)
	clock := newFakeClock()
	ts := srv.source(clock)

	mustToken(t, ts)
	srv.fail(http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	clock.Advance(time.Hour - 15*time.Second) // 5 s before the token expires
	if token := mustToken(t, ts); token != "tok-1" {
		t.Errorf("Token() after failed renewal = %q, want the still valid tok-1", token)
	}
	clock.Advance(5 * time.Second)
	if _, err := ts.Token(context.Background()); err == nil {
		t.Error("Token() after expiry and a failed renewal error = nil, want an error")
	}
}

// FuzzParseGrant checks that any token response is read without panic and
// that an accepted one has a usable token and a bounded lifetime.
func FuzzParseGrant(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","expires_in":3600,"refresh_token":"r"}`))
	f.Add([]byte(`{"access_token":"a","expires_in":"1e400"}`))
	f.Add([]byte(`{"access_token":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := parseGrant(body)
		if err != nil {
			return
		}
		if g.access == "" || checkSecret("access_token", g.access) != nil {
			t.Fatalf("parseGrant(%q) access token %q, want a usable token", body, g.access)
		}
		if g.lifetime <= 0 || g.lifetime > maxTokenLifetime {
			t.Fatalf("parseGrant(%q) lifetime %v out of range", body, g.lifetime)
		}
	})
}
