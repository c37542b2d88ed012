package importer

import (
	"fmt"
	"time"

	"github.com/corimport/corimport/report"
)

// write is the writer goroutine's loop, run on the caller's goroutine: it
// restores input order, writes outcomes to the sink, counts them, checks
// --max-errors and flushes the sink every FlushEvery.
func (r *run) write() error {
	ticker := time.NewTicker(r.cfg.FlushEvery)
	defer ticker.Stop()

	var order report.Reorder
	var firstErr error
	read := 0
	for {
		select {
		case o, ok := <-r.results:
			if !ok {
				return r.finish(firstErr)
			}
			for _, o := range order.Add(o) {
				<-r.window
				if o.Status == "" {
					continue // reported by an earlier run
				}
				read++
				r.counts[o.Status]++
				if err := r.cfg.Sink.Write(o); err != nil && firstErr == nil {
					firstErr = err
					r.fail(fmt.Errorf("write the report: %w", err))
				}
				r.checkErrors(read)
			}
		case <-ticker.C:
			if err := r.cfg.Sink.Flush(); err != nil && firstErr == nil {
				firstErr = err
				r.fail(fmt.Errorf("flush the report: %w", err))
			}
			// on a fixed schedule, so that a line comes every
			// ProgressEvery and not every ProgressEvery plus a tick
			if now := time.Now(); now.Sub(r.lastProgress) >= r.cfg.ProgressEvery {
				r.lastProgress = r.lastProgress.Add(r.cfg.ProgressEvery)
				if now.Sub(r.lastProgress) >= r.cfg.ProgressEvery {
					r.lastProgress = now // a stall: do not catch up line by line
				}
				r.progress()
			}
		}
	}
}

func (r *run) finish(firstErr error) error {
	if err := r.cfg.Sink.Flush(); err != nil && firstErr == nil {
		firstErr = err
	}
	r.progress()
	return firstErr
}

func (r *run) checkErrors(read int) {
	bad := r.counts[report.Invalid] + r.counts[report.Failed]
	if r.cfg.MaxErrors.Reached(bad, read) {
		r.fail(fmt.Errorf("%w: %d of %d records (limit %s)",
			ErrTooManyErrors, bad, read, r.cfg.MaxErrors))
	}
}

func (r *run) progress() {
	if r.cfg.Hooks.Progress == nil {
		return
	}
	counts := make(map[report.Status]int, len(r.counts))
	for k, v := range r.counts {
		counts[k] = v
	}
	r.cfg.Hooks.Progress(Progress{Counts: counts, Elapsed: time.Since(r.start)})
}
