package importer

import (
	"fmt"

	"github.com/corimport/corimport/report"
)

// work is one worker: it sends jobs until the reader closes the queue.
// Once the run stops, queued jobs are reported unprocessed without being
// sent.
func (r *run) work() {
	for j := range r.jobs {
		o := j.outcome
		if r.stop.Err() != nil {
			o.Status, o.Message = report.Unprocessed, "not sent: the run stopped first"
			r.results <- o
			continue
		}
		if err := r.markSending(o); err != nil {
			r.fail(fmt.Errorf("record the send of %s line %d: %w", o.File, o.Line, err))
			o.Status, o.Message = report.Unprocessed, "not sent: the report could not be written"
			r.results <- o
			continue
		}

		res := r.cfg.Sender.Send(r.stop, r.reqCtx, j.delivery)
		o.Status, o.CORID, o.HTTPStatus = res.Status, res.CORID, res.HTTPStatus
		o.ErrorCode, o.Message, o.Attempts = res.ErrorCode, res.Message, res.Attempts
		if res.Fatal != nil {
			r.fail(fmt.Errorf("cannot send any more records: %w", res.Fatal))
		}
		r.countDelivery(res)
		r.settle(o, res)
		r.results <- o
	}
}

// countDelivery aborts the run after too many failed deliveries in a row:
// the API is then down, and failing every remaining record one by one
// would only make a resumed run longer.
func (r *run) countDelivery(res SendResult) {
	if res.Status != report.Failed || res.Interrupted {
		if res.Status != report.Failed {
			r.consecutiveFailures.Store(0)
		}
		return
	}
	n := r.consecutiveFailures.Add(1)
	if n == int64(r.cfg.MaxConsecutiveFailures) {
		r.fail(fmt.Errorf("%w: the last %d records could not be delivered (last error: %s)",
			ErrAPIUnreachable, n, res.Message))
	}
}

// settle records in the ledger that every attempt got a response and none
// created the client, so that a resumed run sends the record again as new.
// A created record is left unsettled: until its row reaches results.csv,
// a crash must leave it to be confirmed. A failure to write only costs a
// confirming update in a resumed run, so it is not fatal.
func (r *run) settle(o *report.Outcome, res SendResult) {
	if r.cfg.Ledger == nil || res.Attempts == 0 || res.Unresolved || res.Status == report.Created {
		return
	}
	_ = r.cfg.Ledger.Settled(o.File, o.Line, o.ExternalID, o.Hash)
}

func (r *run) markSending(o *report.Outcome) error {
	if r.cfg.Ledger == nil {
		return nil
	}
	return r.cfg.Ledger.Sending(o.File, o.Line, o.ExternalID, o.Hash)
}
