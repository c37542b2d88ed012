package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the token bucket shared by all workers, with feedback from the
// server: a 429 halves the rate (at most once a second, so that one burst
// of 429s counts once), and every successful response raises it by a step, back
// towards the configured target. It is safe for concurrent use.
//
// The increase is per response, as in TCP's congestion avoidance, so the
// rate settles where the server's limit is rather than collapsing when a
// small share of responses are 429s for reasons unrelated to our rate. A
// target of 0 means no limit until the first 429, after which the pacer
// starts from half the rate measured just before it and grows by a share
// of the current rate with each successful response.
type Pacer struct {
	limiter *rate.Limiter
	target  rate.Limit
	burst   int

	// OnChange, when set, is called after every rate change of at least
	// 10%, without locks held. It must not block.
	OnChange func(old, new float64, reason string)

	mu       sync.Mutex
	current  rate.Limit
	reported rate.Limit // last rate passed to OnChange
	cooled   time.Time  // no second decrease before this time
	meter    throughputMeter
}

// Rate feedback constants.
const (
	paceDecrease = 0.5
	paceStep     = 0.05 // share of the target (or of the current rate) added per successful response
	paceCooldown = time.Second
	paceFloor    = 0.5 // requests per second
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

// Throttled reports a 429 response and lowers the rate.
func (p *Pacer) Throttled(now time.Time) {
	p.mu.Lock()
	if now.Before(p.cooled) {
		p.mu.Unlock()
		return
	}
	base := p.current
	if base == rate.Inf {
		base = rate.Limit(p.meter.perSecond(now))
	}
	p.set(max(base*paceDecrease, paceFloor), now)
	p.cooled = now.Add(paceCooldown)
	old, cur, changed := p.change()
	p.mu.Unlock()
	if changed {
		p.notify(old, cur, "throttled by the server (429)")
	}
}

// Succeeded reports a successful response, which raises the rate by one step.
func (p *Pacer) Succeeded(now time.Time) {
	p.mu.Lock()
	p.meter.add(now)
	if p.current == p.target {
		p.mu.Unlock()
		return
	}
	step := p.target * paceStep
	if p.target == rate.Inf {
		step = p.current * paceStep
	}
	p.set(min(p.current+step, p.target), now)
	old, cur, changed := p.change()
	p.mu.Unlock()
	if changed {
		p.notify(old, cur, "responses are successful again")
	}
}

func (p *Pacer) set(r rate.Limit, now time.Time) {
	p.current = r
	p.limiter.SetLimitAt(now, r)
}

// change reports whether the rate moved by 10% or more since it was last
// reported, so that the log shows the trend without a line per response.
func (p *Pacer) change() (old, cur float64, changed bool) {
	old, cur = limitValue(p.reported), limitValue(p.current)
	switch {
	case p.current == p.reported:
		return old, cur, false
	case p.current == p.target, p.reported == rate.Inf,
		p.current < p.reported*0.9, p.current > p.reported*1.1:
		p.reported = p.current
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

// throughputMeter counts responses in the current and the previous second.
type throughputMeter struct {
	first     time.Time
	second    int64
	cur, prev int
}

func (m *throughputMeter) add(now time.Time) {
	if m.first.IsZero() {
		m.first = now
	}
	m.roll(now)
	m.cur++
}

// perSecond estimates the rate of responses. In the first second of a run
// it scales the count by the time elapsed.
func (m *throughputMeter) perSecond(now time.Time) float64 {
	m.roll(now)
	if elapsed := now.Sub(m.first); elapsed < time.Second {
		return max(float64(m.prev+m.cur)/max(elapsed.Seconds(), 0.01), 1)
	}
	return float64(max(m.prev, m.cur, 1))
}

func (m *throughputMeter) roll(now time.Time) {
	s := now.Unix()
	switch {
	case s == m.second:
	case s == m.second+1:
		m.prev, m.cur, m.second = m.cur, 0, s
	default:
		m.prev, m.cur, m.second = 0, 0, s
	}
}
