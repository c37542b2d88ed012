package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one figure of the table with its baseline from the same run.
type row struct {
	Key      string // stable name, for tests
	Figure   string
	Measured string
	Baseline string
	Ratio    float64 // measured over baseline; NaN where a ratio means nothing
	Target   string
	Pass     bool

	Value, Base float64 // the numbers behind Measured and Baseline
}

// growthLimit is the limit on the growth of peak memory from the small to
// the large dry run, per record: under 30 MiB for 900,000 more records.
const growthLimit = 30 << 20 / 900_000.0

// rows turns the results into the table, judging each figure.
func (p plan) rows(r results) []row {
	ratio := func(v, base float64) float64 {
		if base <= 0 {
			return math.NaN()
		}
		return v / base
	}
	const mibLimit = 64
	growthRows := p.DryRows - p.DryRowsSmall
	growth := float64(r.DryRSS - r.DryRSSSmall)
	bareGrowth := float64(r.BareRSS - r.BareRSSSmall)
	growthMax := growthLimit * float64(growthRows)
	ideal := float64(p.LatencyWorkers) / p.Latency.Seconds()
	windowMax := p.Rate + float64(p.Burst)

	rows := []row{
		{
			Key:    "throughput",
			Figure: fmt.Sprintf("throughput, --rate 0 --workers %d, %s rows", p.Workers, count(p.ThroughputRows)),
			Value:  r.ImporterRate, Base: r.CeilingRate,
			Measured: perSecond(r.ImporterRate), Baseline: "minimal client " + perSecond(r.CeilingRate),
			Target: "ratio ≥ 0.85",
		},
		{
			Key:    "overhead",
			Figure: fmt.Sprintf("dry run time, %s rows", count(p.DryRows)),
			Value:  r.DryRunTime.Seconds(), Base: r.BareReadTime.Seconds(),
			Measured: seconds(r.DryRunTime), Baseline: "bare encoding/csv read " + seconds(r.BareReadTime),
			Target: "ratio ≤ 3",
		},
		{
			Key:    "rss-dry",
			Figure: fmt.Sprintf("peak RSS, dry run, %s rows", count(p.DryRows)),
			Value:  mibOf(r.DryRSS), Base: mibOf(r.BareRSS),
			Measured: mib(r.DryRSS), Baseline: "bare read " + mib(r.BareRSS),
			Target: fmt.Sprintf("≤ %d MiB", mibLimit),
		},
		{
			Key:    "rss-run",
			Figure: fmt.Sprintf("peak RSS, real run, %s rows", count(p.ThroughputRows)),
			Value:  mibOf(r.RunRSS), Base: mibOf(r.BareRunRSS),
			Measured: mib(r.RunRSS), Baseline: "bare read " + mib(r.BareRunRSS),
			Target: fmt.Sprintf("≤ %d MiB", mibLimit),
		},
		{
			Key:    "rss-growth",
			Figure: fmt.Sprintf("peak RSS growth, dry run %s → %s rows", count(p.DryRowsSmall), count(p.DryRows)),
			Value:  growth / (1 << 20), Base: bareGrowth / (1 << 20),
			Measured: fmt.Sprintf("%.1f MiB (%.0f B/record)", growth/(1<<20), growth/float64(growthRows)),
			Baseline: fmt.Sprintf("bare read %.1f MiB", bareGrowth/(1<<20)),
			Target:   fmt.Sprintf("< %.1f MiB", growthMax/(1<<20)),
		},
		{
			Key:    "rate",
			Figure: fmt.Sprintf("achieved rate, --rate %g, %s records", p.Rate, count(p.rateRecords())),
			Value:  r.RateAchieved, Base: r.PacedRate,
			Measured: fmt.Sprintf("%.1f/s", r.RateAchieved),
			Baseline: fmt.Sprintf("paced minimal client %.1f/s", r.PacedRate),
			Target:   fmt.Sprintf("%g/s ± 2%%", p.Rate),
		},
		{
			Key:    "rate-window",
			Figure: "max creates in any 1 s window, same run",
			Value:  float64(r.RateMaxWindow), Base: float64(r.PacedWindow),
			Measured: fmt.Sprint(r.RateMaxWindow),
			Baseline: fmt.Sprintf("paced minimal client %d", r.PacedWindow),
			Target:   fmt.Sprintf("≤ %g (rate + burst)", windowMax),
		},
		{
			Key: "latency",
			Figure: fmt.Sprintf("latency hiding, %v latency, --workers %d, %s records",
				p.Latency, p.LatencyWorkers, count(p.LatencyRecords)),
			Value: r.LatencyRate, Base: ideal,
			Measured: perSecond(r.LatencyRate), Baseline: "workers / latency " + perSecond(ideal),
			Target: "ratio ≥ 0.9",
		},
		{
			Key:    "first-request",
			Figure: fmt.Sprintf("time to first request, token included, median of %d", p.FirstRequestRuns),
			Value:  ms(r.FirstRequest), Base: ms(r.FirstRequestBaseline),
			Measured: fmt.Sprintf("%.1f ms", ms(r.FirstRequest)),
			Baseline: fmt.Sprintf("minimal client %.1f ms", ms(r.FirstRequestBaseline)),
			Target:   "< 100 ms",
		},
	}
	for i := range rows {
		rows[i].Ratio = ratio(rows[i].Value, rows[i].Base)
	}
	rows[0].Pass = rows[0].Ratio >= 0.85
	rows[1].Pass = rows[1].Ratio <= 3
	rows[2].Pass = rows[2].Value <= mibLimit
	rows[3].Pass = rows[3].Value <= mibLimit
	rows[4].Pass = growth < growthMax
	rows[4].Ratio = math.NaN() // the bare read keeps nothing per record
	rows[5].Pass = math.Abs(rows[5].Value/p.Rate-1) <= 0.02
	rows[6].Pass = rows[6].Value <= windowMax
	rows[7].Pass = rows[7].Ratio >= 0.9
	rows[8].Pass = rows[8].Value < 100
	return rows
}

