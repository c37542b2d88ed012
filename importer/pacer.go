package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the token bucket shared by all workers, with feedback from the
// server: a 429 halves the rate, and a run of good answers raises it again
// step by step towards the configured target. It is safe for concurrent
// use. A target of 0 means no limit until the first 429, after which the
// pacer starts from half the rate measured just before it.
type Pacer struct {
	limiter *rate.Limiter
	target  rate.Limit
	burst   int

	// OnChange, when set, is called after every rate change, without
	// locks held. It must not block.
	OnChange func(old, new float64, reason string)

	mu      sync.Mutex
	current rate.Limit
	good    int       // good answers since the last change
	cooled  time.Time // no second decrease before this time
	meter   throughputMeter
}

// Rate feedback constants. A decrease waits for the requests already in
// flight at the old rate to come back, so one burst of 429s halves the rate
// once, not once per worker.
const (
	paceDecrease     = 0.5
	paceStepFraction = 0.1 // an increase adds this share of the target
	paceGoodToRaise  = 20  // good answers between two increases
	paceCooldown     = time.Second
	paceFloor        = 0.5 // requests per second
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
		limiter: rate.NewLimiter(target, burst),
		target:  target,
		burst:   burst,
		current: target,
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
	if p.current == rate.Inf {
		return 0
	}
	return float64(p.current)
}

// Throttled reports a 429 answer and lowers the rate.
func (p *Pacer) Throttled(now time.Time) {
	p.mu.Lock()
	p.good = 0
	if now.Before(p.cooled) {
		p.mu.Unlock()
		return
	}
	old := p.current
	base := old
	if base == rate.Inf {
		base = rate.Limit(p.meter.perSecond(now))
	}
	p.set(max(base*paceDecrease, paceFloor), now)
	p.mu.Unlock()
	p.notify(old, "throttled by the server (429)")
}

// Succeeded reports a good answer, which may raise the rate by one step.
func (p *Pacer) Succeeded(now time.Time) {
	p.mu.Lock()
	p.meter.add(now)
	if p.current == p.target {
		p.mu.Unlock()
		return
	}
	p.good++
	if p.good < paceGoodToRaise {
		p.mu.Unlock()
		return
	}
	old := p.current
	step := p.target * paceStepFraction
	if p.target == rate.Inf {
		step = old * paceStepFraction
	}
	next := old + step
	if p.target != rate.Inf && next > p.target {
		next = p.target
	}
	p.set(next, now)
	p.mu.Unlock()
	p.notify(old, "answers are good again")
}

func (p *Pacer) set(r rate.Limit, now time.Time) {
	p.current = r
	p.good = 0
	p.cooled = now.Add(paceCooldown)
	p.limiter.SetLimitAt(now, r)
}

func (p *Pacer) notify(old rate.Limit, reason string) {
	if p.OnChange == nil {
		return
	}
	toFloat := func(r rate.Limit) float64 {
		if r == rate.Inf {
			return 0
		}
		return float64(r)
	}
	p.OnChange(toFloat(old), p.Limit(), reason)
}

// throughputMeter counts answers in the current and the previous second.
type throughputMeter struct {
	second    int64
	cur, prev int
}

func (m *throughputMeter) add(now time.Time) {
	m.roll(now)
	m.cur++
}

func (m *throughputMeter) perSecond(now time.Time) float64 {
	m.roll(now)
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
