package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/sandbox"
)

func TestSandboxCommandUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
		{"argument", []string{"file.csv"}, `unexpected argument "file.csv"`},
		{"retry-after mode", []string{"--retry-after", "soon"}, "invalid Retry-After mode"},
		{"duplicate status", []string{"--duplicate-status", "500"}, "duplicate status 500"},
		{"error rate", []string{"--error-rate", "2"}, "error rate 2"},
		{"rates over 1", []string{"--error-rate", ".7", "--reset-rate", ".7"}, "exceed 1"},
		{"latency", []string{"--latency", "fast"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := sandboxCommand(context.Background(), tt.args, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("sandboxCommand(%q) = %d, want %d", tt.args, code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("sandboxCommand(%q) stderr = %q, want it to contain %q",
					tt.args, stderr.String(), tt.want)
			}
		})
	}
}

func TestSandboxCommandHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := sandboxCommand(context.Background(), []string{"--help"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("sandboxCommand(--help) = %d, want %d", code, exitOK)
	}
	for _, flag := range []string{"--addr", "--api-key", "--client-secret", "--latency",
		"--latency-jitter", "--rate-limit", "--retry-after", "--error-rate", "--reset-rate",
		"--drop-after-store-rate", "--token-ttl", "--duplicate-status", "--seed",
		"CORIMPORT_RATE_LIMIT"} {
		if !strings.Contains(stdout.String(), flag) {
			t.Errorf("help does not mention %s:\n%s", flag, stdout.String())
		}
	}
}

// TestSandboxCommandServes starts the command on a free port, takes the
// URL from its banner, imports one client through it and stops it.
func TestSandboxCommandServes(t *testing.T) {
	t.Setenv("CORIMPORT_API_KEY", "env-key")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	out, banner := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- sandboxCommand(ctx, []string{"--addr", "127.0.0.1:0", "--client-secret",
			"s3cret", "--duplicate-status", "409"}, banner, &stderr)
		banner.Close()
	}()

	// read the banner up to the import hint, then drain the rest
	var text strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		text.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "  COR_API_URL=") {
			break
		}
	}
	go io.Copy(io.Discard, out)

	base := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)\n`).FindStringSubmatch(text.String())
	if base == nil {
		t.Fatalf("banner has no base URL:\n%s", text.String())
	}
	for _, want := range []string{`API key "env-key"`, `client secret "s3cret"`,
		"curl -s -u 'env-key:s3cret'", "faults          none"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("banner does not contain %q:\n%s", want, text.String())
		}
	}

	// the credentials from the environment and the flag are the ones accepted
	req, _ := http.NewRequest("POST", base[1]+"/v1/oauth/token?grant_type=client_credentials", nil)
	req.SetBasicAuth("env-key", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token request = %d, want 200 with a token", resp.StatusCode)
	}
	for _, want := range []int{201, 409} {
		req, _ = http.NewRequest("POST", base[1]+"/v2/integrations/clients",
			strings.NewReader(`{"metadata":{"source":"JIRA"},"id":"1","name":"A"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("create = %d, want %d", resp.StatusCode, want)
		}
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("sandboxCommand after cancel = %d, want %d; stderr:\n%s",
			code, exitOK, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 clients stored") {
		t.Errorf("stderr = %q, want the stop line with 1 clients stored", stderr.String())
	}
}

func TestDescribeFaults(t *testing.T) {
	var o sandbox.Options
	fs := newSandboxFlags(&o, io.Discard)
	err := fs.Parse([]string{"--latency", "50ms", "--latency-jitter", "10ms",
		"--rate-limit", "5", "--retry-after", "date", "--error-rate", "0.1",
		"--reset-rate", "0.05", "--drop-after-store-rate", "0.02", "--seed", "7",
		"--token-ttl", "1m", "--token-expires-in", "1h"})
	if err != nil {
		t.Fatal(err)
	}
	got := describeFaults(o)
	for _, want := range []string{"latency 50ms + up to 10ms",
		"rate limit 5/s (Retry-After: date)", "5xx 10%", "resets 5%",
		"drops after store 2%", "tokens expire after 1m0s, report 1h0m0s", "(seed 7)"} {
		if !strings.Contains(got, want) {
			t.Errorf("describeFaults = %q, want it to contain %q", got, want)
		}
	}
	if got := describeFaults(sandbox.Options{}); got != "none" {
		t.Errorf("describeFaults(zero) = %q, want none", got)
	}
}

func TestSandboxBannerWarnsOffLoopback(t *testing.T) {
	tests := []struct {
		base string
		warn bool
	}{
		{"http://127.0.0.1:8080", false},
		{"http://[::1]:8080", false},
		{"http://0.0.0.0:8080", true},
		{"http://192.0.2.10:8080", true},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		printSandboxBanner(&stdout, &stderr, tt.base, sandbox.Options{APIKey: "k", ClientSecret: "it's"})
		if got := strings.Contains(stderr.String(), "warning"); got != tt.warn {
			t.Errorf("printSandboxBanner(%s) warned = %v, want %v", tt.base, got, tt.warn)
		}
		if !strings.Contains(stdout.String(), `COR_CLIENT_SECRET='it'\''s'`) {
			t.Errorf("printSandboxBanner(%s) does not shell-quote the secret:\n%s",
				tt.base, stdout.String())
		}
	}
}
