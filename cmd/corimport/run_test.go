package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/corimport/corimport/importer/sandbox"
)

const accountsSample = "../../samples/salesforce-accounts.csv"

func TestRunSampleInSandbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--sandbox", "--rate", "0", "--source", "SALESFORCE",
		"--report", dir, "--log-format", "json", accountsSample)
	if code != exitIncomplete {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitIncomplete, stderr)
	}
	if !strings.Contains(stderr, "SANDBOX") {
		t.Errorf("stderr does not say that the data went to the sandbox:\n%s", stderr)
	}

	checkCounts(t, readSummary(t, dir), map[string]int{
		"read": 300, "created": 293, "invalid": 6, "duplicate": 1, "failed": 0,
	})

	rows := readResults(t, dir)
	if len(rows) != 300 {
		t.Fatalf("results.csv has %d rows, want 300", len(rows))
	}
	last := 0
	for _, r := range rows {
		line, _ := strconv.Atoi(r["line"])
		if line <= last {
			t.Fatalf("results.csv line %d follows line %d: not in input order", line, last)
		}
		last = line
		if r["status"] == "created" && r["cor_id"] == "" {
			t.Errorf("line %s created without a COR id", r["line"])
		}
	}
	first, dup := rows[12], rows[263]
	if dup["status"] != "duplicate" || !strings.Contains(dup["message"], "line "+first["line"]) {
		t.Errorf("row of the repeated id = %v, want duplicate naming line %s", dup, first["line"])
	}

	rejected := readCSV(t, filepath.Join(dir, "rejected.csv"))
	if len(rejected) != 6 {
		t.Errorf("rejected.csv has %d rows, want 6", len(rejected))
	}
	for _, r := range rejected {
		if r["error"] == "" {
			t.Errorf("rejected row %v has no error", r)
		}
	}
}

func TestRunHubSpotSampleExitsZero(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--rate", "0", "--source", "ZAPIER", "--report", dir,
		"../../samples/hubspot-companies.csv")
	if code != exitOK {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitOK, stderr)
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"read": 40, "created": 40})
	if got := len(sb.Server.Clients()); got != 40 {
		t.Errorf("sandbox holds %d clients, want 40", got)
	}
}

func TestRunJSONLSampleNestedContact(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--rate", "0", "--source", "GITHUB", "--report", dir,
		"../../samples/clients.jsonl")
	if code != exitOK {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitOK, stderr)
	}
	clients := sb.Server.Clients()
	if len(clients) != 25 {
		t.Fatalf("sandbox holds %d clients, want 25", len(clients))
	}
	for _, c := range clients {
		if c.Source != "GITHUB" || !strings.HasPrefix(c.EmailContact, "ops") || c.NameContact == "" {
			t.Errorf("client %+v lacks the nested contact fields", c)
		}
	}
}

func TestRunDryRunSendsNothing(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--dry-run", "--source", "SALESFORCE", "--report", dir, accountsSample)
	if code != exitIncomplete {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitIncomplete, stderr)
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"read": 300, "valid": 293, "invalid": 6, "duplicate": 1})
	if got := len(sb.Server.Clients()); got != 0 {
		t.Errorf("a dry run stored %d clients, want 0", got)
	}
}

func TestRunRealDataLoaderExport(t *testing.T) {
	path := realData(t, "salesforce-dataloader-accountData.csv")
	sb := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--rate", "0", "--workers", "8", "--source", "SALESFORCE",
		"--report", dir, path)
	if code != exitOK {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitOK, stderr)
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"read": 423, "created": 423})

	// Decode the file independently of the importer's reader.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(charmap.Windows1252.NewDecoder().Reader(f)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, rec := range records[1:] {
		want[rec[0]] = strings.TrimSpace(rec[3])
	}
	got := map[string]string{}
	for _, c := range sb.Server.Clients() {
		got[c.ExternalID] = c.Name
	}
	if len(got) != len(want) {
		t.Fatalf("sandbox holds %d clients, want %d", len(got), len(want))
	}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("client %s name = %q, want %q", id, got[id], name)
		}
	}
}

