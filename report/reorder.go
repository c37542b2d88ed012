package report

import "fmt"

// Reorder restores Seq order to outcomes that finish out of order. Its
// zero value expects Seq 1 first.
//
// Reorder holds every outcome that arrives before the ones it waits for,
// so its size is bounded only by how many records the caller lets be in
// flight between reading and writing. It is not safe for concurrent use.
type Reorder struct {
	next    int64
	pending map[int64]*Outcome
	ready   []*Outcome
}

// Add takes one outcome and returns the outcomes that are now next in Seq
// order, possibly none. The returned slice is reused by the next call.
//
// Add panics when o.Seq was already added or released: that is a bug in
// the caller, and going on would write a record twice or never.
func (r *Reorder) Add(o *Outcome) []*Outcome {
	if r.next == 0 {
		r.next = 1
	}
	if _, dup := r.pending[o.Seq]; dup || o.Seq < r.next {
		panic(fmt.Sprintf("report: Reorder.Add: outcome seq %d was already added", o.Seq))
	}
	r.ready = r.ready[:0]
	if o.Seq != r.next {
		if r.pending == nil {
			r.pending = make(map[int64]*Outcome)
		}
		r.pending[o.Seq] = o
		return r.ready
	}

	r.ready = append(r.ready, o)
	r.next++
	for {
		p, ok := r.pending[r.next]
		if !ok {
			return r.ready
		}
		delete(r.pending, r.next)
		r.ready = append(r.ready, p)
		r.next++
	}
}

// Len returns the number of outcomes held back.
func (r *Reorder) Len() int { return len(r.pending) }
