package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/sandbox"
)

// cli runs the command in-process, as main would, and returns its exit
// code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// startSandbox starts a stand-in of COR on loopback and points the
// importer's environment at it.
func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Running {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("sandbox.Start: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	t.Setenv("COR_API_URL", sb.URL)
	t.Setenv("COR_AUTH_URL", sb.URL+"/v1/oauth/token")
	t.Setenv("COR_API_KEY", "sandbox")
	t.Setenv("COR_CLIENT_SECRET", "sandbox")
	return sb
}

type summaryFile struct {
	Counts   map[string]int `json:"counts"`
	ExitCode int            `json:"exit_code"`
	Resumed  bool           `json:"resumed"`
}

func readSummary(t *testing.T, dir string) summaryFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatalf("read summary: %v", err)
	}
	var s summaryFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("parse summary.json: %v\n%s", err, b)
	}
	return s
}

// resultRow is one row of results.csv, by column name.
type resultRow map[string]string

func readResults(t *testing.T, dir string) []resultRow {
	t.Helper()
	return readCSV(t, filepath.Join(dir, "results.csv"))
}

func readCSV(t *testing.T, path string) []resultRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var rows []resultRow
	for _, rec := range records[1:] {
		row := resultRow{}
		for i, name := range records[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func checkCounts(t *testing.T, got summaryFile, want map[string]int) {
	t.Helper()
	for status, n := range want {
		if got.Counts[status] != n {
			t.Errorf("summary counts[%s] = %d, want %d (all: %v)", status, got.Counts[status], n, got.Counts)
		}
	}
}

// realData returns the path of a file in ../shared/realdata, or skips the
// test when that folder is absent.
func realData(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "realdata", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real-world file %s not available (%v); it lives beside the repository in ../shared/realdata", name, err)
	}
	return path
}
