package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corimport/corimport/importer/sandbox"
)

// writeAccounts writes a CSV of n valid accounts with ids A-1 to A-n.
func writeAccounts(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Account ID,Account Name,Phone,Website\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "A-%d,Company %d,+1 555 %04d,https://c%d.example\n", i, i, i%10000, i)
	}
	path := filepath.Join(t.TempDir(), "accounts.csv")
	writeFile(t, path, b.String())
	return path
}

// checkExactlyOnce asserts that results.csv has one row per record of an
// n-record file, each created with the COR id the stand-in stored, and
// that the stand-in holds exactly one client per external id.
func checkExactlyOnce(t *testing.T, dir string, sb *sandbox.Running, n int) {
	t.Helper()
	stored := map[string]int64{}
	for _, c := range sb.Server.Clients() {
		if _, dup := stored[c.ExternalID]; dup {
			t.Errorf("stand-in holds external id %s twice", c.ExternalID)
		}
		stored[c.ExternalID] = c.CORID
	}
	if len(stored) != n {
		t.Errorf("stand-in holds %d clients, want %d", len(stored), n)
	}

	rows := readResults(t, dir)
	if len(rows) != n {
		t.Errorf("results.csv has %d rows, want %d", len(rows), n)
	}
	lines := map[string]bool{}
	for _, r := range rows {
		if lines[r["line"]] {
			t.Errorf("line %s is reported twice", r["line"])
		}
		lines[r["line"]] = true
		if r["status"] != "created" {
			t.Errorf("line %s status = %s (%s), want created", r["line"], r["status"], r["message"])
			continue
		}
		if want := strconv.FormatInt(stored[r["external_id"]], 10); r["cor_id"] != want {
			t.Errorf("line %s cor_id = %s, want the stored %s", r["line"], r["cor_id"], want)
		}
	}
}

func TestRunSurvivesFaults(t *testing.T) {
	for _, retryAfter := range []sandbox.RetryAfter{sandbox.RetryAfterNone, sandbox.RetryAfterSeconds} {
		t.Run("retry-after "+retryAfter.String(), func(t *testing.T) {
			const n = 2000
			sb := startSandbox(t, sandbox.Options{
				ErrorRate:          0.10,
				ThrottleRate:       0.05,
				RetryAfter:         retryAfter,
				ResetRate:          0.02,
				DropAfterStoreRate: 0.02,
				Seed:               42,
			})
			dir := filepath.Join(t.TempDir(), "report")
			code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--workers", "8",
				"--retries", "12", "--max-wait", "5ms", "--report", dir, writeAccounts(t, n))
			if code != exitOK {
				t.Fatalf("run exit code = %d, want 0\n%s", code, tail(stderr))
			}
			checkExactlyOnce(t, dir, sb, n)

			faults := sb.Server.Stats().Faults
			if faults.ServerErrors == 0 || faults.Resets == 0 || faults.DropsAfterStore == 0 || faults.Throttled == 0 {
				t.Errorf("faults injected = %+v, want some of every kind", faults)
			}
			confirmed := 0
			for _, r := range readResults(t, dir) {
				if strings.Contains(r["message"], "confirmed") {
					confirmed++
				}
			}
			if confirmed == 0 {
				t.Errorf("no record was confirmed by an update, want the drops after store resolved that way")
			}
		})
	}
}

func TestRunSlowsDownOnRateLimit(t *testing.T) {
	const n = 600
	sb := startSandbox(t, sandbox.Options{RateLimit: 200, RateBurst: 10})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--workers", "8",
		"--retries", "20", "--max-wait", "50ms", "--report", dir, writeAccounts(t, n))
	if code != exitOK {
		t.Fatalf("run exit code = %d, want 0\n%s", code, tail(stderr))
	}
	checkExactlyOnce(t, dir, sb, n)
	if !strings.Contains(stderr, "rate changed") {
		t.Errorf("no rate change was logged against a server limit of 200/s")
	}
}

func TestRunTokenExpiryFailsNothing(t *testing.T) {
	tests := []struct {
		name string
		opts sandbox.Options
	}{
		// renewed ahead of expiry
		{"short lifetime", sandbox.Options{TokenTTL: 300 * time.Millisecond, Latency: time.Millisecond}},
		// rejected before the announced expiry: renewed after a 401
		{"early expiry", sandbox.Options{TokenTTL: 200 * time.Millisecond, TokenExpiresIn: time.Hour, Latency: time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 1500
			sb := startSandbox(t, tt.opts)
			dir := filepath.Join(t.TempDir(), "report")
			code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--workers", "4",
				"--report", dir, writeAccounts(t, n))
			if code != exitOK {
				t.Fatalf("run exit code = %d, want 0\n%s", code, tail(stderr))
			}
			checkExactlyOnce(t, dir, sb, n)
			st := sb.Server.Stats()
			if got := st.RequestCount(sandbox.EndpointToken, 200) + st.RequestCount(sandbox.EndpointRefresh, 200); got < 2 {
				t.Errorf("token requests = %d, want the token renewed during the run", got)
			}
		})
	}
}

