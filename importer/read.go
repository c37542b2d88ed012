package importer

import (
	"errors"
	"fmt"
	"io"

	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
	"github.com/corimport/corimport/report"
)

// read is the reader goroutine: it turns every record into either a job
// for the workers or a finished outcome for the writer. After an abort it
// keeps reading, so that every record gets an outcome; after a signal it
// stops at once.
func (r *run) read(files []*openFile) error {
	seen := newSeenIDs()
	defer seen.free()
	var seq int64
	for _, f := range files {
		for {
			if r.signal.Err() != nil {
				return nil
			}
			rec, err := f.reader.Next()
			if errors.Is(err, io.EOF) {
				r.fileRead(f)
				break
			}
			if err != nil {
				err = fmt.Errorf("read %s: %w", f.info.Name, err)
				r.fail(err)
				return err
			}

			seq++
			r.window <- struct{}{}
			if j := r.classify(f, seen, seq, rec); j != nil {
				r.jobs <- j
			}
		}
	}
	return nil
}

func (r *run) fileRead(f *openFile) {
	if r.cfg.Hooks.FileRead != nil {
		info := f.info
		info.Input = f.reader.Info()
		r.cfg.Hooks.FileRead(info)
	}
}

// classify decides what can be decided without the API. It returns a job
// when the record is to be sent, and otherwise passes the outcome on to
// the writer itself.
func (r *run) classify(f *openFile, seen *seenIDs, seq int64, rec *input.Record) *job {
	o := outcomeFor(seq, rec)
	keepOriginal(o, f, rec)
	if rec.Blank {
		return r.done(o, report.Skipped, "blank line or empty row")
	}
	if rec.Err != nil {
		return r.done(o, report.Invalid, rec.Err.Error())
	}
	o.Hash = mapping.RecordHash(rec)

	client, err := f.mapper.Map(rec)
	o.ExternalID, o.Name = client.ID, client.Name
	if err != nil {
		return r.done(o, report.Invalid, err.Error())
	}
	if file, line, dup := seen.add(client.Source, client.ID, f.index, rec.Line); dup {
		msg := fmt.Sprintf("external id %q repeats line %d", client.ID, line)
		if file != f.index {
			msg = fmt.Sprintf("external id %q repeats %s line %d", client.ID, r.cfg.Inputs[file], line)
		}
		return r.done(o, report.Duplicate, msg)
	}

	led := r.cfg.Ledger
	if led != nil && led.Resumed(o.File, o.Line, o.ExternalID, o.Hash) {
		return r.done(o, "", "") // already in the results file
	}
	if r.cfg.DryRun {
		return r.done(o, report.Valid, "")
	}
	if r.stop.Err() != nil {
		return r.done(o, report.Unprocessed, "not sent: the run was aborted")
	}
	maybe := led != nil && led.MaybeSent(o.File, o.Line, o.ExternalID, o.Hash)
	body := client.AppendJSON(nil)
	return &job{outcome: o, delivery: Delivery{ExternalID: client.ID, Body: body, MaybeSent: maybe}}
}

// done finishes an outcome decided locally and hands it to the writer. An
// empty status marks a record that an earlier run already reported.
func (r *run) done(o *report.Outcome, status report.Status, msg string) *job {
	o.Status, o.Message = status, msg
	r.results <- o
	return nil
}

// keepOriginal copies what the rejected file needs from the record. The
// outcome keeps it only if the record ends invalid or failed.
func keepOriginal(o *report.Outcome, f *openFile, rec *input.Record) {
	o.JSON = f.json
	o.Header = f.reader.Header()
	o.Fields = rec.Fields
	o.Text = rec.Text
}
