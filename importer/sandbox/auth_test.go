package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{APIKey: "key-1", ClientSecret: "secret-1"})
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		user, pass string // Basic credentials; empty user sends none
		wantStatus int
		wantCode   string
	}{
		{"valid", "POST", "/v1/oauth/token?grant_type=client_credentials", "",
			"key-1", "secret-1", 200, ""},
		{"grant type in form body", "POST", "/v1/oauth/token",
			"grant_type=client_credentials", "key-1", "secret-1", 200, ""},
		{"wrong secret", "POST", "/v1/oauth/token?grant_type=client_credentials", "",
			"key-1", "nope", 401, "InvalidClientError"},
		{"wrong key", "POST", "/v1/oauth/token?grant_type=client_credentials", "",
			"sandbox", "secret-1", 401, "InvalidClientError"},
		{"no credentials", "POST", "/v1/oauth/token?grant_type=client_credentials", "",
			"", "", 401, "InvalidClientError"},
		{"missing grant type", "POST", "/v1/oauth/token", "",
			"key-1", "secret-1", 400, "UnsupportedGrantTypeError"},
		{"password grant", "POST", "/v1/oauth/token?grant_type=password", "",
			"key-1", "secret-1", 400, "UnsupportedGrantTypeError"},
		{"GET", "GET", "/v1/oauth/token?grant_type=client_credentials", "",
			"key-1", "secret-1", 405, "MethodNotAllowedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := h.request(tt.method, tt.path, tt.body,
				"Content-Type: application/x-www-form-urlencoded")
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			a, err := h.send(req)
			if err != nil {
				t.Fatal(err)
			}
			if a.status != tt.wantStatus {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, a.status, a.body,
					tt.wantStatus)
			}
			if tt.wantCode != "" {
				if got := a.corError(t).Code; got != tt.wantCode {
					t.Errorf("error code = %q, want %q", got, tt.wantCode)
				}
				return
			}
			var tok tokenResponse
			a.decode(t, &tok)
			if tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Errorf("token response %s lacks access_token or refresh_token", a.body)
			}
			if tok.TokenType != "Bearer" {
				t.Errorf("token_type = %q, want Bearer", tok.TokenType)
			}
			if tok.ExpiresIn != 3600 {
				t.Errorf("expires_in = %d, want 3600", tok.ExpiresIn)
			}
		})
	}
}

func TestTokenUnauthorizedHeader(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.do("POST", "/v1/oauth/token?grant_type=client_credentials", "")
	if got := a.header.Get("WWW-Authenticate"); got == "" {
		t.Errorf("401 without credentials has no WWW-Authenticate header")
	}
}

