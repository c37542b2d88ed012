// Package sandbox is a local stand-in for the COR Integrations API, for
// tests, benchmarks and migration rehearsals without a COR account.
//
// A Server is an http.Handler that implements, in memory, the parts of COR
// that the importer uses:
//
//	POST   /v1/oauth/token?grant_type=client_credentials  (Basic auth)
//	POST   /v1/oauth/refreshtoken                          (form refresh_token)
//	POST   /v2/integrations/clients
//	PUT    /v2/integrations/clients/{externalId}
//	DELETE /v2/integrations/clients/{externalId}
//
// It validates requests the way COR's public documentation describes and
// reports errors with COR's documented body
// {"status":400,"name":"CORCustomError","code":"...","message":"..."}, with
// the specific error (ValidationError, InvalidSourceError,
// DuplicateExternalIdError and so on) in code.
//
// Two more routes, under a prefix that COR does not use, let tests and users
// look inside: GET /_sandbox/clients returns the stored clients as a JSON
// array and GET /_sandbox/stats the request and fault counts. The same data
// is available in Go from Server.Clients and Server.Stats.
//
// Options turn on faults, each off by default. Latency delays responses.
// A server-side rate limit responds with 429. A share of requests gets a
// 5xx response, and a share has its connection reset before the response.
// A share of creates is stored and then dropped without a response, and
// tokens can expire before the lifetime they report. Latency applies to
// every COR endpoint, the other faults only to the client endpoints, so a
// test can always get a token. Random choices come
// from a source seeded by Options.Seed, so a single client sending requests
// one at a time gets the same faults on every run.
//
// Start runs a Server on a loopback port for end-to-end tests and for
// `corimport run --sandbox`.
package sandbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults used for the zero values of Options.
const (
	DefaultAPIKey       = "sandbox"
	DefaultClientSecret = "sandbox"
	DefaultTokenTTL     = time.Hour
	DefaultCompanyID    = 5000
	DefaultMaxBodyBytes = 1 << 20
)

// Options configures a Server. The zero value is a fault-free server that
// accepts the credentials sandbox/sandbox.
type Options struct {
	// Addr is the address Start listens on; empty means 127.0.0.1:0, a free
	// loopback port. New ignores it.
	Addr string

	// APIKey and ClientSecret are the only Basic credentials the token
	// endpoint accepts. Empty means DefaultAPIKey and DefaultClientSecret.
	APIKey       string
	ClientSecret string

	// TokenTTL is how long an access token stays valid; zero means
	// DefaultTokenTTL.
	TokenTTL time.Duration

	// TokenExpiresIn is the lifetime the token endpoint reports in
	// expires_in; zero reports TokenTTL. Setting it above TokenTTL makes
	// tokens expire before the caller expects, as a revoked token would.
	TokenExpiresIn time.Duration

	// DuplicateStatus is the HTTP status of DuplicateExternalIdError: 400
	// (the zero value's choice) or 409. COR's documentation does not fix it.
	DuplicateStatus int

	// Latency is added before every API response, plus a uniformly random
	// share of LatencyJitter.
	Latency       time.Duration
	LatencyJitter time.Duration

	// RateLimit is the number of integration requests per second the
	// server accepts before responding with 429; zero means no limit. RateBurst
	// is the token bucket size; zero means one second's worth, at least 1.
	RateLimit float64
	RateBurst int

	// RetryAfter selects the Retry-After header sent with 429 and 503
	// responses.
	RetryAfter RetryAfter

	// ErrorRate is the share of integration requests that get 500,
	// 502, 503 or 504 without being processed. ResetRate is the share whose
	// connection is reset before any response. ThrottleRate is the share
	// that get 429, whatever the rate limit. Each lies in [0, 1] and their
	// sum must not exceed 1, because one random draw decides all three.
	ErrorRate    float64
	ResetRate    float64
	ThrottleRate float64

	// DropAfterStoreRate is the share of successful creates that are
	// stored and then closed without a response, so the caller cannot tell
	// whether the client exists.
	DropAfterStoreRate float64

	// Seed seeds the random source behind every fault.
	Seed uint64

	// CompanyID is the company_id of every client; zero means
	// DefaultCompanyID.
	CompanyID int64

	// MaxBodyBytes is the largest request body accepted; zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Now returns the current time for token expiry, timestamps and the
	// rate limit; nil means time.Now. Tests inject a fake clock here.
	Now func() time.Time
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	switch {
	case o.DuplicateStatus != 0 && o.DuplicateStatus != http.StatusBadRequest &&
		o.DuplicateStatus != http.StatusConflict:
		return fmt.Errorf("sandbox: duplicate status %d is invalid, use 400 or 409",
			o.DuplicateStatus)
	case o.TokenTTL < 0, o.TokenExpiresIn < 0:
		return errors.New("sandbox: token lifetime must not be negative")
	case o.Latency < 0, o.LatencyJitter < 0:
		return errors.New("sandbox: latency must not be negative")
	case o.RateLimit < 0, o.RateBurst < 0:
		return errors.New("sandbox: rate limit and burst must not be negative")
	case o.MaxBodyBytes < 0:
		return errors.New("sandbox: max body size must not be negative")
	case o.RetryAfter < RetryAfterNone || o.RetryAfter > RetryAfterDate:
		return fmt.Errorf("sandbox: retry-after mode %d is invalid, use "+
			"RetryAfterNone, RetryAfterSeconds or RetryAfterDate", int(o.RetryAfter))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{
		{"error rate", o.ErrorRate},
		{"reset rate", o.ResetRate},
		{"throttle rate", o.ThrottleRate},
		{"drop-after-store rate", o.DropAfterStoreRate},
	} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("sandbox: %s %v is outside [0, 1]", r.name, r.v)
		}
	}
	if o.ErrorRate+o.ResetRate+o.ThrottleRate > 1 {
		return fmt.Errorf("sandbox: error rate %v, reset rate %v and throttle rate %v exceed 1 together",
			o.ErrorRate, o.ResetRate, o.ThrottleRate)
	}
	return nil
}

// withDefaults returns o with every zero value replaced by its default.
func (o Options) withDefaults() Options {
	if o.APIKey == "" {
		o.APIKey = DefaultAPIKey
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.TokenExpiresIn == 0 {
		o.TokenExpiresIn = o.TokenTTL
	}
	if o.DuplicateStatus == 0 {
		o.DuplicateStatus = http.StatusBadRequest
	}
	if o.RateLimit > 0 && o.RateBurst == 0 {
		o.RateBurst = max(1, int(o.RateLimit+0.999))
	}
	if o.CompanyID == 0 {
		o.CompanyID = DefaultCompanyID
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Server is the stand-in COR API. It is safe for concurrent use.
type Server struct {
	opts    Options
	limiter *rate.Limiter // nil without a rate limit
	tokens  tokenStore
	store   clientStore
	stats   statsRecorder

	randMu sync.Mutex
	rand   *rand.Rand

	// sleep waits for the added latency; tests replace it to record the
	// durations instead of waiting.
	sleep func(r *http.Request, d time.Duration) bool
}

// New returns a Server configured by opts. It panics if opts.Validate
// fails, because invalid options are a programming error; Start returns the
// error instead.
func New(opts Options) *Server {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	opts = opts.withDefaults()
	s := &Server{
		opts:  opts,
		rand:  rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		sleep: sleepContext,
	}
	if opts.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), opts.RateBurst)
	}
	s.tokens.init()
	s.store.init()
	s.stats.init()
	return s
}