func TestRunApexRecipesStableIDs(t *testing.T) {
	path := realData(t, "salesforce-apex-recipes-Accounts.csv")
	sb := startSandbox(t, sandbox.Options{})
	mappingFile := filepath.Join(t.TempDir(), "apex.yaml")
	writeFile(t, mappingFile, `source: SALESFORCE
fields:
  id: {hash: [name, billingstreet, billingpostalcode], prefix: "apex-"}
  name: {column: name}
  phone: {column: phone}
  website: {column: website}
  description: {column: description}
`)

	first := filepath.Join(t.TempDir(), "first")
	code, _, stderr := cli(t, "run", "--rate", "0", "--mapping", mappingFile, "--report", first, path)
	if code != exitOK {
		t.Fatalf("first run exit code = %d, want %d\n%s", code, exitOK, stderr)
	}
	checkCounts(t, readSummary(t, first), map[string]int{"read": 50, "created": 50})

	second := filepath.Join(t.TempDir(), "second")
	code, _, stderr = cli(t, "run", "--rate", "0", "--mapping", mappingFile, "--report", second, path)
	if code != exitOK {
		t.Fatalf("second run exit code = %d, want %d\n%s", code, exitOK, stderr)
	}
	checkCounts(t, readSummary(t, second), map[string]int{"read": 50, "created": 0, "duplicate": 50})
	if got := len(sb.Server.Clients()); got != 50 {
		t.Errorf("sandbox holds %d clients after two runs, want 50", got)
	}
}

func TestRunMappingRoundTrip(t *testing.T) {
	code, yaml, stderr := cli(t, "mapping", "../../samples/clients.jsonl")
	if code != exitOK {
		t.Fatalf("mapping exit code = %d, want 0\n%s", code, stderr)
	}
	mappingFile := filepath.Join(t.TempDir(), "m.yaml")
	writeFile(t, mappingFile, strings.Replace(yaml, "# source: SALESFORCE", "source: GITHUB", 1))

	startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr = cli(t, "run", "--rate", "0", "--mapping", mappingFile, "--report", dir,
		"../../samples/clients.jsonl")
	if code != exitOK {
		t.Fatalf("run with the printed mapping exit code = %d, want 0\n%s\nmapping:\n%s", code, stderr, yaml)
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"created": 25})
}

func TestRunStandardInput(t *testing.T) {
	startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	var out, errOut strings.Builder
	in := "id,name,email\nC-1,Acme,ops@acme.example\nC-2,Globex,\n"
	code := run(t.Context(), []string{"run", "--format", "csv", "--source", "SAP", "--report", dir, "-"},
		strings.NewReader(in), &out, &errOut)
	if code != exitOK {
		t.Fatalf("run exit code = %d, want 0\n%s", code, errOut.String())
	}
	rows := readResults(t, dir)
	if len(rows) != 2 || rows[0]["file"] != "-" || rows[1]["line"] != "3" {
		t.Errorf("results = %v, want 2 rows from - at lines 2 and 3", rows)
	}
}

