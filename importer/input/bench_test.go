package input

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"testing"
)

// benchCSV is an export-like CSV of 20,000 records: ten columns, some
// quoted with a delimiter inside, a doubled quote or a line break, and a
// few non-ASCII names.
var benchCSV = func() []byte {
	var b bytes.Buffer
	b.WriteString("Id,Name,Phone,Website,Email,Street,City,Zip,Country,Description\n")
	for i := range 20000 {
		name := fmt.Sprintf("Company %d", i)
		if i%50 == 0 {
			name = fmt.Sprintf("Société %d", i)
		}
		fmt.Fprintf(&b, "S-%07d,%s,+1 555 %07d,https://c%d.example.com,info@c%d.example.com,"+
			"\"%d Main St, Suite %d\",Springfield,%05d,US,", i, name, i, i, i, i, i%300, i%99999)
		switch i % 4 {
		case 0:
			b.WriteString("\"A \"\"quoted\"\" word\"\n")
		case 1:
			b.WriteString("\"two\nlines\"\n")
		default:
			b.WriteString("plain text description for the account\n")
		}
	}
	return b.Bytes()
}()

// BenchmarkReadCSV reads benchCSV with Open and Next, as the importer does.
func BenchmarkReadCSV(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchCSV)))
	for b.Loop() {
		r, err := Open("-", bytes.NewReader(benchCSV), Options{Format: "csv"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || rec.Err != nil {
				b.Fatalf("record %d: %v %v", n, err, rec.Err)
			}
			n++
		}
		if n != 20000 {
			b.Fatalf("read %d records, want 20000", n)
		}
	}
}

// BenchmarkReadCSVStdlib is the baseline for BenchmarkReadCSV: a bare
// encoding/csv loop over the same bytes.
func BenchmarkReadCSVStdlib(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchCSV)))
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(benchCSV))
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 20001 {
			b.Fatalf("read %d records, want 20001", n)
		}
	}
}

// BenchmarkReadJSONL reads JSON Lines made from the same records.
func BenchmarkReadJSONL(b *testing.B) {
	var data bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&data, `{"id":"S-%07d","name":"Company %d","contact":{"email":"info@c%d.example.com"},`+
			`"employees":%d}`+"\n", i, i, i, i)
	}
	b.ReportAllocs()
	b.SetBytes(int64(data.Len()))
	for b.Loop() {
		r, err := Open("-", bytes.NewReader(data.Bytes()), Options{Format: "jsonl"})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
