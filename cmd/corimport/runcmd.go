package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
	"github.com/corimport/corimport/report"
)

// runCommand implements "corimport run".
func runCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o runOptions
	fs := newRunFlags(&o, stderr)
	files, code, stop := parseFlags(fs, args, stdout)
	if stop {
		return code
	}
	o.files = files
	if err := o.check(); err != nil {
		fmt.Fprintf(stderr, "corimport run: %v\nRun \"corimport help run\" for usage.\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "corimport run: %v\n", err)
		return exitUsage
	}

	cfg, w, cleanup, code := prepareRun(ctx, &o, stdin, log)
	defer cleanup()
	if code != exitOK {
		return code
	}
	return executeRun(ctx, &o, cfg, w, log, stderr)
}

// parseFlags parses args into fs, applying environment fallbacks, and
// returns the arguments that are not flags. Flags may follow them, as in
// "corimport run a.csv --dry-run"; after "--" every argument is taken
// as it is. It returns stop true with the exit code when the command
// must not go on.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (positional []string, code int, stop bool) {
	// flag prints its own error; the full usage goes to stdout on --help only
	usage := fs.Usage
	fs.Usage = func() {}
	positional, err := parseInterspersed(fs, args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return nil, exitOK, true
	}
	if err == nil {
		err = applyEnv(fs)
		if err != nil {
			fmt.Fprintf(fs.Output(), "corimport %s: %v\n", fs.Name(), err)
		}
	}
	if err != nil {
		fmt.Fprintf(fs.Output(), "Run \"corimport help %s\" for usage.\n", fs.Name())
		return nil, exitUsage, true
	}
	return positional, exitOK, false
}

// parseInterspersed parses flags wherever they are among args, which the
// flag package alone stops doing at the first argument that is not one.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional, rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return append(positional, rest...), nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// prepareRun builds everything a run needs and checks the credentials, so
// that configuration mistakes stop the job before it reads a record.
func prepareRun(ctx context.Context, o *runOptions, stdin io.Reader, log zerolog.Logger) (
	importer.Config, *report.Writer, func(), int) {

	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(code int, msg string, err error) (importer.Config, *report.Writer, func(), int) {
		log.Error().Err(err).Msg(msg)
		return importer.Config{}, nil, cleanup, code
	}

	delim, err := o.delimiterRune()
	if err != nil {
		return fail(exitUsage, "invalid flag", err)
	}
	cfg := importer.Config{
		Inputs:                 o.files,
		Stdin:                  stdin,
		Input:                  input.Options{Format: o.format, Encoding: o.encoding, Delimiter: delim},
		Source:                 o.source,
		DryRun:                 o.dryRun,
		Workers:                o.workers,
		MaxErrors:              o.threshold,
		MaxConsecutiveFailures: o.maxFailures,
		ShutdownTimeout:        o.shutdownTimeout,
		FlushEvery:             time.Second,
		ProgressEvery:          o.progressEvery,
	}
	if err := cfg.Input.Check(); err != nil {
		return fail(exitUsage, "invalid flag", err)
	}
	if o.mappingFile != "" {
		spec, err := mapping.Load(o.mappingFile)
		if err != nil {
			return fail(exitUsage, "invalid mapping file", err)
		}
		cfg.Spec = spec
	}
	if err := checkSource(o.source, cfg.Spec); err != nil {
		return fail(exitUsage, "invalid source", err)
	}

	if !o.dryRun {
		sender, stop, code, err := newSender(ctx, o, log)
		if stop != nil {
			cleanups = append(cleanups, stop)
		}
		if err != nil {
			return fail(code, "cannot send to COR", err)
		}
		cfg.Sender = sender
	}

	w, err := report.Open(o.reportDir, report.Options{Mode: reportMode(o), Inputs: o.files})
	if err != nil {
		return fail(exitUsage, "cannot open the report folder", err)
	}
	cfg.Sink = w
	if !o.dryRun {
		cfg.Ledger = w
	}
	cfg.Hooks = runHooks(log)
	return cfg, w, cleanup, exitOK
}

func reportMode(o *runOptions) report.Mode {
	switch {
	case o.resume:
		return report.Resume
	case o.overwrite:
		return report.Overwrite
	}
	return report.New
}

// checkSource makes sure that every record will have a valid source, so
// that a missing --source is a usage error rather than a failed file.
func checkSource(source string, spec *mapping.Spec) error {
	if source == "" && spec != nil && spec.Source != "" {
		return nil
	}
	return mapping.CheckSource(source)
}
