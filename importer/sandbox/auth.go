package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// token is the state of one access token.
type token struct {
	expires    time.Time // when the server stops accepting it
	advertised time.Time // expiry that expires_in reported to the caller
}

// tokenStore holds the access and refresh tokens issued so far. Expired
// access tokens are pruned whenever a new one is issued. Refresh tokens are
// single-use and do not expire.
//
// NOTE: unused refresh tokens stay in memory for the life of the server,
// a few dozen bytes per token request. A sandbox that issues millions of
// tokens would need an expiry for them.
type tokenStore struct {
	mu      sync.RWMutex
	access  map[string]token
	refresh map[string]bool
}

func (ts *tokenStore) init() {
	ts.access = make(map[string]token)
	ts.refresh = make(map[string]bool)
}

// tokenPair is the body of a token endpoint response.
type tokenPair struct {
	access, refresh string
	expiresIn       time.Duration
}

// issue creates a new access and refresh token at time now, and removes
// the refresh token it replaces, if any. It returns false if replaced is
// not a live refresh token.
func (s *Server) issue(now time.Time, replaced string) (tokenPair, bool) {
	p := tokenPair{
		access:    rand.Text(),
		refresh:   rand.Text(),
		expiresIn: s.opts.TokenExpiresIn,
	}
	ts := &s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()

	if replaced != "" {
		if !ts.refresh[replaced] {
			return tokenPair{}, false
		}
		delete(ts.refresh, replaced)
	}
	for t, info := range ts.access {
		if !now.Before(info.expires) {
			delete(ts.access, t)
		}
	}
	ts.access[p.access] = token{
		expires:    now.Add(s.opts.TokenTTL),
		advertised: now.Add(s.opts.TokenExpiresIn),
	}
	ts.refresh[p.refresh] = true
	return p, true
}

// ExpireTokens makes every access token issued so far expire now, as if
// COR had revoked them. Refresh tokens stay valid.
func (s *Server) ExpireTokens() {
	ts := &s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for t, info := range ts.access {
		info.expires = time.Time{}
		ts.access[t] = info
	}
}

// serveToken implements the client credentials grant with Basic auth.
func (s *Server) serveToken(w *recorder, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if g := r.Form.Get("grant_type"); g != "client_credentials" {
		writeError(w, http.StatusBadRequest, "UnsupportedGrantTypeError",
			"grant_type "+strconv.Quote(g)+" is not supported, use client_credentials")
		return
	}

	key, secret, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		writeError(w, http.StatusUnauthorized, "InvalidClientError",
			"missing Basic credentials: send the API key and client secret")
		return
	}
	keyOK := subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret))
	if keyOK&secretOK != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		writeError(w, http.StatusUnauthorized, "InvalidClientError",
			"invalid API key or client secret")
		return
	}

	p, _ := s.issue(s.opts.Now(), "")
	writeTokenPair(w, p)
}

// serveRefresh exchanges a refresh token, sent as the form field
// refresh_token, for a new token pair.
func (s *Server) serveRefresh(w *recorder, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	old := r.Form.Get("refresh_token")
	if old == "" {
		writeError(w, http.StatusBadRequest, "ValidationError",
			"missing form field refresh_token")
		return
	}
	p, ok := s.issue(s.opts.Now(), old)
	if !ok {
		writeError(w, http.StatusUnauthorized, "InvalidRefreshTokenError",
			"refresh token is unknown or was already used; request a new token "+
				"with the client credentials")
		return
	}
	writeTokenPair(w, p)
}

// parseForm reads the query and, for a form body, the body, with the
// server's size limit.
func (s *Server) parseForm(w *recorder, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationError",
			"invalid form or query: "+err.Error())
		return false
	}
	return true
}

func writeTokenPair(w http.ResponseWriter, p tokenPair) {
	b := getBuffer()
	*b = append(*b, `{"access_token":`...)
	*b = appendString(*b, p.access)
	*b = append(*b, `,"token_type":"Bearer","expires_in":`...)
	*b = strconv.AppendInt(*b, int64(p.expiresIn/time.Second), 10)
	*b = append(*b, `,"refresh_token":`...)
	*b = appendString(*b, p.refresh)
	*b = append(*b, '}')
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, *b)
	putBuffer(b)
}

// authorize checks the bearer token of an integration request and responds
// with 401 if it is missing, unknown or expired.
func (s *Server) authorize(w *recorder, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox"`)
		writeError(w, http.StatusUnauthorized, "UnauthorizedError",
			"missing bearer token in the Authorization header")
		return false
	}

	now := s.opts.Now()
	s.tokens.mu.RLock()
	t, ok := s.tokens.access[strings.TrimSpace(h[len(prefix):])]
	s.tokens.mu.RUnlock()

	switch {
	case !ok:
		w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "InvalidTokenError",
			"bearer token is not valid; request a new one")
		return false
	case !now.Before(t.expires):
		if now.Before(t.advertised) {
			s.stats.earlyExpiries.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "TokenExpiredError",
			"bearer token expired; refresh it or request a new one")
		return false
	}
	return true
}
