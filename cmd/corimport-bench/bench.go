package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// bench is the state of one benchmark run.
type bench struct {
	plan      plan
	dir       string         // temporary folder, removed at the end
	corimport string         // the corimport binary built for this run
	self      string         // this program, re-executed for the baselines
	inputs    map[int]string // generated CSV files by row count
	reports   int            // report folders made so far
	log       io.Writer
}

// benchmark measures every figure of p and prints the table to stdout,
// and as Markdown to out unless out is empty.
func benchmark(ctx context.Context, p plan, out string, stdout, stderr io.Writer) error {
	machine := describeMachine()
	rows, err := measure(ctx, p, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s plan, %s, %d × %s, %s, load average at start %s\n\n",
		p.Name, machine.Date.UTC().Format("2006-01-02 15:04 MST"), machine.CPUs,
		machine.Model, machine.Go, machine.LoadAvg)
	printTable(stdout, rows)
	if out == "" {
		return nil
	}
	return writeMarkdown(out, p, machine, rows)
}

// measure prepares the binary and the inputs and measures every figure.
func measure(ctx context.Context, p plan, logw io.Writer) ([]row, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program's binary: %w", err)
	}
	dir, err := os.MkdirTemp("", "corimport-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	b := &bench{plan: p, dir: dir, self: self, inputs: map[int]string{}, log: logw}

	if err := b.build(ctx); err != nil {
		return nil, err
	}
	if err := b.generate(); err != nil {
		return nil, err
	}

	var res results
	steps := []func(context.Context, *results) error{
		b.throughput, b.dryRun, b.rateAccuracy, b.latencyHiding, b.firstRequest,
	}
	for _, step := range steps {
		if err := step(ctx, &res); err != nil {
			return nil, err
		}
	}
	return p.rows(res), nil
}

// build compiles corimport once, so that no figure pays for compiling.
func (b *bench) build(ctx context.Context) error {
	b.corimport = filepath.Join(b.dir, "corimport")
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", b.corimport,
		"github.com/corimport/corimport/cmd/corimport")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build corimport: %w\n%s", err, out)
	}
	b.logf("built corimport in %v", time.Since(start).Round(time.Millisecond))
	return nil
}

// generate writes one input file per row count the plan needs.
func (b *bench) generate() error {
	start := time.Now()
	for _, n := range b.plan.inputSizes() {
		if _, done := b.inputs[n]; done {
			continue
		}
		path := filepath.Join(b.dir, "clients-"+strconv.Itoa(n)+".csv")
		if err := writeInput(path, n); err != nil {
			return fmt.Errorf("generate %d rows: %w", n, err)
		}
		b.inputs[n] = path
	}
	b.logf("generated %d input files in %v", len(b.inputs), time.Since(start).Round(time.Millisecond))
	return nil
}

// reportDir returns a new, not yet existing report folder.
func (b *bench) reportDir() string {
	b.reports++
	return filepath.Join(b.dir, "report-"+strconv.Itoa(b.reports))
}

// importerEnv returns the environment that points corimport at s.
func importerEnv(s *standIn) []string {
	return []string{
		"COR_API_URL=" + s.URL,
		"COR_AUTH_URL=" + s.URL + "/v1/oauth/token",
		"COR_API_KEY=sandbox",
		"COR_CLIENT_SECRET=sandbox",
	}
}

// importerArgs returns the arguments of "corimport run" on file with a
// fresh report folder, followed by extra flags.
func (b *bench) importerArgs(file string, extra ...string) []string {
	args := []string{"run", "--source", "SALESFORCE", "--report", b.reportDir(),
		"--log-format", "json"}
	args = append(args, extra...)
	return append(args, file)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "corimport-bench: "+format+"\n", args...)
}
