// Command corimport-bench measures corimport against the limits it must
// meet and prints one table of figures. Each figure sits next to a
// baseline measured in the same run, so that runs on a noisy shared
// machine can be compared by their ratios.
//
//	go run ./cmd/corimport-bench [-quick] [-out FILE]
//
// It builds the corimport binary once and runs it as a child process for
// every figure, so that each run has its own peak resident memory
// (getrusage ru_maxrss) and no state left by another. The inputs are
// generated CSV files in a temporary folder, removed at the end. The
// stand-in of the COR API (importer/sandbox) runs inside this process and
// records when each create arrives, which gives the achieved rates, the
// one-second windows and the time to the first request.
//
// The baselines that need a process of their own (the minimal HTTP client
// and the bare encoding/csv read loop) are this program run again in a
// mode that the flag help does not list. One more such mode profiles a
// dry run in-process, for finding where its time goes:
//
//	go run ./cmd/corimport-bench -mode=profile-dryrun -rows 1000000 -cpuprofile cpu.out
//	go tool pprof -top cpu.out
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes of the program.
const (
	exitOK     = 0
	exitFailed = 1 // the benchmark could not run, or a child failed
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args and either runs the benchmark or, when the first
// argument selects a mode, works as one of the benchmark's children.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && strings.HasPrefix(args[0], "-mode=") {
		return runMode(ctx, args, stdout, stderr)
	}

	fs := flag.NewFlagSet("corimport-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "run a smaller version in under 30 s, to check that the benchmark works")
	out := fs.String("out", "", "also write the table as Markdown to this `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: corimport-bench [-quick] [-out FILE]\n\n"+
			"Measures corimport against its limits and prints a table of figures,\n"+
			"each with a baseline measured in the same run.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corimport-bench: unexpected argument %q; the benchmark takes flags only\n", fs.Arg(0))
		return exitUsage
	}

	plan := fullPlan
	if *quick {
		plan = quickPlan
	}
	if err := benchmark(ctx, plan, *out, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "corimport-bench: %v\n", err)
		return exitFailed
	}
	return exitOK
}
