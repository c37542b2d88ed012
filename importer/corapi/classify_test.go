package corapi

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseRetryAfter(t *testing.T) {
	now := newFakeClock().Now() // Sat, 01 Mar 2025 12:00:00 GMT
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"5", 5 * time.Second},
		{" 5 ", 5 * time.Second},
		{"3599", 3599 * time.Second},
		{"3600", MaxRetryAfter},
		{"86400", MaxRetryAfter},
		{"99999999999999999999999", MaxRetryAfter},
		{"-1", 0},
		{"1.5", 0},
		{"5s", 0},
		{"soon", 0},
		{"Sat, 01 Mar 2025 12:01:30 GMT", 90 * time.Second},
		{"Saturday, 01-Mar-25 12:00:10 GMT", 10 * time.Second},
		{"Sat Mar  1 12:00:20 2025", 20 * time.Second},
		{"Sat, 01 Mar 2025 11:59:00 GMT", 0},
		{"Sun, 02 Mar 2025 12:00:00 GMT", MaxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.header, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		limit   int
		secrets []string
		want    string
	}{
		{"plain", "bad request", 100, nil, "bad request"},
		{"whitespace", " a\r\n\tb  c\x00d ", 100, nil, "a b c d"},
		{"invalid utf-8", "a\xffb", 100, nil, "a\uFFFDb"},
		{"cut on rune", "ééé", 3, nil, "é…"},
		{"secret", "token abc123 echoed", 100, []string{"abc123"}, "token [redacted] echoed"},
		{"secret at cut", "xx abc123", 6, []string{"abc123"}, "xx [re…"},
		{"empty secret ignored", "abc", 100, []string{""}, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in, tt.limit, tt.secrets); got != tt.want {
				t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestParseCreated(t *testing.T) {
	tests := []struct {
		body   string
		want   Created
		wantOK bool
	}{
		{`{"id":1,"company_id":2,"created_at":"c","updated_at":"u"}`,
			Created{ID: 1, CompanyID: 2, CreatedAt: "c", UpdatedAt: "u"}, true},
		{`{"id":1,"company_id":"x","created_at":5}`, Created{ID: 1}, true},
		{` {"id":7} `, Created{ID: 7}, true},
		{`{"data":{"id":8,"company_id":3}}`, Created{ID: 8, CompanyID: 3}, true},
		{`{"id":9223372036854775808}`, Created{}, false},
		{`{"id":null}`, Created{}, false},
		{`{"id":true}`, Created{}, false},
		{`{"data":[{"id":1}]}`, Created{}, false},
		{`{"id":1}{"id":2}`, Created{}, false},
	}
	for _, tt := range tests {
		got, problem := parseCreated([]byte(tt.body))
		if got != tt.want || (problem == "") != tt.wantOK {
			t.Errorf("parseCreated(%s) = %+v, %q, want %+v, ok %v", tt.body, got, problem,
				tt.want, tt.wantOK)
		}
	}
}

func TestKindString(t *testing.T) {
	for k := KindUnknown; k <= KindRejected; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "kind ") {
			t.Errorf("Kind(%d).String() = %q, want a description", int(k), s)
		}
	}
}

// FuzzClassify checks that any response is read without panic, that only a
// 2xx with a positive id counts as a client, and that error text stays
// bounded, valid and free of the token.
func FuzzClassify(f *testing.F) {
	for _, tc := range responseCases {
		f.Add(tc.status, tc.contentType, []byte(tc.body))
	}
	f.Add(200, "", []byte(`{"id":1,"token":"tok-secret"}`))
	f.Add(400, "text/html", []byte(`<title>tok-secret`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		header := http.Header{"Content-Type": {contentType}, "Retry-After": {string(body)}}
		a := response{status: status, header: header, body: body, now: time.Unix(0, 0)}
		created, err := decodeResponse(request{"POST", clientsPath}, a, false, "tok-secret")

		if err == nil {
			if status < 200 || status >= 300 || created.ID <= 0 {
				t.Fatalf("status %d body %q read as client %+v", status, body, created)
			}
			return
		}
		e, ok := err.(*APIError)
		if !ok {
			t.Fatalf("error %T, want *APIError", err)
		}
		if status >= 200 && status < 300 && e.Kind != KindUnknown {
			t.Fatalf("status %d read as %v, want KindUnknown", status, e.Kind)
		}
		if e.RetryAfter < 0 || e.RetryAfter > MaxRetryAfter {
			t.Fatalf("RetryAfter = %v, out of range", e.RetryAfter)
		}
		for _, s := range []string{e.Error(), e.Body, e.Message, e.Code, e.Name} {
			if strings.Contains(s, "tok-secret") || !utf8.ValidString(s) {
				t.Fatalf("error text %q holds the token or invalid UTF-8", s)
			}
		}
		if len(e.Body) > maxBodyText+len("…") || len(e.Message) > maxMessageText+len("…") {
			t.Fatalf("error text too long: body %d, message %d bytes", len(e.Body), len(e.Message))
		}
	})
}