func TestRunUsageErrors(t *testing.T) {
	busy := t.TempDir()
	unused := filepath.Join(t.TempDir(), "report")
	writeFile(t, filepath.Join(busy, "notes.txt"), "not a report")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no file", nil, []string{"run", "--dry-run"}, "no input file"},
		{"unknown flag", nil, []string{"run", "--speed", "9", "x.csv"}, "speed"},
		{"overwrite and resume", nil, []string{"run", "--overwrite", "--resume", accountsSample}, "exclude"},
		{"bad max-errors", nil, []string{"run", "--max-errors", "lots", accountsSample}, "max-errors"},
		{"bad delimiter", nil, []string{"run", "--dry-run", "--delimiter", "::", accountsSample}, "delimiter"},
		{"report folder in use", nil, []string{"run", "--dry-run", "--source", "SAP", "--report", busy, accountsSample}, "--overwrite"},
		{"no credentials", map[string]string{"COR_API_KEY": "", "COR_CLIENT_SECRET": "", "COR_ACCESS_TOKEN": ""},
			[]string{"run", "--source", "SAP", accountsSample}, "COR_"},
		{"plain http to a remote host", map[string]string{"COR_ACCESS_TOKEN": "t0ken", "COR_API_URL": "http://cor.example.com"},
			[]string{"run", "--source", "SAP", accountsSample}, "COR_API_URL"},
		{"unknown encoding", nil, []string{"run", "--dry-run", "--source", "SAP", "--encoding", "ebcdic", "--report", unused, accountsSample}, "ebcdic"},
		{"no source", nil, []string{"run", "--dry-run", accountsSample}, "--source"},
		{"unknown source", nil, []string{"run", "--dry-run", "--source", "HUBSPOT", accountsSample}, "HUBSPOT"},
		{"bad env flag", map[string]string{"CORIMPORT_WORKERS": "many"}, []string{"run", "--dry-run", accountsSample}, "CORIMPORT_WORKERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, _, stderr := cli(t, tt.args...)
			if code != exitUsage {
				t.Errorf("run %v exit code = %d, want %d\n%s", tt.args, code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("run %v stderr does not mention %q:\n%s", tt.args, tt.want, stderr)
			}
			if _, err := os.Stat(unused); err == nil {
				t.Errorf("run %v created the report folder, want nothing created on a usage error", tt.args)
			}
			if strings.Contains(stderr, "t0ken") {
				t.Errorf("stderr reveals the access token:\n%s", stderr)
			}
		})
	}
}

func TestRunCredentialsRejected(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{APIKey: "right", ClientSecret: "s3cret-right"})
	t.Setenv("COR_API_KEY", "wrong")
	t.Setenv("COR_CLIENT_SECRET", "s3cret-wrong")
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", "--report", dir, accountsSample)
	if code != exitAborted {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitAborted, stderr)
	}
	if strings.Contains(stderr, "s3cret") {
		t.Errorf("stderr reveals the client secret:\n%s", stderr)
	}
	if got := len(sb.Server.Clients()); got != 0 {
		t.Errorf("sandbox holds %d clients, want 0", got)
	}
}

func TestHelpListsExitCodesAndEnv(t *testing.T) {
	code, stdout, _ := cli(t, "help", "run")
	if code != exitOK {
		t.Fatalf("help run exit code = %d, want 0", code)
	}
	for _, want := range []string{"--rate", "[$CORIMPORT_RATE]", "COR_API_KEY_FILE", "Exit codes", "--resume"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help run does not mention %q", want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunRejectedFixedTokenStops(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	t.Setenv("COR_API_KEY", "")
	t.Setenv("COR_CLIENT_SECRET", "")
	t.Setenv("COR_ACCESS_TOKEN", "b0gus-token")
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--workers", "2",
		"--report", dir, accountsSample)
	if code != exitAborted {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitAborted, stderr)
	}
	if !strings.Contains(stderr, "COR_ACCESS_TOKEN") || strings.Contains(stderr, "b0gus") {
		t.Errorf("stderr should name COR_ACCESS_TOKEN without its value:\n%s", stderr)
	}
	if got := sb.Server.Stats().RequestCount(sandbox.EndpointCreate, 401); got > 2 {
		t.Errorf("the stand-in rejected %d creates, want at most one per worker", got)
	}
	s := readSummary(t, dir)
	if s.Counts["failed"] != 0 || s.Counts["unprocessed"] == 0 {
		t.Errorf("summary counts = %v, want no failed and the rest unprocessed", s.Counts)
	}
}

func TestRunFlagsAfterFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", accountsSample, "--dry-run", "--report", dir)
	if code != exitIncomplete {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitIncomplete, stderr)
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"read": 300, "valid": 293})
}