func TestRefresh(t *testing.T) {
	h := newHarness(t, Options{})
	first := h.login()

	a := h.refresh(first.RefreshToken)
	if a.status != http.StatusOK {
		t.Fatalf("refresh = %d %s, want 200", a.status, a.body)
	}
	var second tokenResponse
	a.decode(t, &second)
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
		t.Errorf("refresh returned the old tokens")
	}
	if got := h.create(second.AccessToken, clientBody("JIRA", "1", "A")).status; got != 201 {
		t.Errorf("create with refreshed token = %d, want 201", got)
	}

	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantCode   string
	}{
		{"used twice", first.RefreshToken, 401, "InvalidRefreshTokenError"},
		{"unknown", "not-a-token", 401, "InvalidRefreshTokenError"},
		{"access token", second.AccessToken, 401, "InvalidRefreshTokenError"},
		{"missing", "", 400, "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.refresh(tt.token)
			if a.status != tt.wantStatus {
				t.Fatalf("refresh(%q) = %d %s, want %d", tt.token, a.status, a.body,
					tt.wantStatus)
			}
			if got := a.corError(t).Code; got != tt.wantCode {
				t.Errorf("refresh(%q) code = %q, want %q", tt.token, got, tt.wantCode)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login()
	tests := []struct {
		name     string
		auth     string
		wantCode string // empty for success
	}{
		{"valid", "Bearer " + tok.AccessToken, ""},
		{"lower-case scheme", "bearer " + tok.AccessToken, ""},
		{"missing", "", "UnauthorizedError"},
		{"basic scheme", "Basic c2FuZGJveDpzYW5kYm94", "UnauthorizedError"},
		{"empty token", "Bearer ", "UnauthorizedError"},
		{"unknown token", "Bearer 0123456789", "InvalidTokenError"},
		{"refresh token", "Bearer " + tok.RefreshToken, "InvalidTokenError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{"Content-Type: application/json"}
			if tt.auth != "" {
				headers = append(headers, "Authorization: "+tt.auth)
			}
			a := h.do("POST", clientsPath, clientBody("JIRA", tt.name, "Acme"), headers...)
			if tt.wantCode == "" {
				if a.status != 201 {
					t.Fatalf("create = %d %s, want 201", a.status, a.body)
				}
				return
			}
			if a.status != 401 {
				t.Errorf("create with %q = %d, want 401", tt.auth, a.status)
			}
			if got := a.corError(t).Code; got != tt.wantCode {
				t.Errorf("create with %q: code = %q, want %q", tt.auth, got, tt.wantCode)
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Options{TokenTTL: time.Minute, Now: clock.Now})
	tok := h.login()
	if tok.ExpiresIn != 60 {
		t.Errorf("expires_in = %d, want 60", tok.ExpiresIn)
	}

	clock.Advance(59 * time.Second)
	if a := h.create(tok.AccessToken, clientBody("OKTA", "1", "A")); a.status != 201 {
		t.Fatalf("create at 59 s = %d %s, want 201", a.status, a.body)
	}

	clock.Advance(time.Second)
	a := h.create(tok.AccessToken, clientBody("OKTA", "2", "B"))
	if a.status != 401 || a.corError(t).Code != "TokenExpiredError" {
		t.Fatalf("create at 60 s = %d %s, want 401 TokenExpiredError", a.status, a.body)
	}
	if n := h.srv.Stats().Faults.EarlyExpiries; n != 0 {
		t.Errorf("EarlyExpiries = %d after a token expired on time, want 0", n)
	}

	// the refresh token outlives the access token
	r := h.refresh(tok.RefreshToken)
	if r.status != 200 {
		t.Fatalf("refresh after expiry = %d %s, want 200", r.status, r.body)
	}
	var renewed tokenResponse
	r.decode(t, &renewed)
	if a := h.create(renewed.AccessToken, clientBody("OKTA", "2", "B")); a.status != 201 {
		t.Errorf("create with renewed token = %d %s, want 201", a.status, a.body)
	}
}

func TestTokenExpiresEarly(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Options{
		TokenTTL:       time.Minute,
		TokenExpiresIn: time.Hour,
		Now:            clock.Now,
	})
	tok := h.login()
	if tok.ExpiresIn != 3600 {
		t.Errorf("expires_in = %d, want 3600", tok.ExpiresIn)
	}
	clock.Advance(time.Minute)
	a := h.create(tok.AccessToken, clientBody("OKTA", "1", "A"))
	if a.status != 401 {
		t.Fatalf("create after the real lifetime = %d, want 401", a.status)
	}
	if n := h.srv.Stats().Faults.EarlyExpiries; n != 1 {
		t.Errorf("EarlyExpiries = %d, want 1", n)
	}
}

func TestExpireTokens(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login()
	h.srv.ExpireTokens()
	a := h.create(tok.AccessToken, clientBody("SAP", "1", "A"))
	if a.status != 401 || a.corError(t).Code != "TokenExpiredError" {
		t.Fatalf("create after ExpireTokens = %d %s, want 401 TokenExpiredError",
			a.status, a.body)
	}
	if n := h.srv.Stats().Faults.EarlyExpiries; n != 1 {
		t.Errorf("EarlyExpiries = %d, want 1", n)
	}
	if a := h.refresh(tok.RefreshToken); a.status != 200 {
		t.Errorf("refresh after ExpireTokens = %d, want 200", a.status)
	}
}
