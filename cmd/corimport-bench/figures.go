package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/corimport/corimport/importer/sandbox"
)

// results are the raw numbers of one benchmark run, which plan.rows turns
// into the table.
type results struct {
	CeilingRate  float64 // creates per second of the minimal client
	ImporterRate float64 // creates per second of corimport, same rows and connections
	RunRSS       int64   // peak RSS of that corimport run, bytes
	BareRunRSS   int64   // peak RSS of the bare read of the same file, bytes

	BareReadTime time.Duration // bare encoding/csv loop over the large file
	DryRunTime   time.Duration // corimport --dry-run of the large file
	BareRSS      int64         // peak RSS of the bare read of the large file
	DryRSS       int64         // peak RSS of the dry run of the large file
	BareRSSSmall int64         // the same two for the small file
	DryRSSSmall  int64

	RateAchieved  float64 // creates per second between the first and last create
	RateMaxWindow int     // maximum creates in any closed 1-second window
	PacedRate     float64 // the same two for the minimal client behind the same limiter
	PacedWindow   int

	LatencyRate float64 // creates per second with 64 workers and 50 ms latency

	FirstRequest         time.Duration // median, corimport
	FirstRequestBaseline time.Duration // median, minimal client
}

// throughput runs the minimal client and corimport, each on a fresh
// stand-in with the same rows and connections, Rounds times, and keeps the
// best rate of each, which is the one least disturbed by other load.
func (b *bench) throughput(ctx context.Context, res *results) error {
	p := b.plan
	file := b.inputs[p.ThroughputRows]
	conns := strconv.Itoa(p.Workers)
	for round := 1; round <= p.Rounds; round++ {
		arr, cex, err := b.sendRun(ctx, "ceiling", p.ThroughputRows, sandbox.Options{}, b.self,
			[]string{"-mode=" + modeCeiling, "-conns", conns, "-file", file}, true)
		if err != nil {
			return err
		}
		ceiling := rateOf(arr)
		res.CeilingRate = max(res.CeilingRate, ceiling)

		args := b.importerArgs(file, "--rate", "0", "--workers", conns)
		arr, ex, err := b.sendRun(ctx, "corimport run", p.ThroughputRows, sandbox.Options{},
			b.corimport, args, false)
		if err != nil {
			return err
		}
		rate := rateOf(arr)
		res.ImporterRate = max(res.ImporterRate, rate)
		res.RunRSS = max(res.RunRSS, ex.PeakRSS)
		b.logf("throughput round %d: ceiling %.0f/s, corimport %.0f/s (%.2f), peak RSS %s; "+
			"CPU per record: ceiling %v, corimport %v", round, ceiling, rate, rate/ceiling,
			mib(ex.PeakRSS), perRecord(cex.CPU, p.ThroughputRows), perRecord(ex.CPU, p.ThroughputRows))
	}

	bare, err := b.bareRead(ctx, p.ThroughputRows)
	res.BareRunRSS = bare.PeakRSS
	return err
}

// dryRun times corimport --dry-run against the bare read of the same
// file, and measures both at two sizes for the memory figures.
func (b *bench) dryRun(ctx context.Context, res *results) error {
	p := b.plan
	for round := 1; round <= p.Rounds; round++ {
		bare, err := b.bareRead(ctx, p.DryRows)
		if err != nil {
			return err
		}
		dry, err := b.dryRunOnce(ctx, p.DryRows)
		if err != nil {
			return err
		}
		res.BareReadTime = minPositive(res.BareReadTime, bare.Wall)
		res.DryRunTime = minPositive(res.DryRunTime, dry.Wall)
		res.BareRSS = max(res.BareRSS, bare.PeakRSS)
		res.DryRSS = max(res.DryRSS, dry.PeakRSS)
		b.logf("dry run round %d: bare read %v, dry run %v, peak RSS %s and %s, CPU %v and %v",
			round, bare.Wall.Round(time.Millisecond), dry.Wall.Round(time.Millisecond),
			mib(bare.PeakRSS), mib(dry.PeakRSS), bare.CPU.Round(time.Millisecond),
			dry.CPU.Round(time.Millisecond))
	}

	bare, err := b.bareRead(ctx, p.DryRowsSmall)
	if err != nil {
		return err
	}
	dry, err := b.dryRunOnce(ctx, p.DryRowsSmall)
	if err != nil {
		return err
	}
	res.BareRSSSmall, res.DryRSSSmall = bare.PeakRSS, dry.PeakRSS
	b.logf("dry run of %d rows: peak RSS %s, bare read %s", p.DryRowsSmall,
		mib(dry.PeakRSS), mib(bare.PeakRSS))
	return nil
}

