package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/importer/corapi"
	"github.com/corimport/corimport/importer/sandbox"
	"github.com/corimport/corimport/mapping"
	"github.com/corimport/corimport/report"
)

// Modes of this program run as a child of the benchmark, or by hand for
// profiling. They are not in the flag help because they take arguments
// that the benchmark chooses.
const (
	modeExec          = "exec"           // runs a measured program and reports its peak RSS
	modeCeiling       = "ceiling"        // minimal HTTP client: the throughput baseline
	modeCSVRead       = "csvread"        // bare encoding/csv loop: the dry-run baseline
	modeProfileDryRun = "profile-dryrun" // importer.Run in-process under the CPU profiler
	modeProfileRun    = "profile-run"    // the same, sending to a stand-in in the same process
)

// ceilingResult is the ceiling mode's standard output, one JSON object.
type ceilingResult struct {
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// runMode runs the mode that args[0] selects, as "-mode=NAME".
func runMode(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corimport-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "", "child `mode`")
	url := fs.String("url", "", "base `URL` of a running stand-in for profile-run; empty starts one in this process")
	conns := fs.Int("conns", 8, "`number` of connections, each with one request in flight")
	perSecond := fs.Float64("rate", 0, "ceiling mode: `requests` per second through a shared x/time/rate limiter; 0 for none")
	burst := fs.Int("burst", 1, "ceiling mode: burst of the limiter")
	file := fs.String("file", "", "input CSV `file`")
	rows := fs.Int("rows", 1_000_000, "`number` of rows to generate when -file is empty (profile modes)")
	cpuProfile := fs.String("cpuprofile", "cpu.out", "write the CPU profile to this `file`")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end to this `file`")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}

	var err error
	switch *mode {
	case modeExec:
		code, err := execChild(fs.Args())
		if err != nil {
			fmt.Fprintf(stderr, "corimport-bench -mode=%s: %v\n", *mode, err)
		}
		return code
	case modeCeiling:
		limiter := rate.NewLimiter(rate.Inf, 0)
		if *perSecond > 0 {
			limiter = rate.NewLimiter(rate.Limit(*perSecond), *burst)
		}
		err = runCeiling(ctx, os.Getenv("COR_API_URL"), *file, *conns, limiter, stdout)
	case modeCSVRead:
		err = readCSV(*file, stdout)
	case modeProfileDryRun, modeProfileRun:
		err = profile(ctx, *mode == modeProfileRun, *url, *file, *rows, *conns, *cpuProfile, *memProfile, stdout)
	default:
		fmt.Fprintf(stderr, "corimport-bench: unknown mode %q: want %s, %s, %s, %s or %s\n",
			*mode, modeExec, modeCeiling, modeCSVRead, modeProfileDryRun, modeProfileRun)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "corimport-bench -mode=%s: %v\n", *mode, err)
		return exitFailed
	}
	return exitOK
}

// readCSV reads file with a plain encoding/csv loop and prints the
// number of records.
func readCSV(file string, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	n := 0
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n++
	}
	_, err = fmt.Fprintln(stdout, n-1) // without the header
	return err
}

// runCeiling posts the records of file to the stand-in at url (from
// COR_API_URL, as for corimport) from conns goroutines over kept-alive
// connections, each waiting on limiter before a request, and prints a
// ceilingResult. The bodies are encoded before the first request.
func runCeiling(ctx context.Context, url, file string, conns int, limiter *rate.Limiter,
	stdout io.Writer) error {
	bodies, err := buildBodies(file)
	if err != nil {
		return err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = conns
	client := &http.Client{Transport: transport}
	token, err := fetchToken(ctx, client, url)
	if err != nil {
		return err
	}

	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(bodies)) || limiter.Wait(ctx) != nil {
					return
				}
				if !post(ctx, client, url+"/v2/integrations/clients", token, bodies[i]) {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	res := ceilingResult{Sent: len(bodies), Failed: int(failed.Load())}
	if res.Failed > 0 {
		return fmt.Errorf("%d of %d creates failed", res.Failed, res.Sent)
	}
	return json.NewEncoder(stdout).Encode(res)
}

// buildBodies encodes every record of file as a create body, exactly as
// corimport's inferred mapping would.
func buildBodies(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("read the header of %s: %w", file, err)
	}
	var bodies [][]byte
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return bodies, nil
		}
		if err != nil {
			return nil, err
		}
		c := mapping.Client{
			Source: "SALESFORCE", ID: row[0], Name: row[1], EmailContact: row[2],
			Phone: row[3], Website: row[4], Description: row[5],
		}
		bodies = append(bodies, c.AppendJSON(nil))
	}
}