// printTable writes the rows as an aligned text table.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\tbaseline\tratio\ttarget\tresult")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Figure, r.Measured, r.Baseline, ratioText(r.Ratio), r.Target, passText(r.Pass))
	}
	tw.Flush()
}

// machine describes where and when the benchmark ran.
type machine struct {
	Date    time.Time
	CPUs    int
	Model   string
	LoadAvg string // 1, 5 and 15 minute load averages at the start
	Go      string
}

func describeMachine() machine {
	m := machine{Date: time.Now(), CPUs: runtime.NumCPU(), Model: "unknown", LoadAvg: "unknown",
		Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	return m
}

// writeMarkdown writes the table with the command and the machine as a
// Markdown file.
func writeMarkdown(name string, p plan, m machine, rows []row) error {
	var b strings.Builder
	cmd := "go run ./cmd/corimport-bench"
	if p.Name == quickPlan.Name {
		cmd += " -quick"
	}
	fmt.Fprintf(&b, "Command: `%s -out %s`\n\n", cmd, name)
	fmt.Fprintf(&b, "Date: %s. Machine: %d × %s (`nproc` %d), %s, load average at start %s.\n\n",
		m.Date.UTC().Format("2006-01-02 15:04 MST"), m.CPUs, m.Model, m.CPUs, m.Go, m.LoadAvg)
	b.WriteString("| figure | measured | baseline | ratio | target | result |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
			r.Figure, r.Measured, r.Baseline, ratioText(r.Ratio), r.Target, passText(r.Pass))
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

// rateOf returns the creates per second between the first and the last
// of the sorted arrival times.
func rateOf(arrivals []time.Time) float64 {
	if len(arrivals) < 2 {
		return 0
	}
	span := arrivals[len(arrivals)-1].Sub(arrivals[0]).Seconds()
	if span <= 0 {
		return 0
	}
	return float64(len(arrivals)-1) / span
}

// maxInWindow returns the maximum number of sorted arrival times that
// any closed window of length d contains. Windows starting at an arrival are enough,
// because moving a window's start up to its first arrival loses nothing.
func maxInWindow(arrivals []time.Time, d time.Duration) int {
	best, j := 0, 0
	for i := range arrivals {
		for j < len(arrivals) && arrivals[j].Sub(arrivals[i]) <= d {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// scheduleSpread returns how far the sorted arrivals stray from evenly
// spaced ones with the same first and last arrival: the largest minus the
// smallest lateness. A spread over one interval of the rate lets a
// 1-second window hold one arrival more than the pacer started in it.
func scheduleSpread(arrivals []time.Time) time.Duration {
	n := len(arrivals)
	if n < 2 {
		return 0
	}
	step := arrivals[n-1].Sub(arrivals[0]) / time.Duration(n-1)
	var lo, hi time.Duration
	for i, t := range arrivals {
		late := t.Sub(arrivals[0]) - time.Duration(i)*step
		lo, hi = min(lo, late), max(hi, late)
	}
	return hi - lo
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// minPositive returns the smaller of a and b, treating 0 as unset.
func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 {
		return b
	}
	return min(a, b)
}

func mibOf(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func mib(bytes int64) string { return fmt.Sprintf("%.1f MiB", mibOf(bytes)) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func perSecond(v float64) string { return fmt.Sprintf("%.0f/s", v) }

// count formats n with thousands separators, such as 1,000,000.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ratioText(r float64) string {
	if math.IsNaN(r) {
		return "–"
	}
	return fmt.Sprintf("%.2f", r)
}

func passText(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