// rateAccuracy sends Rate × RateSeconds records at --rate Rate and
// checks the arrivals at the stand-in. The baseline is the minimal client
// pacing the same records with the same limiter (x/time/rate, which
// corimport's pacer wraps), so that delays that come from the machine
// and the stand-in show in both.
func (b *bench) rateAccuracy(ctx context.Context, res *results) error {
	p := b.plan
	n := p.rateRecords()
	perSecond := strconv.FormatFloat(p.Rate, 'f', -1, 64)
	burst, workers := strconv.Itoa(p.Burst), strconv.Itoa(p.Workers)

	arr, _, err := b.sendRun(ctx, "ceiling --rate", n, sandbox.Options{}, b.self,
		[]string{"-mode=" + modeCeiling, "-conns", workers, "-rate", perSecond, "-burst", burst,
			"-file", b.inputs[n]}, true)
	if err != nil {
		return err
	}
	res.PacedRate, res.PacedWindow = rateOf(arr), maxInWindow(arr, time.Second)
	b.logf("minimal client at rate %g: achieved %.1f/s, at most %d in 1 s; arrivals spread %v "+
		"around an even schedule", p.Rate, res.PacedRate, res.PacedWindow, scheduleSpread(arr))

	args := b.importerArgs(b.inputs[n], "--rate", perSecond, "--burst", burst, "--workers", workers)
	arr, _, err = b.sendRun(ctx, "corimport run --rate", n, sandbox.Options{}, b.corimport, args, false)
	if err != nil {
		return err
	}
	res.RateAchieved = rateOf(arr)
	res.RateMaxWindow = maxInWindow(arr, time.Second)
	b.logf("corimport at rate %g: achieved %.1f/s, at most %d in 1 s; arrivals spread %v "+
		"around an even schedule",
		p.Rate, res.RateAchieved, res.RateMaxWindow, scheduleSpread(arr))
	return nil
}

// latencyHiding sends LatencyRecords records with LatencyWorkers workers
// to a stand-in that delays every response by Latency.
func (b *bench) latencyHiding(ctx context.Context, res *results) error {
	p := b.plan
	args := b.importerArgs(b.inputs[p.LatencyRecords], "--rate", "0",
		"--workers", strconv.Itoa(p.LatencyWorkers))
	arr, _, err := b.sendRun(ctx, "corimport run (latency)", p.LatencyRecords,
		sandbox.Options{Latency: p.Latency}, b.corimport, args, false)
	if err != nil {
		return err
	}
	res.LatencyRate = rateOf(arr)
	b.logf("latency %v, %d workers: %.0f/s", p.Latency, p.LatencyWorkers, res.LatencyRate)
	return nil
}

// firstRequest measures, FirstRequestRuns times each, the time from just
// before exec to the first create at the stand-in, for corimport and for
// the minimal client, alternating, and keeps the medians.
func (b *bench) firstRequest(ctx context.Context, res *results) error {
	p := b.plan
	file := b.inputs[p.FirstRequestRows]
	var mine, base []time.Duration
	for range p.FirstRequestRuns {
		d, err := b.timeToFirst(ctx, "corimport run (first request)", b.corimport,
			b.importerArgs(file, "--rate", "0"))
		if err != nil {
			return err
		}
		mine = append(mine, d)
		d, err = b.timeToFirst(ctx, "ceiling (first request)", b.self,
			[]string{"-mode=" + modeCeiling, "-conns", "1", "-file", file})
		if err != nil {
			return err
		}
		base = append(base, d)
	}
	res.FirstRequest, res.FirstRequestBaseline = median(mine), median(base)
	b.logf("time to first request: corimport %v, minimal client %v (medians of %d)",
		res.FirstRequest, res.FirstRequestBaseline, p.FirstRequestRuns)
	return nil
}

