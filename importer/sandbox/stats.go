package sandbox

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// Stats counts what a Server has done since it was created.
type Stats struct {
	// Requests counts requests by endpoint name (EndpointCreate and so on)
	// and HTTP status. Status 0 counts requests closed without a response:
	// resets, drops after store, and callers that went away during added
	// latency.
	Requests map[string]map[int]int64 `json:"requests"`

	Created int64 `json:"created"` // clients stored by creates
	Updated int64 `json:"updated"` // clients changed by PUT
	Deleted int64 `json:"deleted"` // clients removed by DELETE

	Faults FaultCounts `json:"faults"`
}

// FaultCounts counts injected faults by kind.
type FaultCounts struct {
	Delayed         int64 `json:"delayed"`           // responses held back by added latency
	RateLimited     int64 `json:"rate_limited"`      // 429 responses from the rate limit
	Throttled       int64 `json:"throttled"`         // 429 responses drawn by ThrottleRate
	ServerErrors    int64 `json:"server_errors"`     // 500, 502, 503 and 504 responses
	Resets          int64 `json:"resets"`            // connections reset before a response
	DropsAfterStore int64 `json:"drops_after_store"` // creates stored, then closed without a response
	EarlyExpiries   int64 `json:"early_expiries"`    // tokens rejected before expires_in ran out
}

// RequestCount returns how many requests to endpoint ended with status.
func (st Stats) RequestCount(endpoint string, status int) int64 {
	return st.Requests[endpoint][status]
}

type requestKey struct {
	endpoint string
	status   int
}

// statsRecorder collects Stats. Request counts sit behind one mutex, which
// costs far less than the HTTP round trip around it; the other counters
// are atomic.
type statsRecorder struct {
	mu       sync.Mutex
	requests map[requestKey]int64

	created, updated, deleted atomic.Int64

	delayed, rateLimited, throttled, serverErrors, resets, drops, earlyExpiries atomic.Int64
}

func (st *statsRecorder) init() { st.requests = make(map[requestKey]int64) }

// begin wraps w in a recorder that counts the request under endpoint.
func (st *statsRecorder) begin(w http.ResponseWriter, endpoint string) *recorder {
	return &recorder{ResponseWriter: w, stats: st, endpoint: endpoint}
}

func (st *statsRecorder) count(endpoint string, status int) {
	st.mu.Lock()
	st.requests[requestKey{endpoint, status}]++
	st.mu.Unlock()
}

func (st *statsRecorder) snapshot() Stats {
	out := Stats{
		Requests: make(map[string]map[int]int64),
		Created:  st.created.Load(),
		Updated:  st.updated.Load(),
		Deleted:  st.deleted.Load(),
		Faults: FaultCounts{
			Delayed:         st.delayed.Load(),
			RateLimited:     st.rateLimited.Load(),
			Throttled:       st.throttled.Load(),
			ServerErrors:    st.serverErrors.Load(),
			Resets:          st.resets.Load(),
			DropsAfterStore: st.drops.Load(),
			EarlyExpiries:   st.earlyExpiries.Load(),
		},
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, n := range st.requests {
		byStatus := out.Requests[k.endpoint]
		if byStatus == nil {
			byStatus = make(map[int]int64)
			out.Requests[k.endpoint] = byStatus
		}
		byStatus[k.status] = n
	}
	return out
}

// Stats returns a copy of the server's counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }
