package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	tests := []struct {
		mode RetryAfter
		want func(now time.Time) string
	}{
		{RetryAfterNone, func(time.Time) string { return "" }},
		{RetryAfterSeconds, func(time.Time) string { return "1" }},
		{RetryAfterDate, func(now time.Time) string {
			return now.Add(time.Second).Format(http.TimeFormat)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			clock := newFakeClock()
			h := newHarness(t, Options{
				RateLimit: 2, RateBurst: 1, RetryAfter: tt.mode, Now: clock.Now,
			})
			tok := h.login().AccessToken
			if a := h.create(tok, clientBody("JIRA", "1", "A")); a.status != 201 {
				t.Fatalf("first create = %d, want 201", a.status)
			}

			a := h.create(tok, clientBody("JIRA", "2", "B"))
			if a.status != http.StatusTooManyRequests {
				t.Fatalf("second create = %d %s, want 429", a.status, a.body)
			}
			if got := a.corError(t).Code; got != "TooManyRequestsError" {
				t.Errorf("429 code = %q, want TooManyRequestsError", got)
			}
			if got, want := a.header.Get("Retry-After"), tt.want(clock.Now()); got != want {
				t.Errorf("Retry-After = %q, want %q", got, want)
			}
			if len(h.srv.Clients()) != 1 {
				t.Errorf("a 429 stored the client")
			}

			// the token endpoint is not limited
			h.login()

			clock.Advance(500 * time.Millisecond)
			if a := h.create(tok, clientBody("JIRA", "2", "B")); a.status != 201 {
				t.Errorf("create after 500 ms = %d %s, want 201", a.status, a.body)
			}
			st := h.srv.Stats()
			if st.Faults.RateLimited != 1 || st.RequestCount(EndpointCreate, 429) != 1 {
				t.Errorf("Stats() = %+v, want one 429 create and RateLimited 1", st)
			}
		})
	}
}

func TestServerErrors(t *testing.T) {
	h := newHarness(t, Options{ErrorRate: 1, RetryAfter: RetryAfterSeconds, Seed: 1})
	tok := h.login().AccessToken
	const n = 40
	seen := map[int]int{}
	for i := range n {
		a := h.create(tok, clientBody("JIRA", fmt.Sprint(i), "A"))
		seen[a.status]++
		switch a.status {
		case 500:
			if e := a.corError(t); e.Code != "InternalServerError" || e.Status != 500 {
				t.Errorf("500 body = %s, want a CORCustomError InternalServerError", a.body)
			}
		case 502, 503, 504:
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%d Content-Type = %q, want text/html", a.status, ct)
			}
			if ra := a.header.Get("Retry-After"); (a.status == 503) != (ra == "1") {
				t.Errorf("%d Retry-After = %q, want 1 on 503 only", a.status, ra)
			}
		default:
			t.Errorf("create %d = %d %s, want 500, 502, 503 or 504", i, a.status, a.body)
		}
	}
	for _, status := range serverErrorStatuses {
		if seen[status] == 0 {
			t.Errorf("no %d among %d responses: %v", status, n, seen)
		}
	}
	if got := len(h.srv.Clients()); got != 0 {
		t.Errorf("Clients() has %d clients after only 5xx responses, want 0", got)
	}
	if got := h.srv.Stats().Faults.ServerErrors; got != n {
		t.Errorf("ServerErrors = %d, want %d", got, n)
	}
}

func TestConnectionReset(t *testing.T) {
	h := newHarness(t, Options{ResetRate: 1})
	tok := h.login().AccessToken
	_, err := h.send(h.request("POST", clientsPath, clientBody("JIRA", "1", "A"),
		"Content-Type: application/json", "Authorization: Bearer "+tok))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("create error = %v, want connection reset by peer", err)
	}
	if got := len(h.srv.Clients()); got != 0 {
		t.Errorf("Clients() has %d clients after a reset, want 0", got)
	}
	st := h.srv.Stats()
	if st.Faults.Resets != 1 || st.RequestCount(EndpointCreate, 0) != 1 {
		t.Errorf("Stats() = %+v, want one reset counted under status 0", st)
	}
}

