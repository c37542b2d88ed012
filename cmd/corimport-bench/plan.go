package main

import "time"

// plan sets the sizes of one benchmark run.
type plan struct {
	Name string

	// Workers is the number of connections of both the minimal client and
	// corimport in the throughput pair, and corimport's workers in the
	// rate run. Eight keeps both cores busy while some requests wait on
	// the loopback socket, and is a realistic worker count for a rate-limited API;
	// more connections on two cores add only scheduling.
	Workers        int
	ThroughputRows int
	Rounds         int // rounds of the throughput pair and the dry-run pair; the best counts

	DryRows      int // rows of the dry run timed against the bare read
	DryRowsSmall int // rows of the dry run whose peak memory is subtracted

	Rate        float64 // --rate of the rate-accuracy run
	Burst       int     // --burst of the rate-accuracy run
	RateSeconds int     // records sent are Rate × RateSeconds

	LatencyWorkers int
	Latency        time.Duration // stand-in latency of the latency-hiding run
	LatencyRecords int

	FirstRequestRuns int // runs of each side whose median time to first request counts
	FirstRequestRows int
}

// fullPlan is the benchmark as documented, under 5 minutes on 2 cores.
var fullPlan = plan{
	Name:             "full",
	Workers:          8,
	ThroughputRows:   200_000,
	Rounds:           3,
	DryRows:          1_000_000,
	DryRowsSmall:     100_000,
	Rate:             500,
	Burst:            1,
	RateSeconds:      20,
	LatencyWorkers:   64,
	Latency:          50 * time.Millisecond,
	LatencyRecords:   12_000,
	FirstRequestRuns: 5,
	FirstRequestRows: 100,
}

// quickPlan is a smaller run, under 30 s, that checks that every figure
// can be measured. Its numbers are not comparable with the full plan's.
var quickPlan = plan{
	Name:             "quick",
	Workers:          8,
	ThroughputRows:   20_000,
	Rounds:           1,
	DryRows:          100_000,
	DryRowsSmall:     10_000,
	Rate:             500,
	Burst:            1,
	RateSeconds:      2,
	LatencyWorkers:   64,
	Latency:          50 * time.Millisecond,
	LatencyRecords:   1_280,
	FirstRequestRuns: 3,
	FirstRequestRows: 100,
}

// rateRecords returns the number of records of the rate-accuracy run.
func (p plan) rateRecords() int { return int(p.Rate) * p.RateSeconds }

// inputSizes returns the row counts of every input file the plan needs.
func (p plan) inputSizes() []int {
	return []int{
		p.ThroughputRows, p.DryRows, p.DryRowsSmall, p.rateRecords(),
		p.LatencyRecords, p.FirstRequestRows,
	}
}
