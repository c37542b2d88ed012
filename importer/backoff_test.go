package importer

import (
	"testing"
	"time"
)

func TestBackoffWaitBounds(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		name       string
		retry      int
		retryAfter time.Duration
		min, max   time.Duration
	}{
		{"first retry", 1, 0, 0, 100 * time.Millisecond},
		{"third retry doubles twice", 3, 0, 0, 400 * time.Millisecond},
		{"capped", 10, 0, 0, time.Second},
		{"retry-after is a floor", 1, 700 * time.Millisecond, 700 * time.Millisecond, 700 * time.Millisecond},
		{"retry-after is capped", 1, time.Hour, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				got := b.Wait(tt.retry, tt.retryAfter)
				if got < tt.min || got > tt.max {
					t.Fatalf("Wait(%d, %v) = %v, want within [%v, %v]", tt.retry, tt.retryAfter, got, tt.min, tt.max)
				}
			}
		})
	}
}

func TestBackoffWaitJitters(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[b.Wait(4, 0)] = true
	}
	if len(seen) < 10 {
		t.Errorf("Wait(4, 0) took %d distinct values in 50 draws, want full jitter", len(seen))
	}
}