func TestDropAfterStore(t *testing.T) {
	h := newHarness(t, Options{DropAfterStoreRate: 1})
	tok := h.login().AccessToken
	_, err := h.send(h.request("POST", clientsPath, clientBody("JIRA", "1", "A"),
		"Content-Type: application/json", "Authorization: Bearer "+tok))
	if err == nil {
		t.Fatalf("create got a response, want the connection closed without one")
	}
	if errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("create error = %v, want a plain close, not a reset", err)
	}
	if got := h.srv.Clients(); len(got) != 1 || got[0].ExternalID != "1" {
		t.Fatalf("Clients() = %+v, want the dropped create stored", got)
	}
	st := h.srv.Stats()
	if st.Faults.DropsAfterStore != 1 || st.Created != 1 ||
		st.RequestCount(EndpointCreate, 0) != 1 {
		t.Errorf("Stats() = %+v, want one drop, one create, counted under status 0", st)
	}

	// a retry of the same record finds the stored client
	a := h.create(tok, clientBody("JIRA", "1", "A"))
	if a.status != 400 || a.corError(t).Code != "DuplicateExternalIdError" {
		t.Errorf("retry = %d %s, want 400 DuplicateExternalIdError", a.status, a.body)
	}
}

// faultSequence sends creates one at a time and names each outcome.
func faultSequence(t *testing.T, opts Options, n int) []string {
	h := newHarness(t, opts)
	tok := h.login().AccessToken
	out := make([]string, n)
	for i := range out {
		a, err := h.send(h.request("POST", clientsPath, clientBody("JIRA", fmt.Sprint(i), "A"),
			"Content-Type: application/json", "Authorization: Bearer "+tok))
		switch {
		case errors.Is(err, syscall.ECONNRESET):
			out[i] = "reset"
		case err != nil:
			out[i] = "drop"
		default:
			out[i] = fmt.Sprint(a.status)
		}
	}
	return out
}

func TestFaultSequenceRepeatsWithSeed(t *testing.T) {
	opts := Options{ErrorRate: 0.2, ResetRate: 0.1, DropAfterStoreRate: 0.2, Seed: 42}
	const n = 60
	first := faultSequence(t, opts, n)
	second := faultSequence(t, opts, n)
	if !slices.Equal(first, second) {
		t.Errorf("same seed, different faults:\n%v\n%v", first, second)
	}
	for _, kind := range []string{"201", "reset", "drop"} {
		if !slices.Contains(first, kind) {
			t.Errorf("no %s in %v", kind, first)
		}
	}
	opts.Seed = 43
	if other := faultSequence(t, opts, n); slices.Equal(first, other) {
		t.Errorf("seeds 42 and 43 gave the same faults: %v", first)
	}
}

func TestLatency(t *testing.T) {
	record := func(seed uint64) []time.Duration {
		s := New(Options{Latency: 10 * time.Millisecond,
			LatencyJitter: 5 * time.Millisecond, Seed: seed})
		var mu sync.Mutex
		var waits []time.Duration
		s.sleep = func(_ *http.Request, d time.Duration) bool {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, d)
			return true
		}
		ts := httptest.NewServer(s)
		defer ts.Close()
		h := &harness{t: t, srv: s, url: ts.URL, client: ts.Client()}
		tok := h.login().AccessToken
		for i := range 5 {
			h.create(tok, clientBody("JIRA", fmt.Sprint(i), "A"))
		}
		if got := s.Stats().Faults.Delayed; got != 6 {
			t.Errorf("Delayed = %d, want 6", got)
		}
		mu.Lock()
		defer mu.Unlock()
		return waits
	}

	waits := record(9)
	if len(waits) != 6 {
		t.Fatalf("latency applied %d times, want 6 (token and 5 creates)", len(waits))
	}
	for _, d := range waits {
		if d < 10*time.Millisecond || d >= 15*time.Millisecond {
			t.Errorf("latency %v, want in [10ms, 15ms)", d)
		}
	}
	if again := record(9); !slices.Equal(waits, again) {
		t.Errorf("same seed, different latencies:\n%v\n%v", waits, again)
	}
}

