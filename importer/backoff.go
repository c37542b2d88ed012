package importer

import (
	"math/rand/v2"
	"time"
)

// Backoff is the wait between attempts: exponential with full jitter, so
// that workers that failed together do not retry together.
type Backoff struct {
	Base time.Duration // first ceiling; doubles at every retry
	Max  time.Duration // cap on a single wait, also on Retry-After
}

// Wait returns the pause before retry number n (1 for the first retry).
// The wait is drawn uniformly from [0, min(Max, Base·2ⁿ⁻¹)] and is never
// shorter than retryAfter, the server's own request, capped at Max.
func (b Backoff) Wait(n int, retryAfter time.Duration) time.Duration {
	ceiling := b.Base
	for i := 1; i < n && ceiling < b.Max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, b.Max)

	var wait time.Duration
	if ceiling > 0 {
		wait = rand.N(ceiling + 1)
	}
	return max(wait, min(retryAfter, b.Max))
}
