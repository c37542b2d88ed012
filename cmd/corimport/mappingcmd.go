package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
)

const mappingUsage = `Usage: corimport mapping [flags] FILE

Reads the header of FILE (CSV or JSONL; "-" reads standard input) and
prints the mapping that "corimport run" would infer from it, as a YAML file.
Edit it and pass it back with "corimport run --mapping FILE".

Flags (each can also be set by the environment variable in brackets):
`

// mappingCommand implements "corimport mapping".
func mappingCommand(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mapping", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "auto", "input `format`: auto (from the file extension), csv or jsonl")
	encoding := fs.String("encoding", "auto", "input `encoding`: auto, utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1")
	delimiter := fs.String("delimiter", "", "CSV `delimiter`: , ; | or tab; detected from the header when empty")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), mappingUsage)
		printFlags(fs)
	}
	files, code, stop := parseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "corimport mapping: want exactly one FILE, got %d\n"+
			"Run \"corimport help mapping\" for usage.\n", len(files))
		return exitUsage
	}
	delim, err := (&runOptions{delimiter: *delimiter}).delimiterRune()
	if err != nil {
		fmt.Fprintf(stderr, "corimport mapping: %v\n", err)
		return exitUsage
	}

	name := files[0]
	rd, err := input.Open(name, stdin, input.Options{Format: *format, Encoding: *encoding, Delimiter: delim})
	if err != nil {
		fmt.Fprintf(stderr, "corimport mapping: %v\n", err)
		return exitAborted
	}
	defer rd.Close()

	spec, _ := mapping.Infer(rd.Header())
	out, err := spec.YAML()
	if err != nil {
		fmt.Fprintf(stderr, "corimport mapping: %v\n", err)
		return exitAborted
	}
	fmt.Fprintf(stdout, "# Mapping inferred from the header of %s.\n", name)
	stdout.Write(out)
	return exitOK
}
