package mapping

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/input"
)

// referenceHash computes RecordHash as its documentation describes it:
// it writes the padded words out as bytes first, then runs the rounds.
func referenceHash(r *input.Record) uint64 {
	var stream []byte
	add := func(b []byte) {
		stream = binary.LittleEndian.AppendUint64(stream, uint64(len(b)))
		stream = append(stream, b...)
		for len(stream)%8 != 0 {
			stream = append(stream, 0)
		}
	}
	if r.Fields == nil {
		add(r.Text)
	}
	for _, f := range r.Fields {
		add([]byte(f))
	}

	h := uint64(0x27D4EB2F165667C5)
	for i := 0; i < len(stream); i += 8 {
		w := binary.LittleEndian.Uint64(stream[i:])
		h = bits.RotateLeft64(h+w*0xC2B2AE3D27D4EB4F, 31) * 0x9E3779B185EBCA87
	}
	h ^= h >> 33
	h *= 0xC2B2AE3D27D4EB4F
	h ^= h >> 29
	h *= 0x165667B19E3779F9
	return h ^ h>>32
}

type hashCase struct {
	name   string
	fields []string
	text   string // for a record without fields
}

func (tc hashCase) record() *input.Record {
	if tc.fields == nil {
		return &input.Record{File: "a.jsonl", Line: 3, Text: []byte(tc.text)}
	}
	return &input.Record{File: "a.csv", Line: 2, Fields: tc.fields}
}

var hashCases = []hashCase{
	{name: "no fields", fields: []string{}},
	{name: "one empty field", fields: []string{""}},
	{name: "two empty fields", fields: []string{"", ""}},
	{name: "empty field first", fields: []string{"", "x"}},
	{name: "one field x", fields: []string{"x"}},
	{name: "ab c", fields: []string{"ab", "c"}},
	{name: "a bc", fields: []string{"a", "bc"}},
	{name: "abc", fields: []string{"abc"}},
	{name: "seven bytes", fields: []string{"1234567"}},
	{name: "eight bytes", fields: []string{"12345678"}},
	{name: "nine bytes", fields: []string{"123456789"}},
	{name: "zero byte at end", fields: []string{"1234567\x00"}},
	{name: "non-ASCII", fields: []string{"Müller", "株式会社"}},
	{name: "long field", fields: []string{strings.Repeat("abcdefghij", 30)}},
	{name: "empty text", text: ""},
	{name: "JSON text", text: `{"id":"1"}`},
}

func TestRecordHash(t *testing.T) {
	// A Text hashes as one field of the same bytes, so the cases are
	// distinct only within each kind.
	seen := map[bool]map[uint64]string{false: {}, true: {}}
	for _, tc := range hashCases {
		t.Run(tc.name, func(t *testing.T) {
			got := RecordHash(tc.record())
			if want := referenceHash(tc.record()); got != want {
				t.Errorf("RecordHash(%s) = %#x, want %#x", tc.name, got, want)
			}
			kind := seen[tc.fields == nil]
			if other, ok := kind[got]; ok {
				t.Errorf("RecordHash(%s) = RecordHash(%s) = %#x, want them to differ",
					tc.name, other, got)
			}
			kind[got] = tc.name
		})
	}
}

func TestRecordHashIgnoresPosition(t *testing.T) {
	a := &input.Record{File: "a.csv", Line: 2, Seq: 1, Fields: []string{"ab", "c"}}
	b := &input.Record{File: "other.csv", Line: 40, Seq: 7, Fields: []string{"ab", "c"}}
	if RecordHash(a) != RecordHash(b) {
		t.Errorf("RecordHash differs for equal fields in other files and lines")
	}
}

// TestRecordHashPinned pins values, because results.csv stores the hash
// and a resumed run must compute the same one.
func TestRecordHashPinned(t *testing.T) {
	tests := []struct {
		record *input.Record
		want   uint64
	}{
		{&input.Record{Fields: []string{"ab", "c"}}, 0x9ec48973e0317b69},
		{&input.Record{Text: []byte(`{"id":"1"}`)}, 0xc7877f7147285543},
	}
	for _, tt := range tests {
		if got := RecordHash(tt.record); got != tt.want {
			t.Errorf("RecordHash(%q %s) = %#x, want %#x", tt.record.Fields, tt.record.Text,
				got, tt.want)
		}
	}
}

// FuzzRecordHash checks RecordHash against referenceHash.
func FuzzRecordHash(f *testing.F) {
	f.Add("ab", "c", false)
	f.Add("", "1234567890abcdefg", false)
	f.Add(`{"id":"1"}`, "", true)
	f.Fuzz(func(t *testing.T, a, b string, text bool) {
		r := &input.Record{Fields: []string{a, b}}
		if text {
			r = &input.Record{Text: []byte(a + b)}
		}
		if got, want := RecordHash(r), referenceHash(r); got != want {
			t.Fatalf("RecordHash(%q %q) = %#x, want %#x", r.Fields, r.Text, got, want)
		}
	})
}

func TestFNVRecordHashBaseline(t *testing.T) {
	// The value of the FNV-1a RecordHash before it was replaced.
	r := &input.Record{Fields: []string{"ab", "c"}}
	if got, want := fnvRecordHash(r), uint64(0x7e60470bf599cad6); got != want {
		t.Errorf("fnvRecordHash([ab c]) = %#x, want %#x", got, want)
	}
}
