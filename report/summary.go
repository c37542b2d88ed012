package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Counts are the number of records read and how many ended with each
// status. The statuses add up to Read.
type Counts struct {
	Read        int `json:"read"`
	Created     int `json:"created"`
	Duplicate   int `json:"duplicate"`
	Invalid     int `json:"invalid"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	Valid       int `json:"valid"`
	Unprocessed int `json:"unprocessed"`
}

// add counts one record with status s.
func (c *Counts) add(s Status) {
	c.Read++
	switch s {
	case Created:
		c.Created++
	case Duplicate:
		c.Duplicate++
	case Invalid:
		c.Invalid++
	case Failed:
		c.Failed++
	case Skipped:
		c.Skipped++
	case Valid:
		c.Valid++
	case Unprocessed:
		c.Unprocessed++
	}
}

// Table writes the counts to w as an aligned two-column table, one line
// per status and a last line with the total read. Write errors are
// ignored: the table is for a person reading a terminal.
func (c Counts) Table(w io.Writer) {
	lines := []struct {
		name string
		n    int
	}{
		{string(Created), c.Created},
		{string(Duplicate), c.Duplicate},
		{string(Invalid), c.Invalid},
		{string(Failed), c.Failed},
		{string(Skipped), c.Skipped},
		{string(Valid), c.Valid},
		{string(Unprocessed), c.Unprocessed},
		{"read", c.Read},
	}
	width := len(fmt.Sprint(c.Read))
	for _, l := range lines {
		fmt.Fprintf(w, "%-12s %*d\n", l.name, width, l.n)
	}
}

// Summary is the content of summary.json.
type Summary struct {
	Counts   Counts `json:"counts"`
	ExitCode int    `json:"exit_code"`

	// StartedAt and FinishedAt bound this run; a resumed job's earlier
	// runs are not included.
	StartedAt       time.Time `json:"started_at"`
	FinishedAt      time.Time `json:"finished_at"`
	DurationSeconds float64   `json:"duration_seconds"`

	DryRun  bool     `json:"dry_run"`
	Resumed bool     `json:"resumed"` // this run continued an earlier report
	Inputs  []string `json:"inputs"`

	RejectedFiles []string `json:"rejected_files"` // names inside the report folder
}

// writeSummary writes summary.json in one rename.
func (w *Writer) writeSummary(exitCode int, dryRun bool, rejected []string) error {
	finished := w.opts.Now()
	inputs := w.opts.Inputs
	if inputs == nil {
		inputs = []string{}
	}
	if rejected == nil {
		rejected = []string{}
	}
	sum := Summary{
		Counts:          w.counts,
		ExitCode:        exitCode,
		StartedAt:       w.started,
		FinishedAt:      finished,
		DurationSeconds: finished.Sub(w.started).Seconds(),
		DryRun:          dryRun,
		Resumed:         w.resumed,
		Inputs:          inputs,
		RejectedFiles:   rejected,
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", summaryName, err)
	}
	out, err := createPending(w.dir, summaryName)
	if err != nil {
		return fmt.Errorf("write %s: %w", summaryName, err)
	}
	if _, err := out.w.Write(append(b, '\n')); err != nil {
		out.discard()
		return fmt.Errorf("write %s: %w", summaryName, err)
	}
	return out.commit()
}
