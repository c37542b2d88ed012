package corapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestCredentialsFromEnv(t *testing.T) {
	files := map[string]string{
		"/run/secrets/key":      testKey + "\n",
		"/run/secrets/secret":   testSecret + "\r\n",
		"/run/secrets/token":    "file-token",
		"/run/secrets/empty":    "\n",
		"/run/secrets/twolines": "a\nb\n",
	}
	readFile := func(path string) ([]byte, error) {
		s, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    Credentials
		wantErr string // substring of the error, or "" for none
	}{
		{name: "key and secret",
			env:  map[string]string{"COR_API_KEY": testKey, "COR_CLIENT_SECRET": testSecret},
			want: testCred},
		{name: "files",
			env: map[string]string{"COR_API_KEY_FILE": "/run/secrets/key",
				"COR_CLIENT_SECRET_FILE": "/run/secrets/secret"},
			want: testCred},
		{name: "mixed",
			env: map[string]string{"COR_API_KEY": testKey,
				"COR_CLIENT_SECRET_FILE": "/run/secrets/secret"},
			want: testCred},
		{name: "access token", env: map[string]string{"COR_ACCESS_TOKEN": "tok"},
			want: Credentials{AccessToken: "tok"}},
		{name: "access token file",
			env:  map[string]string{"COR_ACCESS_TOKEN_FILE": "/run/secrets/token"},
			want: Credentials{AccessToken: "file-token"}},
		{name: "nothing", env: map[string]string{}, wantErr: "no credentials"},
		{name: "both ways",
			env: map[string]string{"COR_API_KEY": testKey, "COR_API_KEY_FILE": "/run/secrets/key",
				"COR_CLIENT_SECRET": testSecret},
			wantErr: "both COR_API_KEY and COR_API_KEY_FILE"},
		{name: "missing file",
			env: map[string]string{"COR_API_KEY_FILE": "/run/secrets/nope",
				"COR_CLIENT_SECRET": testSecret},
			wantErr: "COR_API_KEY_FILE"},
		{name: "empty file",
			env:     map[string]string{"COR_ACCESS_TOKEN_FILE": "/run/secrets/empty"},
			wantErr: "COR_ACCESS_TOKEN_FILE: the file \"/run/secrets/empty\" is empty"},
		{name: "line break inside file",
			env:     map[string]string{"COR_ACCESS_TOKEN_FILE": "/run/secrets/twolines"},
			wantErr: "COR_ACCESS_TOKEN_FILE contains a control character"},
		{name: "key without secret", env: map[string]string{"COR_API_KEY": testKey},
			wantErr: "COR_API_KEY is set but COR_CLIENT_SECRET is not"},
		{name: "secret without key", env: map[string]string{"COR_CLIENT_SECRET": testSecret},
			wantErr: "COR_CLIENT_SECRET is set but COR_API_KEY is not"},
		{name: "token and key",
			env: map[string]string{"COR_ACCESS_TOKEN": "tok", "COR_API_KEY": testKey,
				"COR_CLIENT_SECRET": testSecret},
			wantErr: "both COR_ACCESS_TOKEN"},
		{name: "space around value",
			env:     map[string]string{"COR_API_KEY": testKey + " ", "COR_CLIENT_SECRET": testSecret},
			wantErr: "COR_API_KEY starts or ends with a space"},
		{name: "control character",
			env:     map[string]string{"COR_ACCESS_TOKEN": "a\tb"},
			wantErr: "COR_ACCESS_TOKEN contains a control character"},
		{name: "colon in key",
			env:     map[string]string{"COR_API_KEY": "a:" + testKey, "COR_CLIENT_SECRET": testSecret},
			wantErr: "COR_API_KEY contains a colon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(name string) string { return tt.env[name] }
			got, err := CredentialsFromEnv(getenv, readFile)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Errorf("CredentialsFromEnv() = %#v, %v, want %#v", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CredentialsFromEnv() error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if got != (Credentials{}) {
				t.Errorf("CredentialsFromEnv() = %#v with an error, want zero", got)
			}
			for _, secret := range []string{testKey, testSecret, "file-token", "a\tb"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("CredentialsFromEnv() error = %q, which contains a secret", err)
				}
			}
		})
	}
}

func TestCredentialsFromEnvNoCredentials(t *testing.T) {
	_, err := CredentialsFromEnv(func(string) string { return "" }, nil)
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("CredentialsFromEnv(empty) error = %v, want ErrNoCredentials", err)
	}
}

func TestCredentialsRedacted(t *testing.T) {
	cred := Credentials{APIKey: testKey, ClientSecret: testSecret, AccessToken: "TOKEN-sekrit"}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs["fmt "+verb] = fmt.Sprintf(verb, cred)
		outputs["fmt pointer "+verb] = fmt.Sprintf(verb, &cred)
		outputs["fmt nested "+verb] = fmt.Sprintf(verb, struct{ C Credentials }{cred})
	}
	js, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(js)

	var zl bytes.Buffer
	logger := zerolog.New(&zl)
	logger.Info().Object("cred", cred).Interface("any", cred).Msg("x")
	outputs["zerolog"] = zl.String()

	var sl bytes.Buffer
	slog.New(slog.NewJSONHandler(&sl, nil)).Info("x", "cred", cred)
	outputs["slog"] = sl.String()

	ts := NewTokenSource(Config{}, cred)
	outputs["token source"] = fmt.Sprintf("%v %+v %s %d", ts, ts, ts, ts)

	for name, out := range outputs {
		for _, secret := range []string{testKey, testSecret, "TOKEN-sekrit"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output %q contains a secret", name, out)
			}
		}
	}
	if !strings.Contains(outputs["json"], `"api_key":"[redacted]"`) {
		t.Errorf("json = %s, want the key shown as [redacted]", outputs["json"])
	}
	if got := (Credentials{APIKey: "k"}).String(); !strings.Contains(got, "AccessToken: [unset]") {
		t.Errorf("String() = %q, want an unset token shown as [unset]", got)
	}
}
