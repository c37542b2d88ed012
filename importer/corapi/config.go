package corapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Defaults used for the zero fields of a Config.
const (
	DefaultAPIURL    = "https://integrations.projectcor.com"
	DefaultAuthURL   = "https://api.projectcor.com/v1/oauth/token"
	DefaultTimeout   = 30 * time.Second
	DefaultMaxConns  = 4
	DefaultUserAgent = "corimport"
)

// Config configures a Client and a TokenSource. The zero value talks to
// COR's production endpoints.
type Config struct {
	// APIURL is the base URL of the Integrations API. Paths such as
	// /v2/integrations/clients are appended to it.
	APIURL string

	// AuthURL is the token endpoint. The token source adds
	// grant_type=client_credentials to its query, and sends refresh
	// requests to the sibling path refreshtoken (for the default,
	// https://api.projectcor.com/v1/oauth/refreshtoken).
	AuthURL string

	// HTTPClient sends the requests. When nil, a client with its own
	// connection pool sized by MaxConns is built. Redirects are never
	// followed, even with a client given here, because a redirected POST
	// would turn into a GET or be sent twice.
	HTTPClient *http.Client

	// Timeout bounds one attempt, from sending the request to reading the
	// whole response. A token request has the same bound of its own.
	Timeout time.Duration

	// UserAgent is sent with every request.
	UserAgent string

	// MaxConns is the number of idle connections kept per host, normally
	// the number of workers, so that each worker reuses its connection.
	// It is used only when HTTPClient is nil.
	MaxConns int

	// Now returns the current time, and nil means time.Now. Tests set it to
	// control token renewal and Retry-After dates.
	Now func() time.Time
}

// withDefaults returns cfg with every zero field set to its default.
func (cfg Config) withDefaults() Config {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = DefaultAuthURL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.HTTPClient = cfg.httpClient()
	return cfg
}

// httpClient returns a copy of cfg.HTTPClient, or a new client, that does
// not follow redirects.
func (cfg Config) httpClient() *http.Client {
	var c http.Client
	if cfg.HTTPClient != nil {
		c = *cfg.HTTPClient
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.MaxConns
		t.MaxIdleConns = max(t.MaxIdleConns, 2*cfg.MaxConns)
		c.Transport = t
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &c
}

// CheckURL returns an error unless raw is an absolute URL that is safe to
// send credentials to: https, or plain http to a loopback host
// (127.0.0.0/8, ::1 or localhost). It also rejects user information and
// fragments. The error names the rule that failed but not the variable,
// which only the caller has, and never repeats user information.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("corapi: not a valid URL")
	}
	switch {
	case u.Scheme == "":
		return errors.New("corapi: URL has no scheme; start it with https://")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("corapi: URL has no host")
	case u.User != nil:
		return errors.New("corapi: URL must not contain user information; " +
			"pass credentials through the credential variables")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("corapi: URL must not contain a fragment (#...)")
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("corapi: URL scheme %q is not supported; use https", u.Scheme)
	case !isLoopback(u.Hostname()):
		return fmt.Errorf("corapi: plain http is allowed only for loopback hosts "+
			"(127.0.0.0/8, ::1, localhost), not %q; use https", u.Hostname())
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