func TestRunMaxErrorsAborts(t *testing.T) {
	startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--workers", "1",
		"--max-errors", "3", "--report", dir, accountsSample)
	if code != exitAborted {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitAborted, tail(stderr))
	}
	// Records after the abort are still checked locally, so all six
	// invalid ones are reported; only sending stops.
	s := readSummary(t, dir)
	checkCounts(t, s, map[string]int{"read": 300, "invalid": 6, "duplicate": 1})
	if s.Counts["unprocessed"] == 0 || s.Counts["created"] >= 293 {
		t.Errorf("summary counts = %v, want records left unprocessed", s.Counts)
	}

	// Resuming finishes the job without the limit.
	code, _, stderr = cli(t, "run", "--source", "SAP", "--rate", "0", "--resume", "--report", dir, accountsSample)
	if code != exitIncomplete {
		t.Fatalf("resumed run exit code = %d, want %d\n%s", code, exitIncomplete, tail(stderr))
	}
	checkCounts(t, readSummary(t, dir), map[string]int{
		"read": 300, "created": 293, "invalid": 6, "duplicate": 1, "unprocessed": 0,
	})
}

func TestRunAbortsWhenAPIUnreachable(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	t.Setenv("COR_API_URL", closedURL(t)) // tokens still come from the stand-in
	t.Setenv("COR_AUTH_URL", sb.URL+"/v1/oauth/token")
	dir := filepath.Join(t.TempDir(), "report")
	code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--retries", "1",
		"--max-wait", "1ms", "--max-consecutive-failures", "5", "--report", dir, writeAccounts(t, 200))
	if code != exitAborted {
		t.Fatalf("run exit code = %d, want %d\n%s", code, exitAborted, tail(stderr))
	}
	s := readSummary(t, dir)
	if s.Counts["unprocessed"] == 0 || s.Counts["read"] != 200 {
		t.Errorf("summary counts = %v, want all 200 read and most unprocessed", s.Counts)
	}
}

// closedURL returns a loopback URL where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	url := sb.URL
	sb.Close()
	return url
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// buildBinary builds corimport once per test run, for tests that need a
// real process to signal or kill.
func buildBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corimport-test-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "corimport")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// startImport starts the binary on file against the stand-in's URL.
func startImport(t *testing.T, sb *sandbox.Running, dir, file string, extra ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	args := append([]string{"run", "--source", "SAP", "--rate", "0", "--workers", "4",
		"--report", dir, "--log-format", "json"}, extra...)
	cmd := exec.Command(buildBinary(t), append(args, file)...)
	cmd.Env = append(os.Environ(),
		"COR_API_URL="+sb.URL, "COR_AUTH_URL="+sb.URL+"/v1/oauth/token",
		"COR_API_KEY=sandbox", "COR_CLIENT_SECRET=sandbox")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stderr
}

// waitCreated waits until the stand-in has stored at least n clients, or
// the process has exited. It polls the stand-in's counters, the event the
// test synchronises on.
func waitCreated(t *testing.T, sb *sandbox.Running, n int64, exited <-chan struct{}) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for sb.Server.Stats().Created < n {
		select {
		case <-exited:
			return
		case <-deadline:
			t.Fatalf("stand-in stored %d clients in 2 minutes, want %d", sb.Server.Stats().Created, n)
		case <-time.After(time.Millisecond):
		}
	}
}

func exitCodeOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestRunResumesAfterKill(t *testing.T) {
	const n = 3000
	sb := startSandbox(t, sandbox.Options{Latency: 200 * time.Microsecond, DropAfterStoreRate: 0.01, Seed: 7})
	file := writeAccounts(t, n)
	dir := filepath.Join(t.TempDir(), "report")
	rng := rand.New(rand.NewPCG(1, 2))

	mode := []string{}
	killed := 0
	for kill := 0; kill < 4; kill++ {
		target := sb.Server.Stats().Created + int64(50+rng.IntN(600))
		cmd, stderr := startImport(t, sb, dir, file, mode...)
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()

		waitCreated(t, sb, target, exited)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		switch code := exitCodeOf(waitErr); code {
		case -1:
			killed++
		case exitOK:
		default:
			t.Fatalf("run %d exit code = %d before the kill\n%s", kill, code, tail(stderr.String()))
		}
		mode = []string{"--resume"}
	}

	cmd, stderr := startImport(t, sb, dir, file, "--resume")
	if code := exitCodeOf(cmd.Wait()); code != exitOK {
		t.Fatalf("final resumed run exit code = %d, want 0\n%s", code, tail(stderr.String()))
	}
	if killed < 3 {
		t.Errorf("%d of 4 runs were killed mid-run, want at least 3", killed)
	}
	checkExactlyOnce(t, dir, sb, n)
	checkCounts(t, readSummary(t, dir), map[string]int{"read": n, "created": n})
}

