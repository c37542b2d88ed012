package mapping

import (
	"encoding/binary"
	"testing"

	"github.com/corimport/corimport/importer/input"
)

var benchHeader = []string{
	"Account ID", "Account Name", "Email", "Phone", "Website",
	"Description", "Billing City", "Billing State", "Industry", "Owner",
}

func benchRecord() *input.Record {
	return csvRecord("001x0000002xLCVAA2", "Gravity Investments ", "ops@gravity.example.com",
		"(415) 901-7000", "http://www.gravity.example.com", "Long-standing client, renewed in 2024",
		"FORT COLLINS", "CO", "Finance", "005x0000000fNSiAAM")
}

func benchMapper(b *testing.B) *Mapper {
	s, _ := Infer(benchHeader)
	m, err := Compile(s, benchHeader, "SALESFORCE")
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkMap(b *testing.B) {
	m, r := benchMapper(b), benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Map(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	c, err := benchMapper(b).Map(benchRecord())
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendJSON(buf[:0])
	}
}

// BenchmarkMapAndEncode is the per-record cost of the mapping step of a
// run: map, validate and encode the body into a reused buffer.
func BenchmarkMapAndEncode(b *testing.B) {
	m, r := benchMapper(b), benchRecord()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		c, err := m.Map(r)
		if err != nil {
			b.Fatal(err)
		}
		buf = c.AppendJSON(buf[:0])
	}
}

func BenchmarkMapHashID(b *testing.B) {
	s, _ := Infer(benchHeader)
	s.Fields["id"] = &Rule{Hash: []Ref{{Name: "Account Name"}, {Name: "Billing City"}, {Name: "Phone"}}}
	m, err := Compile(s, benchHeader, "SALESFORCE")
	if err != nil {
		b.Fatal(err)
	}
	r := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Map(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordHash compares RecordHash on a 10-field record of 181
// bytes with the FNV-1a hash it replaced.
func BenchmarkRecordHash(b *testing.B) {
	r := benchRecord()
	for _, bm := range []struct {
		name string
		hash func(*input.Record) uint64
	}{
		{"8-bytes", RecordHash},
		{"fnv1a", fnvRecordHash},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.hash(r)
			}
		})
	}
}

// fnvRecordHash is the FNV-1a 64 RecordHash that the 8-byte hash
// replaced, kept as the baseline of BenchmarkRecordHash.
func fnvRecordHash(r *input.Record) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	if r.Fields == nil {
		for _, b := range r.Text {
			h = (h ^ uint64(b)) * prime
		}
		return h
	}
	var n [8]byte
	for _, f := range r.Fields {
		binary.LittleEndian.PutUint64(n[:], uint64(len(f)))
		for _, b := range n {
			h = (h ^ uint64(b)) * prime
		}
		for i := 0; i < len(f); i++ {
			h = (h ^ uint64(f[i])) * prime
		}
	}
	return h
}
