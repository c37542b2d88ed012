package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/report"
)

// executeRun runs the import, closes the report and returns the exit code.
func executeRun(ctx context.Context, o *runOptions, cfg importer.Config, w *report.Writer,
	log zerolog.Logger, stderr io.Writer) int {
	log.Info().Strs("files", o.files).Int("workers", o.workers).Float64("rate", o.rate).
		Bool("dry_run", o.dryRun).Str("report", o.reportDir).Msg("run started")

	res, err := importer.Run(ctx, cfg)
	code := exitCode(res, err)
	switch {
	case err != nil:
		log.Error().Err(err).Msg("run stopped")
	case res.Interrupted:
		log.Warn().Msg("run interrupted; run again with --resume to finish it")
	case res.Aborted != nil:
		log.Error().Err(res.Aborted).Msg("run aborted; fix the cause, then run again with --resume")
	}

	if cerr := w.Close(code, o.dryRun); cerr != nil {
		log.Error().Err(cerr).Str("report", o.reportDir).Msg("cannot finish the report")
		if code < exitAborted {
			code = exitAborted
		}
	}
	printSummary(stderr, w, o, code)
	return code
}

// exitCode maps the result of a run to the documented exit codes.
func exitCode(res importer.Result, err error) int {
	switch {
	case errors.Is(err, input.ErrInvalidOption):
		return exitUsage
	case res.Interrupted:
		return exitInterrupted
	case err != nil, res.Aborted != nil:
		return exitAborted
	case res.Counts[report.Invalid] > 0, res.Counts[report.Failed] > 0,
		res.Counts[report.Unprocessed] > 0:
		return exitIncomplete
	}
	return exitOK
}

func printSummary(stderr io.Writer, w *report.Writer, o *runOptions, code int) {
	fmt.Fprintln(stderr)
	w.Counts().Table(stderr)
	fmt.Fprintf(stderr, "report: %s (exit code %d)\n", o.reportDir, code)
	if o.sandbox && !o.dryRun {
		fmt.Fprintln(stderr, "SANDBOX: the records went to a local stand-in of the COR API, not to COR.")
	}
}

func runHooks(log zerolog.Logger) importer.Hooks {
	opened := map[string]int{} // warnings logged per file when it opened
	return importer.Hooks{
		FileOpened: func(f importer.FileInfo) {
			ev := log.Info().Str("file", f.Name).Str("format", f.Input.Format).
				Str("encoding", f.Input.Encoding).Strs("mapping", f.Mapping)
			if len(f.Ignored) > 0 {
				ev = ev.Strs("ignored_columns", f.Ignored)
			}
			ev.Msg("file opened")
			for _, w := range f.Input.Warnings {
				log.Warn().Str("file", f.Name).Msg(w)
			}
			opened[f.Name] = len(f.Input.Warnings)
		},
		FileRead: func(f importer.FileInfo) {
			// warnings from the start were logged when the file opened
			for _, w := range f.Input.Warnings[min(len(f.Input.Warnings), opened[f.Name]):] {
				log.Warn().Str("file", f.Name).Str("encoding", f.Input.Encoding).Msg(w)
			}
		},
		Progress: progressLogger(log),
		Aborting: func(err error) {
			log.Error().Err(err).Msg("aborting: records not yet sent will be reported unprocessed")
		},
	}
}

func progressLogger(log zerolog.Logger) func(importer.Progress) {
	var lastDone int
	var lastElapsed time.Duration
	return func(p importer.Progress) {
		done := 0
		ev := log.Info()
		for status, n := range p.Counts {
			done += n
			ev = ev.Int(string(status), n)
		}
		rate := float64(done-lastDone) / max(p.Elapsed-lastElapsed, time.Millisecond).Seconds()
		lastDone, lastElapsed = done, p.Elapsed
		ev.Int("done", done).Str("per_second", fmt.Sprintf("%.1f", rate)).
			Str("elapsed", p.Elapsed.Round(time.Second).String()).Msg("progress")
	}
}
