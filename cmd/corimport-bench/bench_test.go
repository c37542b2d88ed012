package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the benchmark program when
// the benchmark runs it again in one of its modes.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "-mode=") {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestQuickBenchmark runs the quick plan end to end and checks that every
// figure was measured and is plausible. It does not judge the targets,
// which depend on the machine and its load.
func TestQuickBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the quick benchmark, about 10 s; skipped with -short")
	}
	var log bytes.Buffer
	rows, err := measure(t.Context(), quickPlan, &log)
	if err != nil {
		t.Fatalf("measure(quickPlan) error: %v\nlog:\n%s", err, log.String())
	}

	keys := []string{"throughput", "overhead", "rss-dry", "rss-run", "rss-growth",
		"rate", "rate-window", "latency", "first-request"}
	var got []string
	for _, r := range rows {
		got = append(got, r.Key)
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("measure(quickPlan) row keys = %v, want %v", got, keys)
	}

	byKey := map[string]row{}
	for _, r := range rows {
		byKey[r.Key] = r
	}
	for _, c := range []struct {
		key            string
		minVal, maxVal float64
		minBase        float64
	}{
		{"throughput", 100, 1e6, 100},         // creates per second
		{"overhead", 0.001, 60, 0.001},        // seconds
		{"rss-dry", 1, 1024, 1},               // MiB
		{"rss-run", 1, 1024, 1},               // MiB
		{"rss-growth", -1024, 1024, -1024},    // MiB, may be negative from GC timing
		{"rate", 100, 1000, 100},              // creates per second against --rate 500
		{"rate-window", 1, 5000, 1},           // creates in one second
		{"latency", 100, 1e5, 1280},           // creates per second
		{"first-request", 0.01, 10_000, 0.01}, // milliseconds
	} {
		r := byKey[c.key]
		if math.IsNaN(r.Value) || r.Value < c.minVal || r.Value > c.maxVal {
			t.Errorf("row %s: Value = %v, want within [%v, %v]", c.key, r.Value, c.minVal, c.maxVal)
		}
		if math.IsNaN(r.Base) || r.Base < c.minBase {
			t.Errorf("row %s: Base = %v, want at least %v", c.key, r.Base, c.minBase)
		}
		if r.Measured == "" || r.Baseline == "" || r.Target == "" {
			t.Errorf("row %s: Measured %q, Baseline %q, Target %q, want all set",
				c.key, r.Measured, r.Baseline, r.Target)
		}
	}

	checkPrinted(t, rows)
}

// checkPrinted checks that the text and Markdown tables show every row.
func checkPrinted(t *testing.T, rows []row) {
	t.Helper()
	var text bytes.Buffer
	printTable(&text, rows)
	md := filepath.Join(t.TempDir(), "bench.md")
	if err := writeMarkdown(md, quickPlan, describeMachine(), rows); err != nil {
		t.Fatalf("writeMarkdown() error: %v", err)
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !strings.Contains(text.String(), r.Figure) {
			t.Errorf("printTable() output lacks the row %q", r.Figure)
		}
		if !strings.Contains(string(data), "| "+r.Figure+" |") {
			t.Errorf("writeMarkdown() output lacks the row %q", r.Figure)
		}
	}
}

func TestMaxInWindow(t *testing.T) {
	at := func(ms ...int) []time.Time {
		base := time.Unix(1000, 0)
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, base.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, c := range []struct {
		name     string
		arrivals []time.Time
		want     int
	}{
		{"none", nil, 0},
		{"one", at(0), 1},
		{"edges included", at(0, 1000), 2},
		{"just outside", at(0, 1001), 1},
		{"burst after the start", at(0, 500, 501, 502, 1600), 4},
		{"later window larger", at(0, 1200, 1300, 1400, 2100), 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := maxInWindow(c.arrivals, time.Second); got != c.want {
				t.Errorf("maxInWindow(%s) = %d, want %d", c.name, got, c.want)
			}
		})
	}
}

func TestRateOf(t *testing.T) {
	base := time.Unix(1000, 0)
	for _, c := range []struct {
		name     string
		arrivals []time.Time
		want     float64
	}{
		{"empty", nil, 0},
		{"one", []time.Time{base}, 0},
		{"same instant", []time.Time{base, base}, 0},
		{"three over one second", []time.Time{base, base.Add(500 * time.Millisecond), base.Add(time.Second)}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := rateOf(c.arrivals); got != c.want {
				t.Errorf("rateOf(%s) = %v, want %v", c.name, got, c.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"empty", nil, 0},
		{"odd", []time.Duration{5, 1, 3}, 3},
		{"even", []time.Duration{4, 1, 3, 2}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := median(c.in); got != c.want {
				t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {200_000, "200,000"}, {1_000_000, "1,000,000"},
	} {
		if got := count(c.n); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestCleanEnv(t *testing.T) {
	in := []string{"PATH=/bin", "COR_API_KEY=k", "CORIMPORT_RATE=5", "GOGC=off", "HOME=/h", "GOPATH=/g"}
	want := []string{"PATH=/bin", "HOME=/h", "GOPATH=/g"}
	if got := cleanEnv(in); !slices.Equal(got, want) {
		t.Errorf("cleanEnv(%q) = %q, want %q", in, got, want)
	}
}

// TestGeneratedRowsValid checks the generator against the bare CSV
// reader: every row has the header's width and a unique id.
func TestGeneratedRowsValid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := writeInput(path, 500); err != nil {
		t.Fatalf("writeInput() error: %v", err)
	}
	bodies, err := buildBodies(path)
	if err != nil {
		t.Fatalf("buildBodies() error: %v", err)
	}
	if len(bodies) != 500 {
		t.Fatalf("buildBodies() = %d bodies, want 500", len(bodies))
	}
	seen := map[string]bool{}
	row := make([]string, len(inputHeader))
	for i := range 500 {
		fillRow(row, i)
		if seen[row[0]] {
			t.Fatalf("fillRow(%d) id %q repeats an earlier row", i, row[0])
		}
		seen[row[0]] = true
	}
}
