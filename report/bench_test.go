package report

import (
	"bufio"
	"io"
	"testing"

	"github.com/gocarina/gocsv"
)

func benchOutcome() *Outcome {
	return &Outcome{File: "samples/salesforce-accounts.csv", Line: 12345, ExternalID: "001A000001",
		Name: "Acme Widgets, Inc.", Status: Created, CORID: 4242, HTTPStatus: 201, Attempts: 1,
		Hash: 0x1234abcd5678ef90}
}

// BenchmarkWrite measures one results row through Write, with flushes to
// a real file.
func BenchmarkWrite(b *testing.B) {
	w, err := Open(b.TempDir(), Options{Mode: New, Inputs: []string{"samples/salesforce-accounts.csv"}})
	if err != nil {
		b.Fatal(err)
	}
	o := benchOutcome()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.Line = i + 2
		if err := w.Write(o); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := w.Close(0, false); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWriteRejected measures an invalid CSV record, which also goes
// to the journal.
func BenchmarkWriteRejected(b *testing.B) {
	w, err := Open(b.TempDir(), Options{Mode: New})
	if err != nil {
		b.Fatal(err)
	}
	o := benchOutcome()
	o.Status, o.Message = Invalid, `field "email": not an e-mail address`
	o.Header = []string{"Id", "Name", "Email", "Phone"}
	o.Fields = []string{"001A000001", "Acme Widgets, Inc.", "acme@", "+1 555 0100"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.Line = i + 2
		if err := w.Write(o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGocsv encodes the same row with gocsv, for comparison
// with BenchmarkWrite.
func BenchmarkEncodeGocsv(b *testing.B) {
	o := benchOutcome()
	rows := []Row{{File: o.File, Line: o.Line, ExternalID: o.ExternalID, Name: o.Name,
		Status: o.Status, CORID: o.CORID, HTTPStatus: o.HTTPStatus, Attempts: o.Attempts,
		Hash: RecordHash(o.Hash)}}
	bw := bufio.NewWriter(io.Discard)
	out := gocsv.DefaultCSVWriter(bw)
	b.ReportAllocs()
	for b.Loop() {
		if err := gocsv.MarshalCSVWithoutHeaders(rows, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadResults measures reading results.csv back, as a resume
// does.
func BenchmarkReadResults(b *testing.B) {
	data := []byte(resultsHeader)
	o := benchOutcome()
	for i := range 1000 {
		o.Line = i + 2
		data = appendResultsRow(data, o)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		err := ReadResults(bytesReader(data), func(*Row) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
