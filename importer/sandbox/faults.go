package sandbox

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// RetryAfter selects the Retry-After header of 429 and 503 responses. It
// implements flag.Value with the names none, seconds and date.
type RetryAfter int

// The Retry-After modes.
const (
	RetryAfterNone    RetryAfter = iota // no header
	RetryAfterSeconds                   // delay in whole seconds, such as "2"
	RetryAfterDate                      // HTTP date, such as "Mon, 02 Jan 2006 15:04:05 GMT"
)

var retryAfterNames = [...]string{"none", "seconds", "date"}

// String returns the mode's flag name.
func (m RetryAfter) String() string {
	if m < 0 || int(m) >= len(retryAfterNames) {
		return "RetryAfter(" + strconv.Itoa(int(m)) + ")"
	}
	return retryAfterNames[m]
}

// Set parses a mode name, for use with flag.Var.
func (m *RetryAfter) Set(name string) error {
	for i, n := range retryAfterNames {
		if n == name {
			*m = RetryAfter(i)
			return nil
		}
	}
	return fmt.Errorf("invalid Retry-After mode %q, use none, seconds or date", name)
}

// float64 returns a pseudo-random number in [0, 1) from the seeded source.
func (s *Server) float64() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Float64()
}

// int64N returns a pseudo-random number in [0, n) from the seeded source.
func (s *Server) int64N(n int64) int64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Int64N(n)
}

// delay waits for the added latency. It returns false if the caller went
// away first.
func (s *Server) delay(r *http.Request) bool {
	d := s.opts.Latency
	if s.opts.LatencyJitter > 0 {
		d += time.Duration(s.int64N(int64(s.opts.LatencyJitter)))
	}
	if d <= 0 {
		return true
	}
	s.stats.delayed.Add(1)
	return s.sleep(r, d)
}

func sleepContext(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// injectFault applies the rate limit, then draws whether to respond with a
// 5xx or reset the connection. It returns true if it handled the request.
// The request is not processed in either case, so a caller may retry it.
func (s *Server) injectFault(w *recorder, r *http.Request) bool {
	if s.limiter != nil {
		if handled := s.limitRate(w); handled {
			return true
		}
	}
	if s.opts.ErrorRate == 0 && s.opts.ResetRate == 0 && s.opts.ThrottleRate == 0 {
		return false
	}

	u := s.float64()
	switch {
	case u < s.opts.ErrorRate:
		s.stats.serverErrors.Add(1)
		s.writeServerError(w)
		return true
	case u < s.opts.ErrorRate+s.opts.ResetRate:
		s.stats.resets.Add(1)
		s.closeWithoutResponse(w, true)
		return true
	case u < s.opts.ErrorRate+s.opts.ResetRate+s.opts.ThrottleRate:
		s.stats.throttled.Add(1)
		s.setRetryAfter(w, s.opts.Now(), time.Second)
		writeError(w, http.StatusTooManyRequests, "TooManyRequestsError",
			"too many requests, retry later")
		return true
	}
	return false
}

// limitRate responds with 429 if the token bucket is empty.
func (s *Server) limitRate(w *recorder) bool {
	now := s.opts.Now()
	if s.limiter.AllowN(now, 1) {
		return false
	}
	s.stats.rateLimited.Add(1)

	// ask the bucket when the next request would pass, without taking it
	res := s.limiter.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	res.CancelAt(now)
	s.setRetryAfter(w, now, wait)
	writeError(w, http.StatusTooManyRequests, "TooManyRequestsError",
		fmt.Sprintf("rate limit of %v requests per second exceeded, retry in %v",
			s.opts.RateLimit, wait.Round(time.Millisecond)))
	return true
}

// setRetryAfter sets the Retry-After header in the configured mode, to
// wait rounded up to whole seconds (at least 1), or to the first whole
// second of the HTTP date at or after now+wait, because both forms drop
// fractions.
func (s *Server) setRetryAfter(w http.ResponseWriter, now time.Time, wait time.Duration) {
	switch s.opts.RetryAfter {
	case RetryAfterSeconds:
		secs := max(1, int64((wait+time.Second-1)/time.Second))
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	case RetryAfterDate:
		at := now.Add(max(wait, time.Second)).UTC()
		if t := at.Truncate(time.Second); t.Before(at) {
			at = t.Add(time.Second)
		}
		w.Header().Set("Retry-After", at.Format(http.TimeFormat))
	}
}

// serverErrorStatuses are the statuses injected by ErrorRate.
var serverErrorStatuses = [...]int{
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// writeServerError responds with one of serverErrorStatuses. A 500 comes from
// the API with COR's JSON error body; 502, 503 and 504 come with an HTML
// page, as a proxy in front of the API would send them.
func (s *Server) writeServerError(w *recorder) {
	status := serverErrorStatuses[s.int64N(int64(len(serverErrorStatuses)))]
	if status == http.StatusInternalServerError {
		writeError(w, status, "InternalServerError", "unexpected error, try again later")
		return
	}
	if status == http.StatusServiceUnavailable {
		s.setRetryAfter(w, s.opts.Now(), time.Second)
	}
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, "<html><head><title>"+text+"</title></head><body><h1>"+text+
		"</h1></body></html>\n")
}

// dropAfterStore draws whether a stored create gets no response.
func (s *Server) dropAfterStore() bool {
	if s.opts.DropAfterStoreRate == 0 || s.float64() >= s.opts.DropAfterStoreRate {
		return false
	}
	s.stats.drops.Add(1)
	return true
}

// closeWithoutResponse closes the connection without writing a response. With
// reset, it sets SO_LINGER to 0 first so that the close sends a TCP RST
// rather than a FIN, and the caller sees "connection reset by peer".
func (s *Server) closeWithoutResponse(w *recorder, reset bool) {
	w.count() // before the close, which the caller may see at once
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 and test recorders cannot hijack; aborting the handler
		// makes net/http reset the stream or close the connection.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		tcp.SetLinger(0)
	}
	conn.Close()
}
