package input

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// addSeeds adds the testdata files and a few hand-written inputs.
func addSeeds(f *testing.F, pattern string, extra ...string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// readAllFuzz reads every record of data, checking what must hold for any
// input: no panic, an end, Seq counting from 1, lines that never go back,
// typed errors, and valid records that are usable.
func readAllFuzz(t *testing.T, data []byte, format string, strict bool) (Reader, []*Record) {
	opts := Options{Format: format, MaxRecordBytes: 64}
	if err := opts.normalize(); err != nil {
		t.Fatal(err)
	}
	r, err := newReader("fuzz", bytes.NewReader(data), format, opts)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("newReader error = %v (%T), want a *FileError", err, err)
		}
		return nil, nil
	}

	var recs []*Record
	limit := 2*len(data) + 2
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Next() error = %v (%T), want a *FileError", err, err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("Next() after %v = %v, want the same error", err, again)
			}
			break
		}
		recs = append(recs, rec)
		if len(recs) > limit {
			t.Fatalf("read more than %d records from %d bytes", limit, len(data))
		}
		checkFuzzRecord(t, r, recs, strict)
	}
	return r, recs
}

func checkFuzzRecord(t *testing.T, r Reader, recs []*Record, strict bool) {
	n := len(recs)
	rec := recs[n-1]
	if rec.Seq != n {
		t.Fatalf("record %d: Seq = %d", n, rec.Seq)
	}
	if rec.Line < 1 {
		t.Fatalf("record %d: Line = %d", n, rec.Line)
	}
	if n > 1 {
		prev := recs[n-2].Line
		if rec.Line < prev || strict && rec.Line == prev {
			t.Fatalf("record %d: Line = %d after %d", n, rec.Line, prev)
		}
	}
	if rec.Err != nil {
		var re *RecordError
		if !errors.As(rec.Err, &re) || re.Line != rec.Line {
			t.Fatalf("record %d: Err = %v, want a *RecordError on line %d", n, rec.Err, rec.Line)
		}
		return
	}
	if rec.Blank {
		return
	}
	if rec.Object == nil && len(rec.Fields) != len(r.Header()) {
		t.Fatalf("record %d: %d fields, header %d", n, len(rec.Fields), len(r.Header()))
	}
	for _, f := range rec.Fields {
		if !utf8.ValidString(f) || strings.ContainsAny(f, "\x00\uFFFD") {
			t.Fatalf("record %d: valid record with field %q", n, f)
		}
	}
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "*.csv*",
		"id,name\n1,\"a\"\"b\"\n2,\"x\ny\"\n",
		"id,name\n1,\"open\n2,b\n3,\"c\" d\n",
		"id;name\r1;a\r\r2;\"b\rc\"",
		"a\tb\n1\t2\t\t\n\n",
		"id,name\n1,Jos\xe9\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, recs := readAllFuzz(t, data, "csv", true)
		if r != nil {
			compareWithStdlib(t, data, r, recs)
		}
	})
}

// compareWithStdlib checks plain inputs against encoding/csv: when it reads
// the whole input, the records must agree. Inputs where the two are meant
// to differ are left out: CRs (kept in quoted fields here), blanks next to
// quotes (allowed here), non-UTF-8, NUL and U+FFFD (invalid here), and
// white space only lines (skipped by encoding/csv).
func compareWithStdlib(t *testing.T, data []byte, r Reader, recs []*Record) {
	if r.Info().Delimiter != ',' || !utf8.Valid(data) || len(data) > 60 ||
		bytes.ContainsAny(data, "\r\x00\uFFFD\uFEFF") ||
		bytes.Contains(data, []byte(` "`)) || bytes.Contains(data, []byte(`" `)) ||
		bytes.Contains(data, []byte("\t\"")) || bytes.Contains(data, []byte("\"\t")) {
		return
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) > 0 && len(bytes.TrimSpace(line)) == 0 {
			return
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	want, err := cr.ReadAll()
	if err != nil || len(want) == 0 {
		return
	}

	header := r.Header()
	var got []*Record
	for _, rec := range recs {
		if rec.Fields != nil || !rec.Blank {
			got = append(got, rec)
		}
	}
	if len(got) != len(want)-1 {
		t.Fatalf("read %d records, encoding/csv %d", len(got), len(want)-1)
	}
	for i, rec := range got {
		w := want[i+1]
		if rec.Err != nil {
			if len(w) == len(header) {
				t.Fatalf("record %d: Err = %v, encoding/csv read %q", i+1, rec.Err, w)
			}
			continue
		}
		if rec.Blank != allBlank(w) {
			t.Fatalf("record %d: Blank = %v, encoding/csv read %q", i+1, rec.Blank, w)
		}
		if !rec.Blank && !slices.Equal(rec.Fields, w[:len(rec.Fields)]) {
			t.Fatalf("record %d: Fields = %q, encoding/csv read %q", i+1, rec.Fields, w)
		}
	}
}

func FuzzJSONL(f *testing.F) {
	addSeeds(f, "*.json*",
		"{\"a\":\"1\"}\n\n{\"a\":2}\r\n[1]\n{\"a\":",
		"[{\"a\":1},\n{\"b\":{\"c\":null}}]",
		"{\"a\":\"\\u0000\"}\r{\"a\":\"\xe9\"}",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, recs := readAllFuzz(t, data, "jsonl", false)
		if r == nil || r.Info().Format != "jsonl" {
			return
		}
		// One record per physical line.
		for i := 1; i < len(recs); i++ {
			if recs[i].Line <= recs[i-1].Line {
				t.Fatalf("record %d: Line = %d after %d", i+1, recs[i].Line, recs[i-1].Line)
			}
		}
		checkHeaderUnion(t, r.Header(), recs)
	})
}

// checkHeaderUnion checks that every key of the objects in the look-ahead
// window is in the header, up to ASCII case. Fuzz inputs stay below the
// byte limit of the window.
func checkHeaderUnion(t *testing.T, header []string, recs []*Record) {
	for _, rec := range recs[:min(len(recs), headerLookahead)] {
		if rec.Object == nil {
			continue
		}
		for _, k := range flattenKeys(rec.Text) {
			if !slices.ContainsFunc(header, func(h string) bool { return asciiEqualFold(h, k) }) {
				t.Fatalf("line %d: key %q is not in Header() = %q", rec.Line, k, header)
			}
		}
	}
}
