package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/corimport/corimport/importer"
	"github.com/corimport/corimport/importer/corapi"
	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
	"github.com/corimport/corimport/report"
)

// These benchmarks split the cost of one record: the per-record path
// (decode, map with validation, hash, encode) and the whole pipeline of
// Run around it, without HTTP. cmd/corimport-bench measures the binary.

const benchHeader = "id,name,email,phone,website,description\n"

// benchRows returns n CSV rows with the columns of benchHeader, varied
// the way exports are: some quoted descriptions with commas, some empty.
func benchRows(n int) []byte {
	descriptions := []string{
		"Key account in Denver, renewed in 2019.",
		`Prospect from the 2021 trade fair, asked for a "premium" plan`,
		"",
		"Regional distributor; billing contact changed in 2023",
	}
	var b bytes.Buffer
	for i := range n {
		domain := fmt.Sprintf("gravity-analytics-%d.example.com", i)
		d := descriptions[i%len(descriptions)]
		if bytes.ContainsAny([]byte(d), ",\"") {
			d = `"` + string(bytes.ReplaceAll([]byte(d), []byte(`"`), []byte(`""`))) + `"`
		}
		fmt.Fprintf(&b, "ACC-%08d,Gravity Analytics %d LLC,billing@%s,+1 415 555 %04d,https://www.%s,%s\n",
			i+1, i%97, domain, i%10000, domain, d)
	}
	return b.Bytes()
}

// repeatReader returns the header once and then rows over and over, so
// that a benchmark can read as many records as it needs.
type repeatReader struct {
	header []byte
	rows   []byte
	off    int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if len(r.header) > 0 {
		n := copy(p, r.header)
		r.header = r.header[n:]
		return n, nil
	}
	n := copy(p, r.rows[r.off:])
	r.off = (r.off + n) % len(r.rows)
	return n, nil
}

// openRepeating opens an endless CSV input and compiles its inferred
// mapping.
func openRepeating(b *testing.B) (input.Reader, *mapping.Mapper) {
	b.Helper()
	src := &repeatReader{header: []byte(benchHeader), rows: benchRows(1000)}
	rd, err := input.Open("-", src, input.Options{Format: "csv"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rd.Close() })
	spec, _ := mapping.Infer(rd.Header())
	m, err := mapping.Compile(spec, rd.Header(), "SALESFORCE")
	if err != nil {
		b.Fatal(err)
	}
	return rd, m
}

// BenchmarkRecordPath measures one record through the steps that Run's
// reader goroutine takes for it, each sub-benchmark adding one: decode
// the CSV record, then map it to a client (which validates every field),
// then hash the record for the ledger and encode the request body.
func BenchmarkRecordPath(b *testing.B) {
	b.Run("decode", func(b *testing.B) {
		rd, _ := openRepeating(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rd.Next(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-map", func(b *testing.B) {
		rd, m := openRepeating(b)
		b.ReportAllocs()
		for b.Loop() {
			rec, err := rd.Next()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Map(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-map-hash-encode", func(b *testing.B) {
		rd, m := openRepeating(b)
		buf := make([]byte, 0, 1024)
		var sum uint64
		b.ReportAllocs()
		for b.Loop() {
			rec, err := rd.Next()
			if err != nil {
				b.Fatal(err)
			}
			sum += mapping.RecordHash(rec)
			c, err := m.Map(rec)
			if err != nil {
				b.Fatal(err)
			}
			buf = c.AppendJSON(buf[:0])
		}
		runtime.KeepAlive(sum)
	})
}

// discardSink drops outcomes, so that the pipeline is measured without
// the report's files.
type discardSink struct{ written atomic.Int64 }

func (d *discardSink) Write(*report.Outcome) error { d.written.Add(1); return nil }

func (d *discardSink) Flush() error { return nil }

// instantAPI creates every client at once, without HTTP.
type instantAPI struct{ next atomic.Int64 }

func (a *instantAPI) CreateClient(context.Context, []byte) (corapi.Created, error) {
	return corapi.Created{ID: a.next.Add(1)}, nil
}

func (a *instantAPI) UpdateClient(context.Context, string, []byte) (corapi.Created, error) {
	return corapi.Created{ID: a.next.Add(1)}, nil
}

// benchRecords is the size of the file that the Run benchmarks import.
const benchRecords = 20_000

func writeBenchFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "clients.csv")
	data := append([]byte(benchHeader), benchRows(benchRecords)...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchmarkRun runs cfg, with a discarding sink, once per iteration and
// reports the time and allocations per record.
func benchmarkRun(b *testing.B, cfg importer.Config) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		sink := &discardSink{}
		cfg.Sink = sink
		if _, err := importer.Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		if got := sink.written.Load(); got != benchRecords {
			b.Fatalf("Run wrote %d outcomes, want %d", got, benchRecords)
		}
	}
	runtime.ReadMemStats(&after)
	records := float64(b.N) * benchRecords
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/records, "allocs/record")
}

// BenchmarkRunDryRun is the pipeline of a dry run without the report:
// the reader goroutine's per-record path plus duplicate detection and the
// hand-offs to the writer.
func BenchmarkRunDryRun(b *testing.B) {
	benchmarkRun(b, importer.Config{
		Inputs:  []string{writeBenchFile(b)},
		Source:  "SALESFORCE",
		DryRun:  true,
		Workers: 4,
	})
}

// BenchmarkRunSend is the pipeline of a real run with an API that
// responds at once: the dry run's work plus the workers, the pacer and
// the sender, without HTTP or the report.
func BenchmarkRunSend(b *testing.B) {
	benchmarkRun(b, importer.Config{
		Inputs:  []string{writeBenchFile(b)},
		Source:  "SALESFORCE",
		Workers: 8,
		Sender: &importer.Sender{
			API:     &instantAPI{},
			Pacer:   importer.NewPacer(0, 1),
			Backoff: importer.Backoff{Base: 1, Max: 1},
		},
	})
}
