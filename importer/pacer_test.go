package importer

import (
	"testing"
	"time"
)

func TestPacerHalvesOnThrottle(t *testing.T) {
	p := NewPacer(100, 1)
	now := time.Unix(1000, 0)
	var changes []float64
	p.OnChange = func(_, cur float64, _ string) { changes = append(changes, cur) }

	p.Throttled(now)
	p.Throttled(now.Add(10 * time.Millisecond)) // same burst of 429s: ignored
	if got := p.Limit(); got != 50 {
		t.Fatalf("Limit() after one burst of 429s = %v, want 50", got)
	}
	p.Throttled(now.Add(2 * time.Second))
	if got := p.Limit(); got != 25 {
		t.Fatalf("Limit() after a second burst = %v, want 25", got)
	}
	if len(changes) != 2 {
		t.Errorf("OnChange called %d times, want 2", len(changes))
	}
}

func TestPacerClimbsBackToTarget(t *testing.T) {
	p := NewPacer(100, 1)
	now := time.Unix(1000, 0)
	p.Throttled(now)
	for i := range 20 {
		p.Succeeded(now.Add(time.Duration(i) * time.Millisecond))
	}
	if got := p.Limit(); got != 100 {
		t.Errorf("Limit() after many successful responses = %v, want the target 100", got)
	}
}

func TestPacerUnlimitedStartsFromMeasuredRate(t *testing.T) {
	p := NewPacer(0, 1)
	now := time.Unix(1000, 0)
	for range 400 {
		p.Succeeded(now)
	}
	p.Throttled(now.Add(time.Second))
	if got := p.Limit(); got != 200 {
		t.Errorf("Limit() after a 429 at 400/s unlimited = %v, want 200", got)
	}
}

func TestPacerHoldsUpUnderRandomThrottling(t *testing.T) {
	// One response in 20 is a 429 whatever the rate: the rate must settle
	// well above the floor instead of collapsing.
	p := NewPacer(100, 1)
	now := time.Unix(1000, 0)
	for i := range 20000 {
		now = now.Add(10 * time.Millisecond)
		if i%20 == 0 {
			p.Throttled(now)
		} else {
			p.Succeeded(now)
		}
	}
	if got := p.Limit(); got < 50 {
		t.Errorf("Limit() under 5%% random 429s = %v, want at least 50 of the target 100", got)
	}
}
