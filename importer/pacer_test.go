package importer

import (
	"testing"
	"time"
)

// feed reports one response every interval from start, a 429 whenever
// throttled returns true, and returns the time after the last one.
func feed(p *Pacer, start time.Time, interval time.Duration, n int, throttled func(i int) bool) time.Time {
	now := start
	for i := range n {
		now = now.Add(interval)
		if throttled(i) {
			p.Throttled(now)
		} else {
			p.Succeeded(now)
		}
	}
	return now
}

func TestPacerSlowsToAcceptedRate(t *testing.T) {
	// At 100/s against a server that accepts 50/s, half the responses
	// are 429s: the rate drops to 90% of the accepted 50.
	p := NewPacer(100, 1)
	start := time.Unix(1000, 0)
	feed(p, start, 10*time.Millisecond, 150, func(i int) bool { return i%2 == 1 })
	if got := p.Limit(); got < 40 || got > 55 {
		t.Errorf("Limit() after 50%% 429s at 100/s = %v, want about 45", got)
	}
}

func TestPacerDecreasesAtMostHalf(t *testing.T) {
	// Within one second only one decrease happens, however few
	// requests COR accepted.
	p := NewPacer(100, 1)
	feed(p, time.Unix(1000, 0), 10*time.Millisecond, 60, func(i int) bool { return i > 1 })
	if got := p.Limit(); got < 50 || got == 100 {
		t.Errorf("Limit() after one second of 429s = %v, want one decrease, to at least half of 100", got)
	}
}

func TestPacerIgnoresRare429s(t *testing.T) {
	// One response in 20 is a 429 whatever the rate: retried, but no
	// reason to slow down.
	p := NewPacer(100, 1)
	feed(p, time.Unix(1000, 0), 10*time.Millisecond, 2000, func(i int) bool { return i%20 == 0 })
	if got := p.Limit(); got != 100 {
		t.Errorf("Limit() under 5%% random 429s = %v, want the target 100", got)
	}
}

func TestPacerClimbsBackToTarget(t *testing.T) {
	p := NewPacer(100, 1)
	start := time.Unix(1000, 0)
	now := feed(p, start, 10*time.Millisecond, 150, func(i int) bool { return i%2 == 1 })
	// 5% of the target per second: from about 45 to 100 in about 11 s
	now = feed(p, now, 20*time.Millisecond, 300, func(int) bool { return false })
	if got := p.Limit(); got == 100 {
		t.Errorf("Limit() 6 s after the decrease = %v, want still climbing", got)
	}
	feed(p, now, 10*time.Millisecond, 1000, func(int) bool { return false })
	if got := p.Limit(); got != 100 {
		t.Errorf("Limit() after 10 s more of successful responses = %v, want the target 100", got)
	}
}

func TestPacerUnlimitedStartsFromAcceptedRate(t *testing.T) {
	p := NewPacer(0, 1)
	start := time.Unix(1000, 0)
	feed(p, start, time.Millisecond, 2000, func(i int) bool { return i >= 1000 && i%2 == 1 })
	got := p.Limit()
	if got == 0 || got > 1000 {
		t.Errorf("Limit() after 50%% 429s with no limit = %v, want a limit below the 1000/s offered", got)
	}
}

func TestPacerReportsChangesSparingly(t *testing.T) {
	p := NewPacer(100, 1)
	var reports int
	p.OnChange = func(_, _ float64, _ string) { reports++ }
	// 20 s of a server at half our rate: a decrease every second
	feed(p, time.Unix(1000, 0), 10*time.Millisecond, 2000, func(i int) bool { return i%2 == 1 })
	if reports > 6 {
		t.Errorf("OnChange called %d times in 20 s, want at most one per %v", reports, paceReportEvery)
	}
	if reports == 0 {
		t.Errorf("OnChange never called, want the decrease reported")
	}
}
