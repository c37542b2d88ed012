package corapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token lifetimes and renewal delays.
const (
	// defaultTokenLifetime is assumed when the token endpoint gives no
	// usable expires_in. COR documents about 3600 s, and assuming less costs
	// only an early renewal, and a 401 renews in any case.
	defaultTokenLifetime = 15 * time.Minute

	// maxTokenLifetime caps expires_in, so that a wrong value cannot keep
	// a token cached for months.
	maxTokenLifetime = 24 * time.Hour

	// renewRetryDelay is the pause after a failed renewal while the old
	// token is still valid, so that every caller does not ask again.
	renewRetryDelay = 15 * time.Second
)

// TokenSource supplies bearer tokens for the Integrations API. It fetches
// a token with the client-credentials grant on first use, caches it, and
// renews it once 90% of its lifetime has passed or less than a minute is
// left, whichever comes first. Renewal uses the refresh token when the
// endpoint issued one and falls back to the client credentials if that
// fails. With Credentials.AccessToken set, that token is returned as it is
// and never renewed.
//
// A TokenSource is safe for concurrent use. One fetch runs at a time:
// callers that need a token while one is being fetched wait for it, and
// callers that still hold a valid token during a renewal keep using it.
type TokenSource struct {
	cred       Credentials
	tokenURL   string // AuthURL with grant_type=client_credentials
	refreshURL string
	http       *http.Client
	timeout    time.Duration
	userAgent  string
	now        func() time.Time
	setupErr   error // returned by every Token call when set

	mu       sync.Mutex
	token    string
	refresh  string
	renewAt  time.Time   // renew from this time on
	expireAt time.Time   // stop using the token from this time on
	fetching *tokenFetch // the fetch in flight, nil when none
}

// tokenFetch is one fetch in flight. Waiters read its result once done is
// closed.
type tokenFetch struct {
	done  chan struct{}
	token string
	err   error

	// abandoned is set when the fetch failed because the context of the
	// caller that ran it ended, so waiters with a live context fetch again.
	abandoned bool
}

// grant is a token endpoint's successful response.
type grant struct {
	access   string
	refresh  string
	lifetime time.Duration
}

// NewTokenSource returns a token source for cred. Configuration errors
// (an AuthURL that CheckURL rejects, incomplete credentials) are returned
// by every call to Token.
func NewTokenSource(cfg Config, cred Credentials) *TokenSource {
	cfg = cfg.withDefaults()
	ts := &TokenSource{
		cred:      cred,
		http:      cfg.HTTPClient,
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		now:       cfg.Now,
	}
	if err := cred.validate(); err != nil {
		ts.setupErr = &TokenError{Err: err}
		return ts
	}
	if cred.AccessToken != "" {
		return ts
	}
	if err := CheckURL(cfg.AuthURL); err != nil {
		ts.setupErr = &TokenError{Err: fmt.Errorf("auth URL: %w", err)}
		return ts
	}
	ts.tokenURL, ts.refreshURL = tokenURLs(cfg.AuthURL)
	return ts
}

// tokenURLs returns the client-credentials URL and the refresh URL for
// the token endpoint authURL, which CheckURL has accepted.
func tokenURLs(authURL string) (tokenURL, refreshURL string) {
	u, _ := url.Parse(authURL)
	q := u.Query()
	q.Set("grant_type", "client_credentials")
	t := *u
	t.RawQuery = q.Encode()

	// COR serves /v1/oauth/refreshtoken next to /v1/oauth/token.
	r := *u
	r.RawQuery = ""
	if dir, ok := strings.CutSuffix(strings.TrimSuffix(u.Path, "/"), "/token"); ok {
		r.Path = dir + "/refreshtoken"
	} else {
		r.Path = "/v1/oauth/refreshtoken"
	}
	r.RawPath = ""
	return t.String(), r.String()
}