// fetchToken gets an access token with the sandbox's credentials.
func fetchToken(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		url+"/v1/oauth/token?grant_type=client_credentials", nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth("sandbox", "sandbox")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetch a token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		return "", fmt.Errorf("fetch a token: status %d, no access_token in the response (%v)",
			resp.StatusCode, err)
	}
	return body.AccessToken, nil
}

// post sends one create and reports whether the stand-in accepted it.
func post(ctx context.Context, client *http.Client, url, token string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "corimport-bench")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK
}

// profile runs an import of file (or of a generated file of rows records)
// through importer.Run in this process, as "corimport run" does, with the
// CPU profiler on. A dry run sends nothing. Otherwise the workers send to
// the stand-in at url, or to one in this process when url is empty. That
// stand-in's samples are then under net/http.(*conn).serve.
func profile(ctx context.Context, send bool, url, file string, rows, workers int,
	cpuFile, memFile string, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "corimport-profile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if file == "" {
		file = filepath.Join(dir, "input.csv")
		if err := writeInput(file, rows); err != nil {
			return err
		}
	}
	cfg := importer.Config{Inputs: []string{file}, Source: "SALESFORCE", DryRun: !send, Workers: workers}
	if send && url == "" {
		sb, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			return err
		}
		defer sb.Close()
		url = sb.URL
	}
	if send {
		cfg.Sender, err = newSender(ctx, url, workers)
		if err != nil {
			return err
		}
	}

	prof, err := os.Create(cpuFile)
	if err != nil {
		return err
	}
	defer prof.Close()
	if err := pprof.StartCPUProfile(prof); err != nil {
		return err
	}
	start := time.Now()
	counts, runErr := runImport(ctx, cfg, filepath.Join(dir, "report"))
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	if runErr != nil {
		return runErr
	}
	if memFile != "" {
		if err := writeHeapProfile(memFile); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "%d records (%d valid, %d created) in %v; CPU profile in %s\n",
		counts.Read, counts.Valid, counts.Created, elapsed.Round(time.Millisecond), cpuFile)
	return err
}

// newSender returns a sender to the stand-in at url that paces nothing,
// with corimport's defaults otherwise.
func newSender(ctx context.Context, url string, workers int) (*importer.Sender, error) {
	api := corapi.Config{APIURL: url, AuthURL: url + "/v1/oauth/token", MaxConns: workers,
		UserAgent: "corimport-bench"}
	tokens := corapi.NewTokenSource(api, corapi.Credentials{APIKey: "sandbox", ClientSecret: "sandbox"})
	if _, err := tokens.Token(ctx); err != nil {
		return nil, err
	}
	return &importer.Sender{
		API:     corapi.New(api, tokens),
		Pacer:   importer.NewPacer(0, 1),
		Backoff: importer.Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second},
		Retries: 5,
	}, nil
}

// runImport runs cfg with a new report folder as its sink (and, when it
// sends, its ledger), as "corimport run" does, and closes the report.
func runImport(ctx context.Context, cfg importer.Config, reportDir string) (report.Counts, error) {
	w, err := report.Open(reportDir, report.Options{Mode: report.New, Inputs: cfg.Inputs})
	if err != nil {
		return report.Counts{}, err
	}
	cfg.Sink = w
	if !cfg.DryRun {
		cfg.Ledger = w
	}
	_, runErr := importer.Run(ctx, cfg)
	closeErr := w.Close(0, cfg.DryRun)
	if err := errors.Join(runErr, closeErr); err != nil {
		return report.Counts{}, err
	}
	return w.Counts(), nil
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