func TestRunSIGTERMThenResume(t *testing.T) {
	const n = 2000
	sb := startSandbox(t, sandbox.Options{Latency: 2 * time.Millisecond})
	file := writeAccounts(t, n)
	dir := filepath.Join(t.TempDir(), "report")

	cmd, stderr := startImport(t, sb, dir, file)
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	waitCreated(t, sb, 300, exited)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-exited
	if code := exitCodeOf(waitErr); code != exitInterrupted {
		t.Fatalf("exit code after SIGTERM = %d, want %d\n%s", code, exitInterrupted, tail(stderr.String()))
	}
	s := readSummary(t, dir)
	if s.ExitCode != exitInterrupted {
		t.Errorf("summary exit_code = %d, want %d", s.ExitCode, exitInterrupted)
	}
	written := len(readResults(t, dir))
	if int64(s.Counts["created"]) != sb.Server.Stats().Created || written == 0 {
		t.Errorf("after SIGTERM: %d rows, created %d, stand-in stored %d; want every stored client reported",
			written, s.Counts["created"], sb.Server.Stats().Created)
	}

	cmd, stderr = startImport(t, sb, dir, file, "--resume")
	if code := exitCodeOf(cmd.Wait()); code != exitOK {
		t.Fatalf("resumed run exit code = %d, want 0\n%s", code, tail(stderr.String()))
	}
	checkExactlyOnce(t, dir, sb, n)
}

// tail returns the end of a long log, for failure messages.
func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

func TestRunSecondSignalExitsAtOnce(t *testing.T) {
	const n = 300
	// Every response takes 5 s, the token's included. After the first
	// signal the run waits for the 4 requests in flight, and the second must
	// end it before COR responds to any of them.
	sb := startSandbox(t, sandbox.Options{Latency: 5 * time.Second})
	file := writeAccounts(t, n)
	dir := filepath.Join(t.TempDir(), "report")

	cmd, stderr := startImport(t, sb, dir, file, "--shutdown-timeout", "1m")
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	waitRequests(t, sb, 1+4) // the token, then one create per worker

	_ = cmd.Process.Signal(syscall.SIGTERM)
	waitOutput(t, stderr, "a second signal exits at once")
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-exited
	if code := exitCodeOf(waitErr); code != exitInterrupted {
		t.Errorf("exit code after two signals = %d, want %d", code, exitInterrupted)
	}
	if got := sb.Server.Stats().Created; got != 0 {
		t.Errorf("stand-in stored %d clients, want 0: the process should not wait for them", got)
	}
}

// waitRequests waits until the stand-in has received n requests held by
// its added latency, whether it has responded or not.
func waitRequests(t *testing.T, sb *sandbox.Running, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for sb.Server.Stats().Faults.Delayed < n {
		if time.Now().After(deadline) {
			t.Fatalf("stand-in received %d requests in a minute, want %d", sb.Server.Stats().Faults.Delayed, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitOutput waits until the process has written want to its stderr.
func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the process did not write %q in a minute:\n%s", want, tail(out.String()))
		}
		time.Sleep(time.Millisecond)
	}
}

// syncBuffer is a buffer that a child's output can be copied into while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestResumeLeavesAnsweredFailuresAlone(t *testing.T) {
	// Every attempt of the first run gets a 429: nothing can have been
	// created, so a client added in COR meanwhile must not be updated.
	throttled := startSandbox(t, sandbox.Options{ThrottleRate: 1})
	dir := filepath.Join(t.TempDir(), "report")
	file := writeAccounts(t, 20)
	code, _, stderr := cli(t, "run", "--source", "SAP", "--rate", "0", "--retries", "1",
		"--max-wait", "1ms", "--report", dir, file)
	if code != exitAborted && code != exitIncomplete {
		t.Fatalf("first run exit code = %d, want 1 or 3\n%s", code, tail(stderr))
	}
	throttled.Close()

	sb := startSandbox(t, sandbox.Options{})
	token := sandboxToken(t, sb)
	createDirectly(t, sb, token, `{"metadata":{"source":"SAP"},"id":"A-1","name":"Edited in COR"}`)

	code, _, stderr = cli(t, "run", "--source", "SAP", "--rate", "0", "--resume", "--report", dir, file)
	if code != exitOK {
		t.Fatalf("resumed run exit code = %d, want 0\n%s", code, tail(stderr))
	}
	if got := sb.Server.Stats().Updated; got != 0 {
		t.Errorf("stand-in updated %d clients, want 0", got)
	}
	for _, c := range sb.Server.Clients() {
		if c.ExternalID == "A-1" && c.Name != "Edited in COR" {
			t.Errorf("client A-1 name = %q, want the edit made in COR kept", c.Name)
		}
	}
	checkCounts(t, readSummary(t, dir), map[string]int{"read": 20, "created": 19, "duplicate": 1})
}

func sandboxToken(t *testing.T, sb *sandbox.Running) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/v1/oauth/token?grant_type=client_credentials", nil)
	req.SetBasicAuth("sandbox", "sandbox")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.AccessToken
}

func createDirectly(t *testing.T, sb *sandbox.Running, token, payload string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/v2/integrations/clients", strings.NewReader(payload))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("create %s: status %d", payload, resp.StatusCode)
	}
}
