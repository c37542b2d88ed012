package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/importer/corapi"
	"github.com/corimport/corimport/importer/sandbox"
)

// newSender connects to COR, or to the in-process sandbox, and fetches the
// first token, so that rejected credentials stop the run before it reads
// a record. The returned func stops the sandbox.
func newSender(ctx context.Context, o *runOptions, log zerolog.Logger) (*importer.Sender, func(), int, error) {
	api, cred, stop, code, err := endpoint(o, log)
	if err != nil {
		return nil, stop, code, err
	}
	tokens := corapi.NewTokenSource(api, cred)
	if _, err := tokens.Token(ctx); err != nil {
		return nil, stop, exitAborted, fmt.Errorf("fetch an access token: %w", err)
	}

	sender := &importer.Sender{
		API:     corapi.New(api, tokens),
		Pacer:   importer.NewPacer(o.rate, o.burst),
		Backoff: importer.Backoff{Base: 500 * time.Millisecond, Max: o.maxWait},
		Retries: o.retries,

		FixedToken: cred.AccessToken != "",
	}
	sender.Pacer.OnChange = func(old, cur float64, reason string) {
		log.Warn().Float64("old_rate", old).Float64("rate", cur).Str("reason", reason).
			Msg("rate changed")
	}
	sender.OnRetry = func(id string, attempt int, wait time.Duration, err error) {
		log.Debug().Str("external_id", id).Int("attempt", attempt).Str("wait", wait.String()).
			Err(err).Msg("retrying")
	}
	return sender, stop, exitOK, nil
}

// endpoint returns where to send and with which credentials: the COR_*
// environment, or a sandbox started here with its own credentials.
func endpoint(o *runOptions, log zerolog.Logger) (corapi.Config, corapi.Credentials, func(), int, error) {
	api := corapi.Config{
		APIURL:    envOr("COR_API_URL", corapi.DefaultAPIURL),
		AuthURL:   envOr("COR_AUTH_URL", corapi.DefaultAuthURL),
		Timeout:   o.timeout,
		MaxConns:  o.workers,
		UserAgent: corapi.DefaultUserAgent,
	}
	if o.sandbox {
		sb, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			return api, corapi.Credentials{}, nil, exitAborted, fmt.Errorf("start the sandbox: %w", err)
		}
		api.APIURL, api.AuthURL = sb.URL, sb.URL+"/v1/oauth/token"
		log.Warn().Str("url", sb.URL).
			Msg("SANDBOX: importing into a local stand-in of the COR API; nothing is sent to COR")
		cred := corapi.Credentials{APIKey: sandbox.DefaultAPIKey, ClientSecret: sandbox.DefaultClientSecret}
		return api, cred, func() { sb.Close() }, exitOK, nil
	}

	cred, err := corapi.CredentialsFromEnv(os.Getenv, os.ReadFile)
	if err != nil {
		return api, cred, nil, exitUsage, err
	}
	for _, u := range []struct{ name, url string }{
		{"COR_API_URL", api.APIURL}, {"COR_AUTH_URL", api.AuthURL},
	} {
		if err := corapi.CheckURL(u.url); err != nil {
			return api, cred, nil, exitUsage, fmt.Errorf("%s: %w", u.name, err)
		}
	}
	return api, cred, nil, exitOK, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
