package corapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSecretsNeverInErrors runs every failure path against servers that
// echo what they were sent, and checks that no error text, in any format,
// contains a secret.
func TestSecretsNeverInErrors(t *testing.T) {
	const accessToken = "ACCESS-sekrit-1337"
	basic := base64.StdEncoding.EncodeToString([]byte(testKey + ":" + testSecret))
	secrets := []string{testKey, testSecret, basic, testRefresh, accessToken}

	// echo returns everything the request carried, in the body and headers
	echo := func(w http.ResponseWriter, r *http.Request) string {
		_ = r.ParseForm()
		return fmt.Sprintf("auth=%s form=%s query=%s", r.Header.Get("Authorization"),
			r.PostForm.Encode(), r.URL.RawQuery)
	}
	tests := []struct {
		name string
		auth http.HandlerFunc // token endpoints
		api  http.HandlerFunc // Integrations API, or nil for a refused connection
	}{
		{name: "token rejected",
			auth: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"`+
					echo(w, r)+` `+testKey+`"}`)
			}},
		{name: "token endpoint html",
			auth: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprintf(w, "<title>%s</title>", echo(w, r))
			}},
		{name: "token response malformed",
			auth: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"access_token":`+accessToken+`}`)
			}},
		{name: "token response number",
			auth: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"access_token":1337,"x":"`+accessToken+`"}`)
			}},
		{name: "refresh and grant refused",
			auth: refreshThenFail(accessToken, echo)},
		{name: "api echoes token",
			auth: grantHandler(accessToken),
			api: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusBadRequest, `{"code":"ValidationError","message":"`+
					echo(w, r)+`"}`)
			}},
		{name: "api success echoes token",
			auth: grantHandler(accessToken),
			api: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"token":"`+echo(w, r)+`"}`)
			}},
		{name: "api unauthorized",
			auth: grantHandler(accessToken),
			api: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", r.Header.Get("Authorization"))
				writeJSON(w, http.StatusUnauthorized, echo(w, r))
			}},
		{name: "api refused", auth: grantHandler(accessToken)},
		{name: "api drops connection",
			auth: grantHandler(accessToken),
			api: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := newServer(t, tt.auth)
			apiURL := refusedURL(t)
			if tt.api != nil {
				apiURL = newServer(t, tt.api).URL
			}
			clock := newFakeClock()
			cfg := Config{APIURL: apiURL, AuthURL: auth.URL + "/v1/oauth/token", Now: clock.Now}
			ts := NewTokenSource(cfg, testCred)
			c := New(cfg, ts)

			var errs []error
			for range 3 {
				_, err := c.CreateClient(context.Background(), []byte(payload))
				errs = append(errs, err)
				_, err = c.UpdateClient(context.Background(), "SF-1", []byte(payload))
				errs = append(errs, err)
				clock.Advance(time.Hour)
			}
			failed := 0
			for _, err := range errs {
				if err == nil {
					continue
				}
				failed++
				text := fmt.Sprintf("%v|%+v|%#v|%s|%q", err, err, err, err, err)
				for _, secret := range secrets {
					if strings.Contains(text, secret) {
						t.Errorf("error %q contains a secret", text)
					}
				}
			}
			if failed == 0 {
				t.Error("no call failed, so nothing was checked")
			}
		})
	}
}

// grantHandler issues accessToken with a refresh token.
func grantHandler(accessToken string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeGrant(w, accessToken, testRefresh, 3600)
	}
}

// refreshThenFail issues a token with a refresh token once, then refuses
// the refresh and the grant, echoing what it was sent.
func refreshThenFail(accessToken string,
	echo func(http.ResponseWriter, *http.Request) string) http.HandlerFunc {
	var served atomic.Bool
	return func(w http.ResponseWriter, r *http.Request) {
		if !served.Swap(true) {
			writeGrant(w, accessToken, testRefresh, 3600)
			return
		}
		writeJSON(w, http.StatusBadRequest, `{"error":"invalid_grant","message":"`+
			echo(w, r)+`"}`)
	}
}
