package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the token bucket shared by all workers, with feedback from the
// server. It is safe for concurrent use.
//
// When at least paceThrottleShare of the recent responses are 429s, the
// rate drops to 90% of the rate COR accepted over the last second (but at
// most to half the rate sent, and at most once a second). Every successful response
// then raises it, so that it climbs by paceStep of the target per second
// back towards the target. A lower share of 429s is treated as noise: the
// requests are retried, and the rate stays. A target of 0 means no limit
// until the first decrease; after it the rate climbs by paceStep of
// itself per second.
type Pacer struct {
	limiter *rate.Limiter
	target  rate.Limit
	burst   int

	// OnChange, when set, is called after a rate change of at least 10%,
	// at most once every paceReportEvery and when the rate is back at the
	// target, without locks held. It must not block.
	OnChange func(old, new float64, reason string)

	mu         sync.Mutex
	current    rate.Limit
	reported   rate.Limit // last rate passed to OnChange
	reportedAt time.Time
	cooled     time.Time // no second decrease before this time
	meter      responseMeter
}

// Rate feedback constants.
const (
	paceThrottleShare = 0.10 // share of 429s that means we are over the server's limit
	paceAccepted      = 0.9  // a decrease aims at this share of the accepted rate
	paceMaxDecrease   = 0.5  // a decrease never goes below this share of the rate
	paceStep          = 0.05 // share of the target added per second of successful responses
	paceCooldown      = time.Second
	paceFloor         = 0.5 // requests per second
	paceReportEvery   = 5 * time.Second
)

// NewPacer returns a pacer at perSecond requests per second (0 for no
// limit) with the given burst (at least 1).
func NewPacer(perSecond float64, burst int) *Pacer {
	burst = max(burst, 1)
	target := rate.Inf
	if perSecond > 0 {
		target = rate.Limit(perSecond)
	}
	return &Pacer{
		limiter:  rate.NewLimiter(target, burst),
		target:   target,
		burst:    burst,
		current:  target,
		reported: target,
	}
}

// Wait blocks until the next request may start or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error {
	return p.limiter.Wait(ctx)
}

// Limit returns the current rate in requests per second, 0 for none.
func (p *Pacer) Limit() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return limitValue(p.current)
}

// Throttled reports a 429 response, which may lower the rate.
func (p *Pacer) Throttled(now time.Time) {
	p.mu.Lock()
	p.meter.add(now, false)
	if now.Before(p.cooled) || p.meter.throttledShare() < paceThrottleShare {
		p.mu.Unlock()
		return
	}

	// Aim below what COR accepted, but slow down at most by half of what
	// was sent, so that a server rejecting everything for a moment does
	// not bring the rate to the floor at once.
	accepted := rate.Limit(p.meter.perSecond(now, false))
	sent := rate.Limit(p.meter.perSecond(now, true))
	next := max(accepted*paceAccepted, sent*paceMaxDecrease)
	if p.current != rate.Inf {
		next = max(min(next, p.current*paceAccepted), p.current*paceMaxDecrease)
	}
	p.set(max(next, paceFloor), now)
	p.cooled = now.Add(paceCooldown)
	old, cur, changed := p.change(now)
	p.mu.Unlock()
	if changed {
		p.notify(old, cur, "throttled by the server (429)")
	}
}

// Succeeded reports a successful response, which raises the rate by a
// small step.
func (p *Pacer) Succeeded(now time.Time) {
	p.mu.Lock()
	p.meter.add(now, true)
	if p.current == p.target {
		p.mu.Unlock()
		return
	}
	ref := p.target
	if ref == rate.Inf {
		ref = p.current
	}
	next := p.current + paceStep*ref/max(p.current, 1)
	p.set(min(next, p.target), now)
	old, cur, changed := p.change(now)
	p.mu.Unlock()
	if changed {
		p.notify(old, cur, "responses are successful again")
	}
}

func (p *Pacer) set(r rate.Limit, now time.Time) {
	p.current = r
	p.limiter.SetLimitAt(now, r)
}

// change reports whether the rate change is worth a log line: 10% or more
// since the last one and not within paceReportEvery of it, or back at the
// target.
func (p *Pacer) change(now time.Time) (old, cur float64, changed bool) {
	old, cur = limitValue(p.reported), limitValue(p.current)
	switch {
	case p.current == p.reported:
		return old, cur, false
	case p.current == p.target,
		now.Sub(p.reportedAt) >= paceReportEvery &&
			(p.reported == rate.Inf || p.current < p.reported*0.9 || p.current > p.reported*1.1):
		p.reported, p.reportedAt = p.current, now
		return old, cur, true
	}
	return old, cur, false
}

func (p *Pacer) notify(old, cur float64, reason string) {
	if p.OnChange != nil {
		p.OnChange(old, cur, reason)
	}
}

func limitValue(r rate.Limit) float64 {
	if r == rate.Inf {
		return 0
	}
	return float64(r)
}

// responseMeter counts successful and 429 responses in the current and
// the previous second.
type responseMeter struct {
	first           time.Time
	second          int64
	okCur, okPrev   int
	badCur, badPrev int
}

func (m *responseMeter) add(now time.Time, ok bool) {
	if m.first.IsZero() {
		m.first = now
	}
	m.roll(now)
	if ok {
		m.okCur++
	} else {
		m.badCur++
	}
}

// throttledShare returns the share of 429s among the recent responses.
func (m *responseMeter) throttledShare() float64 {
	bad := m.badCur + m.badPrev
	return float64(bad) / float64(max(bad+m.okCur+m.okPrev, 1))
}

// perSecond estimates the rate of successful responses over the last
// second, or of all responses with throttled. In the first second of a
// run it scales the count by the time elapsed.
func (m *responseMeter) perSecond(now time.Time, throttled bool) float64 {
	m.roll(now)
	prev, cur := m.okPrev, m.okCur
	if throttled {
		prev, cur = prev+m.badPrev, cur+m.badCur
	}
	if elapsed := now.Sub(m.first); elapsed < time.Second {
		return max(float64(prev+cur)/max(elapsed.Seconds(), 0.01), 1)
	}
	return float64(max(prev, cur, 1))
}

func (m *responseMeter) roll(now time.Time) {
	s := now.Unix()
	switch {
	case s == m.second:
	case s == m.second+1:
		m.okPrev, m.badPrev = m.okCur, m.badCur
		m.okCur, m.badCur, m.second = 0, 0, s
	default:
		m.okPrev, m.badPrev, m.okCur, m.badCur, m.second = 0, 0, 0, 0, s
	}
}
