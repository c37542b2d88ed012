package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/corimport/corimport/importer/sandbox"
)

const sandboxUsage = `Usage: corimport sandbox [flags]

Serves a local stand-in of the COR API from memory until SIGINT or SIGTERM:
the OAuth token endpoints and the client endpoints of the Integrations API,
with COR's validation and error bodies. Faults can be switched on to
rehearse an import against a slow or failing service. Nothing is saved
when it stops.

GET /_sandbox/clients lists the stored clients (?source= filters them) and
GET /_sandbox/stats counts requests by endpoint and status, and faults.

Flags (each can also be set by the environment variable in brackets):
`

// sandboxCommand implements "corimport sandbox".
func sandboxCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var opts sandbox.Options
	fs := newSandboxFlags(&opts, stderr)
	rest, code, stop := parseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "corimport sandbox: unexpected argument %q; the command "+
			"takes only flags\nRun \"corimport help sandbox\" for usage.\n", rest[0])
		return exitUsage
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(stderr, "corimport sandbox: %v\n", err)
		return exitUsage
	}

	run, err := sandbox.Start(opts)
	if err != nil {
		fmt.Fprintf(stderr, "corimport sandbox: %v\n", err)
		return exitAborted
	}
	printSandboxBanner(stdout, stderr, run.URL, opts)

	<-ctx.Done()
	st := run.Server.Stats()
	err = run.Close()
	fmt.Fprintf(stderr, "corimport sandbox: stopped; %d requests served, %d clients "+
		"stored\n", totalRequests(st), len(run.Server.Clients()))
	if err != nil {
		fmt.Fprintf(stderr, "corimport sandbox: %v\n", err)
		return exitAborted
	}
	return exitOK
}

func newSandboxFlags(o *sandbox.Options, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), sandboxUsage)
		printFlags(fs)
	}

	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080",
		"`address` to listen on; port 0 picks a free port")
	fs.StringVar(&o.APIKey, "api-key", sandbox.DefaultAPIKey,
		"API `key` the token endpoint accepts")
	fs.StringVar(&o.ClientSecret, "client-secret", sandbox.DefaultClientSecret,
		"client `secret` the token endpoint accepts")
	fs.DurationVar(&o.TokenTTL, "token-ttl", sandbox.DefaultTokenTTL,
		"`lifetime` of an access token")
	fs.DurationVar(&o.TokenExpiresIn, "token-expires-in", 0,
		"`lifetime` reported in expires_in; 0 reports --token-ttl, and a longer one "+
			"makes tokens expire early")
	fs.IntVar(&o.DuplicateStatus, "duplicate-status", 400,
		"HTTP `status` of DuplicateExternalIdError: 400 or 409")
	fs.DurationVar(&o.Latency, "latency", 0, "`delay` added before every response")
	fs.DurationVar(&o.LatencyJitter, "latency-jitter", 0,
		"maximum random `delay` added on top of --latency")
	fs.Float64Var(&o.RateLimit, "rate-limit", 0,
		"integration `requests` per second accepted before responding with 429; "+
			"0 means no limit")
	fs.IntVar(&o.RateBurst, "rate-burst", 0,
		"`number` of requests accepted at once above --rate-limit; 0 means one second's worth")
	fs.Var(&o.RetryAfter, "retry-after",
		"`mode` of the Retry-After header on 429 and 503 responses: none, seconds or date")
	fs.Float64Var(&o.ErrorRate, "error-rate", 0,
		"`share` (0 to 1) of integration requests that get 500, 502, 503 or 504")
	fs.Float64Var(&o.ResetRate, "reset-rate", 0,
		"`share` (0 to 1) of integration requests whose connection is reset before a response")
	fs.Float64Var(&o.ThrottleRate, "throttle-rate", 0,
		"`share` (0 to 1) of integration requests that get 429, whatever the rate limit")
	fs.Float64Var(&o.DropAfterStoreRate, "drop-after-store-rate", 0,
		"`share` (0 to 1) of creates stored, then closed without a response")
	fs.Uint64Var(&o.Seed, "seed", 0, "`seed` of the random fault sequence")
	return fs
}

// printSandboxBanner writes the base URL, the credentials and commands to
// try to stdout, and a warning to stderr if other machines can connect.
func printSandboxBanner(stdout, stderr io.Writer, base string, o sandbox.Options) {
	tokenURL := base + "/v1/oauth/token"
	w := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	w("corimport sandbox: serving a local stand-in of the COR API at %s", base)
	w("  token endpoint  %s", tokenURL)
	w("  credentials     API key %q, client secret %q", o.APIKey, o.ClientSecret)
	w("  faults          %s", describeFaults(o))
	w("Stop it with Ctrl-C. Try it:")
	w("  TOKEN=$(curl -s -u %s -X POST '%s?grant_type=client_credentials' | "+
		`sed -E 's/.*"access_token":"([^"]+)".*/\1/')`,
		shellQuote(o.APIKey+":"+o.ClientSecret), tokenURL)
	w("  curl -s -X POST %s/v2/integrations/clients -H \"Authorization: Bearer $TOKEN\" "+
		`-H 'Content-Type: application/json' `+
		`-d '{"metadata":{"source":"SALESFORCE"},"id":"001","name":"Acme"}'`, base)
	w("  curl -s %s/_sandbox/clients", base)
	w("Import into it:")
	w("  COR_API_URL=%s COR_AUTH_URL=%s COR_API_KEY=%s COR_CLIENT_SECRET=%s "+
		"corimport run --source SALESFORCE FILE",
		base, tokenURL, shellQuote(o.APIKey), shellQuote(o.ClientSecret))

	if u, err := url.Parse(base); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
			fmt.Fprintf(stderr, "corimport sandbox: warning: %s is reachable from other "+
				"machines, and anyone who can connect can use the credentials above\n", base)
		}
	}
}

// describeFaults lists the faults switched on, or "none".
func describeFaults(o sandbox.Options) string {
	var parts []string
	if o.Latency > 0 || o.LatencyJitter > 0 {
		parts = append(parts, fmt.Sprintf("latency %v + up to %v", o.Latency, o.LatencyJitter))
	}
	if o.RateLimit > 0 {
		parts = append(parts, fmt.Sprintf("rate limit %g/s (Retry-After: %s)",
			o.RateLimit, o.RetryAfter))
	}
	for _, r := range []struct {
		name  string
		share float64
	}{
		{"5xx", o.ErrorRate},
		{"resets", o.ResetRate},
		{"429s", o.ThrottleRate},
		{"drops after store", o.DropAfterStoreRate},
	} {
		if r.share > 0 {
			parts = append(parts, fmt.Sprintf("%s %g%%", r.name, 100*r.share))
		}
	}
	if o.TokenExpiresIn > o.TokenTTL && o.TokenTTL > 0 {
		parts = append(parts, fmt.Sprintf("tokens expire after %v, report %v",
			o.TokenTTL, o.TokenExpiresIn))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (seed %d)", o.Seed)
}

func totalRequests(st sandbox.Stats) int64 {
	var n int64
	for _, byStatus := range st.Requests {
		for _, c := range byStatus {
			n += c
		}
	}
	return n
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
