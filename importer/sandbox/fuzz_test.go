package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func FuzzCreateBody(f *testing.F) {
	for _, seed := range []string{
		clientBody("JIRA", "1", "A"),
		`{"metadata":{"source":"SAP"},"id":"x","name":"y","phone":"\u0000"}`,
		`{"metadata":null,"id":"1","name":"A"}`,
		`{"metadata":{"source":["JIRA"]}}`,
		`[]`, `{`, `"`, `nul`, "\xff\xfe{}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		// a fresh server per input keeps inputs independent and the heap flat
		s := New(Options{MaxBodyBytes: 4096})
		p, _ := s.issue(time.Now(), "")
		req := httptest.NewRequest("POST", clientsPath, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+p.access)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusCreated && w.Code != http.StatusBadRequest {
			t.Fatalf("create(%q) = %d %s, want 201 or 400", body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("create(%q) response %q is not valid JSON", body, w.Body)
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{"", "plain", "quote \" and \\", "\x00\x1f\x7f",
		"línea\n\t€", "\u2028\u2029", "bad \xff utf-8 \xc3", "<&>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendString(%q) = %s, not a JSON string: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("appendString(%q) decodes to %q, want %q as encoding/json gives",
				s, back, wantBack)
		}
	})
}

// TestAppendClientIsValidJSON checks the hand-written encoder against the
// fields it must carry.
func TestAppendClientIsValidJSON(t *testing.T) {
	c := Client{CORID: 12, CompanyID: 3, Name: "A \"q\"\n", Phone: "1",
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.FixedZone("X", 3600))}
	c.UpdatedAt = c.CreatedAt
	b := appendClient(nil, &c)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("appendClient = %s, not JSON: %v", b, err)
	}
	for key, want := range map[string]any{
		"id": float64(12), "company_id": float64(3), "name": "A \"q\"\n", "phone": "1",
		"website": nil, "created_at": "2026-01-02T02:04:05.006Z",
	} {
		if m[key] != want {
			t.Errorf("appendClient %s = %v, want %v", key, m[key], want)
		}
	}
}
