package corapi

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // substring of the error, or "" for none
	}{
		{"https://integrations.projectcor.com", ""},
		{"https://api.projectcor.com/v1/oauth/token", ""},
		{"HTTPS://example.com/", ""},
		{"https://example.com/token?tenant=1", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.8.9.10/x", ""},
		{"http://[::1]:9000/", ""},
		{"http://[::ffff:127.0.0.1]/", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST./", ""},
		{"http://example.com", "loopback"},
		{"http://10.0.0.1", "loopback"},
		{"http://0.0.0.0:8080", "loopback"},
		{"http://localhost.example.com", "loopback"},
		{"http://127.0.0.1.nip.io", "loopback"},
		{"ftp://example.com", "not supported"},
		{"example.com/path", "no scheme"},
		{"https://", "no host"},
		{"https://:443", "no host"},
		{"https://user:pass@example.com", "user information"},
		{"https://example.com/#frag", "fragment"},
		{"https://example.com/#", "fragment"},
		{"://bad", "not a valid URL"},
		{"", "no scheme"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckURL(%q) = %v, want an error mentioning %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "pass@") {
			t.Errorf("CheckURL(%q) = %v, which repeats the user information", tt.url, err)
		}
	}
}