// timeToFirst runs one child against a fresh stand-in and returns the
// time from just before exec to the first create's arrival.
func (b *bench) timeToFirst(ctx context.Context, name, path string, args []string) (time.Duration, error) {
	s, err := startStandIn(sandbox.Options{}, b.plan.FirstRequestRows)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ex, err := runChild(ctx, b.self, name, path, args, importerEnv(s))
	if err != nil {
		return 0, err
	}
	arr := s.Arrivals()
	if len(arr) == 0 {
		return 0, fmt.Errorf("%s: no create reached the stand-in", name)
	}
	// ex.Start comes from another process, so compare wall clocks
	first := slices.MinFunc(arr, time.Time.Compare).Round(0)
	return first.Sub(ex.Start), nil
}

// sendRun runs one child against a fresh stand-in configured by opts,
// checks that it created records clients, and returns the sorted arrival
// times of the creates. The child's stdout must be a ceilingResult when
// ceiling is set.
func (b *bench) sendRun(ctx context.Context, name string, records int, opts sandbox.Options,
	path string, args []string, ceiling bool) ([]time.Time, exited, error) {
	// collect the previous stand-in now rather than during this run
	runtime.GC()
	s, err := startStandIn(opts, records)
	if err != nil {
		return nil, exited{}, err
	}
	defer s.Close()
	ex, err := runChild(ctx, b.self, name, path, args, importerEnv(s))
	if err != nil {
		return nil, ex, err
	}
	if got := s.Created(); got != int64(records) {
		return nil, ex, fmt.Errorf("%s: the stand-in stored %d clients, want %d", name, got, records)
	}
	if ceiling {
		var cr ceilingResult
		if err := json.Unmarshal(ex.Stdout, &cr); err != nil || cr.Sent != records {
			return nil, ex, fmt.Errorf("%s: output %q, want a JSON object with sent %d",
				name, bytes.TrimSpace(ex.Stdout), records)
		}
	}
	arr := s.Arrivals()
	slices.SortFunc(arr, time.Time.Compare)
	return arr, ex, nil
}

// bareRead runs the bare encoding/csv loop over the file of rows records.
func (b *bench) bareRead(ctx context.Context, rows int) (exited, error) {
	name := "bare csv read"
	ex, err := runChild(ctx, b.self, name, b.self,
		[]string{"-mode=" + modeCSVRead, "-file", b.inputs[rows]}, nil)
	if err != nil {
		return ex, err
	}
	if got := string(bytes.TrimSpace(ex.Stdout)); got != strconv.Itoa(rows) {
		return ex, fmt.Errorf("%s: read %q records, want %d", name, got, rows)
	}
	return ex, nil
}

// dryRunOnce runs corimport --dry-run over the file of rows records and
// checks from summary.json that every record ended valid.
func (b *bench) dryRunOnce(ctx context.Context, rows int) (exited, error) {
	name := "corimport run --dry-run"
	dir := b.reportDir()
	args := []string{"run", "--dry-run", "--source", "SALESFORCE", "--report", dir,
		"--log-format", "json", b.inputs[rows]}
	ex, err := runChild(ctx, b.self, name, b.corimport, args, nil)
	if err != nil {
		return ex, err
	}
	valid, err := summaryValid(filepath.Join(dir, "summary.json"))
	if err != nil {
		return ex, fmt.Errorf("%s: %w", name, err)
	}
	if valid != rows {
		return ex, fmt.Errorf("%s: %d records valid, want %d", name, valid, rows)
	}
	return ex, os.RemoveAll(dir)
}

// summaryValid returns counts.valid from a summary.json file.
func summaryValid(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var s struct {
		Counts struct {
			Valid int `json:"valid"`
		} `json:"counts"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return s.Counts.Valid, nil
}

// perRecord returns d divided among n records.
func perRecord(d time.Duration, n int) time.Duration {
	if n <= 0 {
		return 0
	}
	return (d / time.Duration(n)).Round(10 * time.Nanosecond)
}
