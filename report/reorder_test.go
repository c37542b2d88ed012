package report

import (
	"math/rand/v2"
	"testing"
)

func TestReorderShuffled(t *testing.T) {
	tests := []struct {
		name string
		n    int
		seed uint64
	}{
		{"one", 1, 1},
		{"small", 10, 2},
		{"large", 5000, 3},
		{"reversed", 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := make([]*Outcome, tt.n)
			for i := range in {
				in[i] = &Outcome{Seq: int64(i + 1)}
			}
			if tt.seed == 0 {
				for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
					in[i], in[j] = in[j], in[i]
				}
			} else {
				r := rand.New(rand.NewPCG(tt.seed, tt.seed))
				r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
			}

			var r Reorder
			var got []int64
			for _, o := range in {
				for _, out := range r.Add(o) {
					got = append(got, out.Seq)
				}
			}
			if len(got) != tt.n {
				t.Fatalf("released %d outcomes, want %d", len(got), tt.n)
			}
			for i, seq := range got {
				if seq != int64(i+1) {
					t.Fatalf("released[%d] = seq %d, want %d", i, seq, i+1)
				}
			}
			if r.Len() != 0 {
				t.Errorf("Len() after all = %d, want 0", r.Len())
			}
		})
	}
}

func TestReorderHoldsUntilGapFilled(t *testing.T) {
	var r Reorder
	if got := r.Add(&Outcome{Seq: 2}); len(got) != 0 {
		t.Errorf("Add(seq 2) released %d, want 0", len(got))
	}
	if r.Len() != 1 {
		t.Errorf("Len() = %d, want 1", r.Len())
	}
	if got := r.Add(&Outcome{Seq: 1}); len(got) != 2 {
		t.Errorf("Add(seq 1) released %d, want 2", len(got))
	}
}

func TestReorderPanicsOnRepeat(t *testing.T) {
	var r Reorder
	r.Add(&Outcome{Seq: 1})
	defer func() {
		if recover() == nil {
			t.Errorf("Add(seq 1 again) did not panic")
		}
	}()
	r.Add(&Outcome{Seq: 1})
}