func TestSleepContext(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	if !sleepContext(req, time.Millisecond) {
		t.Errorf("sleepContext(live request, 1ms) = false, want true")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sleepContext(req.WithContext(ctx), time.Hour) {
		t.Errorf("sleepContext(canceled request, 1h) = true, want false")
	}
}

func TestRetryAfterFlagValue(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    RetryAfter
		wantErr bool
	}{
		{"none", RetryAfterNone, false},
		{"seconds", RetryAfterSeconds, false},
		{"date", RetryAfterDate, false},
		{"Seconds", RetryAfterNone, true},
		{"", RetryAfterNone, true},
	} {
		var m RetryAfter
		err := m.Set(tt.in)
		if m != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("Set(%q) = %v, %v; want %v, error %v", tt.in, m, err, tt.want, tt.wantErr)
		}
		if err == nil && m.String() != tt.in {
			t.Errorf("String() = %q, want %q", m.String(), tt.in)
		}
	}
	if got := RetryAfter(7).String(); got != "RetryAfter(7)" {
		t.Errorf("RetryAfter(7).String() = %q, want RetryAfter(7)", got)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"zero", Options{}, ""},
		{"all faults", Options{DuplicateStatus: 409, Latency: time.Second, RateLimit: 5,
			RetryAfter: RetryAfterDate, ErrorRate: 0.5, ResetRate: 0.5,
			DropAfterStoreRate: 1}, ""},
		{"duplicate status 500", Options{DuplicateStatus: 500}, "duplicate status"},
		{"negative ttl", Options{TokenTTL: -1}, "token lifetime"},
		{"negative jitter", Options{LatencyJitter: -1}, "latency"},
		{"negative rate", Options{RateLimit: -1}, "rate limit"},
		{"negative body size", Options{MaxBodyBytes: -1}, "body size"},
		{"retry-after mode 3", Options{RetryAfter: 3}, "retry-after"},
		{"error rate 1.5", Options{ErrorRate: 1.5}, "error rate"},
		{"reset rate negative", Options{ResetRate: -0.1}, "reset rate"},
		{"drop rate NaN", Options{DropAfterStoreRate: math.NaN()}, "drop-after-store"},
		{"error plus reset over 1", Options{ErrorRate: 0.6, ResetRate: 0.6}, "exceed 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want an error about %s", err, tt.wantErr)
			}
			if _, err := Start(tt.opts); err == nil {
				t.Errorf("Start() = nil error, want the Validate error")
			}
		})
	}
}

func TestNewPanicsOnInvalidOptions(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New(DuplicateStatus: 302) did not panic")
		}
	}()
	New(Options{DuplicateStatus: 302})
}

func TestSetRetryAfterRoundsUp(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 300e6, time.UTC)
	tests := []struct {
		mode RetryAfter
		wait time.Duration
		want string
	}{
		{RetryAfterNone, time.Second, ""},
		{RetryAfterSeconds, 0, "1"},
		{RetryAfterSeconds, 900 * time.Millisecond, "1"},
		{RetryAfterSeconds, 1100 * time.Millisecond, "2"},
		{RetryAfterDate, 0, "Sun, 01 Mar 2026 12:00:02 GMT"},
		{RetryAfterDate, 700 * time.Millisecond, "Sun, 01 Mar 2026 12:00:02 GMT"},
		{RetryAfterDate, 1700 * time.Millisecond, "Sun, 01 Mar 2026 12:00:02 GMT"},
		{RetryAfterDate, 1800 * time.Millisecond, "Sun, 01 Mar 2026 12:00:03 GMT"},
	}
	for _, tt := range tests {
		s := New(Options{RetryAfter: tt.mode})
		w := httptest.NewRecorder()
		s.setRetryAfter(w, now, tt.wait)
		if got := w.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("setRetryAfter(%v, %v) = %q, want %q", tt.mode, tt.wait, got, tt.want)
		}
	}
}

func TestThrottleRate(t *testing.T) {
	sb, err := Start(Options{ThrottleRate: 0.5, RetryAfter: RetryAfterSeconds, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	token := fetchToken(t, http.DefaultClient, sb.URL)

	throttled := 0
	for i := range 40 {
		body := fmt.Sprintf(`{"metadata":{"source":"SAP"},"id":"T-%d","name":"N"}`, i)
		req, _ := http.NewRequest(http.MethodPost, sb.URL+"/v2/integrations/clients", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			throttled++
			if resp.Header.Get("Retry-After") != "1" {
				t.Errorf("429 Retry-After = %q, want 1", resp.Header.Get("Retry-After"))
			}
		}
	}
	if throttled == 0 || throttled == 40 {
		t.Errorf("%d of 40 creates got 429 at ThrottleRate 0.5, want some but not all", throttled)
	}
	if got := sb.Server.Stats().Faults.Throttled; got != int64(throttled) {
		t.Errorf("Stats().Faults.Throttled = %d, want %d", got, throttled)
	}
	if got := len(sb.Server.Clients()); got != 40-throttled {
		t.Errorf("stored %d clients, want %d: a 429 must not store", got, 40-throttled)
	}
}