// Token returns a valid access token, fetching or renewing it first when
// needed. Every error is a *TokenError.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	if ts.setupErr != nil {
		return "", ts.setupErr
	}
	if ts.cred.AccessToken != "" {
		return ts.cred.AccessToken, nil
	}
	for {
		ts.mu.Lock()
		now := ts.now()
		if ts.token != "" && now.Before(ts.renewAt) {
			token := ts.token
			ts.mu.Unlock()
			return token, nil
		}

		// join the fetch in flight, unless the current token is still valid
		if f := ts.fetching; f != nil {
			token, valid := ts.token, ts.token != "" && now.Before(ts.expireAt)
			ts.mu.Unlock()
			if valid {
				return token, nil
			}
			select {
			case <-f.done:
			case <-ctx.Done():
				return "", &TokenError{Err: ctx.Err(), Timeout: isTimeout(ctx.Err())}
			}
			if f.abandoned && ctx.Err() == nil {
				continue
			}
			return f.token, f.err
		}

		// run the fetch, and let waiters read its result from f
		f := &tokenFetch{done: make(chan struct{})}
		ts.fetching = f
		refresh := ts.refresh
		ts.mu.Unlock()
		g, err := ts.fetch(ctx, refresh)
		ts.finish(f, now, g, err, ctx.Err() != nil)
		return f.token, f.err
	}
}

// finish stores the result of a fetch that started at start and wakes the
// callers waiting for it. A failed renewal keeps the old token while it is
// valid and postpones the next attempt.
func (ts *TokenSource) finish(f *tokenFetch, start time.Time, g grant, err error, abandoned bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	defer close(f.done)
	ts.fetching = nil
	if err == nil {
		ts.token, ts.refresh = g.access, g.refresh
		ts.renewAt, ts.expireAt = schedule(start, g.lifetime)
		f.token = g.access
		return
	}

	f.abandoned = abandoned
	now := ts.now()
	if ts.token != "" && now.Before(ts.expireAt) {
		if !abandoned {
			ts.renewAt = now.Add(renewRetryDelay)
			if ts.renewAt.After(ts.expireAt) {
				ts.renewAt = ts.expireAt
			}
		}
		f.token = ts.token
		return
	}
	f.err = err
}

// schedule returns when a token issued at issued with the given lifetime
// should be renewed, and when it must no longer be used. The margin
// before expiry covers a request that is still in flight.
func schedule(issued time.Time, lifetime time.Duration) (renewAt, expireAt time.Time) {
	renewAfter := min(lifetime*9/10, lifetime-time.Minute)
	renewAfter = max(renewAfter, lifetime/2)
	margin := min(10*time.Second, lifetime/10)
	return issued.Add(renewAfter), issued.Add(lifetime - margin)
}

// Invalidate discards token after the API rejected it with 401, so that
// the next Token call fetches a new one. It does nothing when the cached
// token is already a different one (another caller renewed it), for an
// empty token, and for a fixed Credentials.AccessToken. Client calls it
// itself on every 401.
func (ts *TokenSource) Invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if token == "" || token != ts.token {
		return
	}
	ts.token = ""
	ts.renewAt, ts.expireAt = time.Time{}, time.Time{}
}

// String describes the token source without any secret.
func (ts *TokenSource) String() string {
	return "corapi.TokenSource{" + ts.cred.String() + "}"
}

// Format writes the same text as String for every verb, so that printing
// a TokenSource with %v or %+v cannot reveal its unexported secrets.
func (ts *TokenSource) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, ts.String())
}

// fetch obtains a new token: with the refresh token when there is one,
// and with the client credentials otherwise or if that fails.
func (ts *TokenSource) fetch(ctx context.Context, refresh string) (grant, error) {
	if refresh != "" {
		form := url.Values{"refresh_token": {refresh}}
		g, err := ts.post(ctx, ts.refreshURL, form, refresh)
		if err == nil || ctx.Err() != nil {
			return g, err
		}
		ts.dropRefresh(refresh)
	}
	return ts.post(ctx, ts.tokenURL, nil, "")
}

