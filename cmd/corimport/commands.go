package main

import (
	"context"
	"fmt"
	"io"
)

// Exit codes, documented in the usage text and the README.
const (
	exitOK          = 0 // every record created, duplicate, skipped or valid
	exitIncomplete  = 1 // finished, but some records are invalid or failed
	exitUsage       = 2 // usage or configuration error; nothing was sent
	exitAborted     = 3 // a fatal problem stopped the run; the report covers what was done
	exitInterrupted = 4 // stopped by a signal; the report is resumable
)

const usage = `corimport imports client records from CSV and JSONL files into COR.

Usage:
  corimport run [flags] FILE...     import files ("-" reads standard input)
  corimport mapping [flags] FILE    print the inferred mapping as an editable YAML file
  corimport sandbox [flags]         serve a local stand-in of the COR API
  corimport help [COMMAND]          show help

Exit codes:
  0  every record was created, a duplicate, skipped, or valid (--dry-run)
  1  finished, but some records are invalid or failed (see the report)
  2  usage or configuration error; nothing was sent
  3  aborted by a fatal problem (unreadable input, credentials rejected,
     API unreachable, --max-errors reached); the report covers what was done
  4  interrupted by SIGINT or SIGTERM; run again with --resume to finish

Run "corimport help run" for the flags and environment variables.
`

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		return runCommand(ctx, rest, stdin, stdout, stderr)
	case "mapping":
		return mappingCommand(ctx, rest, stdin, stdout, stderr)
	case "sandbox":
		return sandboxCommand(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		return helpCommand(ctx, rest, stdin, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "corimport: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

func helpCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	return run(ctx, []string{args[0], "--help"}, stdin, stdout, stderr)
}
