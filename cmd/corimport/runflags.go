package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/mapping"
)

// runOptions are the flags of "corimport run".
type runOptions struct {
	source      string
	mappingFile string
	format      string
	encoding    string
	delimiter   string

	workers     int
	rate        float64
	burst       int
	retries     int
	maxWait     time.Duration
	timeout     time.Duration
	maxErrors   string
	maxFailures int

	reportDir       string
	overwrite       bool
	resume          bool
	dryRun          bool
	sandbox         bool
	shutdownTimeout time.Duration
	progressEvery   time.Duration
	logLevel        string
	logFormat       string

	files     []string
	threshold importer.Threshold
}

const runUsage = `Usage: corimport run [flags] FILE...

Imports client records from CSV or JSONL files ("-" reads standard input)
into COR and writes a report folder: results.csv (one row per record),
rejected.csv (invalid and failed records, ready to fix and import again)
and summary.json.

Credentials come from the environment:
  COR_API_KEY and COR_CLIENT_SECRET  OAuth2 client credentials, or
  COR_ACCESS_TOKEN                   a ready access token
  Each can also be given as a file path in COR_API_KEY_FILE,
  COR_CLIENT_SECRET_FILE or COR_ACCESS_TOKEN_FILE (Kubernetes secrets).
  COR_API_URL   Integrations API base URL (default https://integrations.projectcor.com)
  COR_AUTH_URL  token endpoint (default https://api.projectcor.com/v1/oauth/token)
  Plain http:// is accepted only for loopback addresses.

Flags (each can also be set by the environment variable in brackets):
`

func newRunFlags(o *runOptions, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runUsage)
		printFlags(fs)
		fmt.Fprint(fs.Output(), "\n"+usageExitCodes)
	}

	fs.StringVar(&o.source, "source", "", "COR `source` of the records: one of "+strings.Join(mapping.Sources, ", ")+"; required unless the mapping file sets it")
	fs.StringVar(&o.mappingFile, "mapping", "", "YAML mapping `file`; without it the mapping is inferred from the header")
	fs.StringVar(&o.format, "format", "auto", "input `format`: auto (from the file extension), csv or jsonl")
	fs.StringVar(&o.encoding, "encoding", "auto", "input `encoding`: auto, utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1")
	fs.StringVar(&o.delimiter, "delimiter", "", "CSV `delimiter`: , ; | or tab; detected from the header when empty")

	fs.IntVar(&o.workers, "workers", 4, "`number` of requests in flight at once")
	fs.Float64Var(&o.rate, "rate", 10, "maximum `requests` per second across all workers; 0 means no limit")
	fs.IntVar(&o.burst, "burst", 1, "`number` of requests that may start at once above the rate")
	fs.IntVar(&o.retries, "retries", 5, "retries per record after 429, 5xx, timeouts and connection errors")
	fs.DurationVar(&o.maxWait, "max-wait", 30*time.Second, "cap on a single `wait` between retries, including Retry-After")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "`time` limit of one HTTP request")
	fs.StringVar(&o.maxErrors, "max-errors", "", "abort when this many records are invalid or failed: a `count` or a percentage such as 5%")
	fs.IntVar(&o.maxFailures, "max-consecutive-failures", 20, "abort when this many records in a row could not be delivered")

	fs.StringVar(&o.reportDir, "report", "corimport-report", "report `folder`")
	fs.BoolVar(&o.overwrite, "overwrite", false, "replace the report files of an earlier run in the report folder")
	fs.BoolVar(&o.resume, "resume", false, "continue the job in the report folder: skip records already done, retry the rest")
	fs.BoolVar(&o.dryRun, "dry-run", false, "read, map and validate only; send nothing")
	fs.BoolVar(&o.sandbox, "sandbox", false, "import into a local stand-in of the COR API started inside the process; nothing reaches COR")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "after SIGINT or SIGTERM, `time` allowed for requests in flight to finish")
	fs.DurationVar(&o.progressEvery, "progress-interval", 10*time.Second, "`interval` between progress log lines")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "auto", "log `format`: auto (console on a terminal, else JSON), console or json")
	return fs
}

const usageExitCodes = `Exit codes: 0 all records created, duplicate, skipped or valid; 1 some
invalid or failed; 2 usage error, nothing sent; 3 aborted by a fatal problem;
4 interrupted by a signal (run again with --resume).
`

// check validates the flags that flag parsing cannot.
func (o *runOptions) check() error {
	switch {
	case len(o.files) == 0:
		return fmt.Errorf("no input file: give one or more CSV or JSONL files, or - for standard input")
	case o.workers < 1:
		return fmt.Errorf("--workers %d: want 1 or more", o.workers)
	case o.rate < 0:
		return fmt.Errorf("--rate %g: want 0 (no limit) or more", o.rate)
	case o.burst < 1:
		return fmt.Errorf("--burst %d: want 1 or more", o.burst)
	case o.retries < 0:
		return fmt.Errorf("--retries %d: want 0 or more", o.retries)
	case o.overwrite && o.resume:
		return fmt.Errorf("--overwrite and --resume exclude each other: --resume continues the report, --overwrite replaces it")
	case o.dryRun && o.resume:
		return fmt.Errorf("--dry-run and --resume exclude each other: a dry run sends nothing to resume")
	}
	stdin := 0
	for _, f := range o.files {
		if f == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return fmt.Errorf("standard input (-) is given %d times: give it once", stdin)
	}
	t, err := importer.ParseThreshold(o.maxErrors)
	if err != nil {
		return fmt.Errorf("--max-errors: %v", err)
	}
	o.threshold = t
	return nil
}

// delimiterRune turns the --delimiter value into a rune, 0 for detection.
func (o *runOptions) delimiterRune() (rune, error) {
	switch strings.ToLower(o.delimiter) {
	case "":
		return 0, nil
	case ",", ";", "|":
		return rune(o.delimiter[0]), nil
	case "tab", "\\t", "\t":
		return '\t', nil
	}
	return 0, fmt.Errorf("--delimiter %q: want , ; | or tab", o.delimiter)
}