// dropRefresh discards a refresh token that the endpoint did not accept.
func (ts *TokenSource) dropRefresh(refresh string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.refresh == refresh {
		ts.refresh = ""
	}
}

// post sends one token request: a refresh when form is set, otherwise the
// client-credentials grant with Basic authentication.
func (ts *TokenSource) post(ctx context.Context, endpoint string, form url.Values,
	refresh string) (grant, error) {
	attempt, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()

	var body io.Reader = http.NoBody
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(attempt, http.MethodPost, endpoint, body)
	if err != nil {
		return grant{}, &TokenError{Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", ts.userAgent)
	if form != nil {
		// NOTE: COR's reference shows the refresh request without an
		// Authorization header, so none is sent. Should COR require one,
		// the refresh fails and fetch falls back to client credentials.
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req.SetBasicAuth(ts.cred.APIKey, ts.cred.ClientSecret)
	}

	resp, err := ts.http.Do(req)
	if err != nil {
		return grant{}, &TokenError{Err: err, Timeout: isTimeout(err), retryable: ctx.Err() == nil}
	}
	data, err := readBody(resp.Body)
	resp.Body.Close()
	if err != nil {
		return grant{}, &TokenError{Status: resp.StatusCode, Err: err,
			Timeout: isTimeout(err), retryable: ctx.Err() == nil}
	}
	return ts.decode(resp, data, refresh)
}

// decode reads a token endpoint's response.
func (ts *TokenSource) decode(resp *http.Response, data []byte, refresh string) (grant, error) {
	status := resp.StatusCode
	if status >= 200 && status < 300 {
		g, err := parseGrant(data)
		if err != nil {
			return grant{}, &TokenError{Status: status, Err: err}
		}
		return g, nil
	}

	secrets := ts.secrets(refresh)
	fields := parseErrorBody(data, resp.Header.Get("Content-Type"))
	e := &TokenError{
		Status:     status,
		Code:       clean(fields.code, maxMessageText, secrets),
		Message:    clean(fields.message, maxMessageText, secrets),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), ts.now()),
	}
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnauthorized,
		status == http.StatusForbidden:
		e.Err = ErrCredentialsRejected
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests,
		status >= 500:
		e.retryable = true
	default:
		e.Err = errors.New("unexpected status from the token endpoint; check the auth URL")
	}
	return grant{}, e
}

// secrets returns every value that must not appear in a token error.
func (ts *TokenSource) secrets(refresh string) []string {
	basic := base64.StdEncoding.EncodeToString(
		[]byte(ts.cred.APIKey + ":" + ts.cred.ClientSecret))
	return []string{ts.cred.APIKey, ts.cred.ClientSecret, basic, refresh}
}

// parseGrant reads a successful token response. Its errors describe what is
// wrong without quoting the body, which may hold a token.
func parseGrant(data []byte) (grant, error) {
	var v map[string]any
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil || v == nil {
		return grant{}, fmt.Errorf("the response is not a JSON object (%d bytes)", len(data))
	}
	access, _ := v["access_token"].(string)
	if access == "" {
		return grant{}, errors.New("the response has no access_token")
	}
	if checkSecret("access_token", access) != nil {
		return grant{}, errors.New("the access_token contains spaces or control characters")
	}
	refresh, _ := v["refresh_token"].(string)
	if checkSecret("refresh_token", refresh) != nil {
		refresh = ""
	}
	return grant{access: access, refresh: refresh, lifetime: lifetime(v["expires_in"])}, nil
}

// lifetime reads expires_in, a number or numeric string of seconds.
func lifetime(v any) time.Duration {
	secs, err := strconv.ParseFloat(scalarText(v), 64)
	if err != nil || !(secs > 0) { // also rejects NaN
		return defaultTokenLifetime
	}
	if secs >= maxTokenLifetime.Seconds() {
		return maxTokenLifetime
	}
	return time.Duration(secs * float64(time.Second))
}
