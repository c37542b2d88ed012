package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// createBody returns a typical create body for external id n.
func createBody(n int64) []byte {
	b := []byte(`{"metadata":{"source":"SALESFORCE"},"id":"001A`)
	b = strconv.AppendInt(b, n, 10)
	return append(b, `","name":"Acme Widgets Ltd","email_contact":"ops@acme.example",`+
		`"phone":"+1 555 0100","website":"https://acme.example"}`...)
}

// BenchmarkCreate measures creates per second over loopback HTTP with
// keep-alive connections, with client and server sharing the machine as
// they do in the importer's end-to-end runs.
func BenchmarkCreate(b *testing.B) {
	for _, parallel := range []int{1, 4, 16} {
		name := "goroutines=" + strconv.Itoa(parallel*runtime.GOMAXPROCS(0))
		b.Run(name, func(b *testing.B) {
			benchmarkCreateHTTP(b, parallel)
		})
	}
}

func benchmarkCreateHTTP(b *testing.B, parallel int) {
	run, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer run.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 1024,
		MaxConnsPerHost:     0,
	}}
	defer client.CloseIdleConnections()
	token := fetchToken(b, client, run.URL)
	url := run.URL + clientsPath

	var next atomic.Int64
	var failed atomic.Int64
	b.SetParallelism(parallel)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url,
				bytes.NewReader(createBody(next.Add(1))))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failed.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d creates failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "creates/s")
}

func fetchToken(tb testing.TB, client *http.Client, base string) string {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost,
		base+"/v1/oauth/token?grant_type=client_credentials", nil)
	req.SetBasicAuth(DefaultAPIKey, DefaultClientSecret)
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decodeJSON(tb, resp.Body, &tok)
	return tok.AccessToken
}

// BenchmarkHandlerCreate measures the handler alone: no network, no
// request parsing, and a ResponseWriter that discards the response.
func BenchmarkHandlerCreate(b *testing.B) {
	s := New(Options{})
	p, _ := s.issue(time.Now(), "")
	header := http.Header{
		"Content-Type":  {"application/json"},
		"Authorization": {"Bearer " + p.access},
	}
	target, _ := url.Parse(clientsPath)
	w := &discardWriter{header: http.Header{}}
	var n int64
	b.ReportAllocs()
	for b.Loop() {
		n++
		body := createBody(n)
		req := &http.Request{
			Method:        http.MethodPost,
			URL:           target,
			Header:        header,
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
		}
		clear(w.header)
		s.ServeHTTP(w, req)
		if w.status != http.StatusCreated {
			b.Fatalf("create = %d, want 201", w.status)
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
