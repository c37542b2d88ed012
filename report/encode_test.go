package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gocarina/gocsv"
)

func TestAppendCellNeutralises(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "Acme", "Acme"},
		{"empty", "", ""},
		{"equals", "=1+2", "'=1+2"},
		{"plus", "+44 20 7946 0000", "'+44 20 7946 0000"},
		{"minus", "-5", "'-5"},
		{"lone equals", "=", "="},
		{"lone plus", "+", "+"},
		{"lone minus", "-", "-"},
		{"lone at", "@", "@"},
		{"lone tab", "\t", "\t"},
		{"lone carriage return", "\r", "\"\r\""},
		{"lone quote", "'", "''"},
		{"two minus", "--", "'--"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"carriage return", "\rx", "\"'\rx\""},
		{"quote first", "'s-Hertogenbosch", "''s-Hertogenbosch"},
		{"trigger later", "a=b", "a=b"},
		{"quoted with trigger", "=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
		{"comma", "Acme, Inc.", "\"Acme, Inc.\""},
		{"newline", "two\nlines", "\"two\nlines\""},
		{"leading space", " =1", " =1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendCell(nil, tt.in, true))
			if got != tt.want {
				t.Errorf("appendCell(%q, safe) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendCellVerbatim(t *testing.T) {
	for _, in := range []string{"=1+2", "-5", "@x", "'q"} {
		if got := string(appendCell(nil, in, false)); got != in {
			t.Errorf("appendCell(%q, verbatim) = %q, want %q", in, got, in)
		}
	}
}

func TestResultsRowFormat(t *testing.T) {
	tests := []struct {
		name string
		o    Outcome
		want string
	}{
		{
			name: "created",
			o: Outcome{File: "accounts.csv", Line: 2, ExternalID: "S-1", Name: "Acme",
				Status: Created, CORID: 987, HTTPStatus: 201, Attempts: 1, Hash: 0xab},
			want: "accounts.csv,2,S-1,Acme,created,987,201,,,1,00000000000000ab\n",
		},
		{
			name: "invalid with zeros left empty",
			o: Outcome{File: "a.csv", Line: 3, ExternalID: "", Name: "Acme, Inc.",
				Status: Invalid, ErrorCode: "ValidationError", Message: `field "id": missing`,
				Hash: 0xffffffffffffffff},
			want: "a.csv,3,,\"Acme, Inc.\",invalid,,,ValidationError," +
				"\"field \"\"id\"\": missing\",0,ffffffffffffffff\n",
		},
		{
			name: "formula cells neutralised",
			o: Outcome{File: "-", Line: 4, ExternalID: "=cmd", Name: "@evil", Status: Failed,
				Message: "-1 attempts", Attempts: 5},
			want: "-,4,'=cmd,'@evil,failed,,,,'-1 attempts,5,0000000000000000\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendResultsRow(nil, &tt.o))
			if got != tt.want {
				t.Errorf("appendResultsRow() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadResultsRoundTrip(t *testing.T) {
	in := []Outcome{
		{File: "-", Line: 2, ExternalID: "=1", Name: "'t Hoekje", Status: Created, CORID: 7,
			HTTPStatus: 201, Attempts: 1, Hash: 42},
		{File: "'", Line: 4, ExternalID: "@", Name: "=", ErrorCode: "+", Message: "''",
			Status: Invalid, Hash: 3},
		{File: "b.csv", Line: 3, ExternalID: "x\r\ny", Name: "\tTab", Status: Failed,
			ErrorCode: "E", Message: "a \"quoted\" reason", Attempts: 5, Hash: 1 << 63},
	}
	data := []byte(resultsHeader)
	for i := range in {
		data = appendResultsRow(data, &in[i])
	}

	var got []Row
	err := ReadResults(bytes.NewReader(data), func(r *Row) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadResults() error = %v", err)
	}
	if len(got) != len(in) {
		t.Fatalf("ReadResults() rows = %d, want %d", len(got), len(in))
	}
	for i, o := range in {
		want := Row{File: o.File, Line: o.Line, ExternalID: o.ExternalID, Name: o.Name,
			Status: o.Status, CORID: o.CORID, HTTPStatus: o.HTTPStatus, ErrorCode: o.ErrorCode,
			Message: o.Message, Attempts: o.Attempts, Hash: RecordHash(o.Hash)}
		if got[i] != want {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want)
		}
	}
}

// TestResultsReadableByGocsv checks that results.csv is plain CSV that
// gocsv decodes into Row by its tags. gocsv keeps the formula prefix.
func TestResultsReadableByGocsv(t *testing.T) {
	o := Outcome{File: "a.csv", Line: 2, ExternalID: "-7", Name: "Acme, Inc.", Status: Created,
		CORID: 12, HTTPStatus: 201, Attempts: 1, Hash: 0xdeadbeef}
	data := appendResultsRow([]byte(resultsHeader), &o)

	var rows []Row
	if err := gocsv.UnmarshalBytes(data, &rows); err != nil {
		t.Fatalf("gocsv.UnmarshalBytes() error = %v", err)
	}
	want := Row{File: "a.csv", Line: 2, ExternalID: "'-7", Name: "Acme, Inc.", Status: Created,
		CORID: 12, HTTPStatus: 201, Attempts: 1, Hash: 0xdeadbeef}
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("gocsv.UnmarshalBytes() = %+v, want [%+v]", rows, want)
	}
}

func TestReadResultsDamage(t *testing.T) {
	row := "a.csv,2,S-1,Acme,created,1,201,,,1,00000000000000ab\n"
	tests := []struct {
		name     string
		data     string
		rows     int
		wantErr  bool
		errMatch string
	}{
		{"empty file", "", 0, false, ""},
		{"header only", resultsHeader, 0, false, ""},
		{"header cut short", resultsHeader[:10], 0, false, ""},
		{"torn in hash", resultsHeader + row + row[:len(row)-5], 1, false, ""},
		{"torn in quoted cell", resultsHeader + row + "a.csv,3,X,\"Acme\nInc", 1, false, ""},
		{"last row without newline", resultsHeader + row + strings.TrimSuffix(row, "\n"), 2, false, ""},
		{"foreign header", "id,name\n1,x\n", 0, true, "not a results file"},
		{"damaged middle row", resultsHeader + "a.csv,2,x\n" + row, 0, true, "line 2"},
		{"unknown status", resultsHeader + strings.Replace(row, "created", "done", 1), 0, true,
			"unknown status"},
		{"bad line number", resultsHeader + strings.Replace(row, ",2,", ",two,", 1), 0, true,
			"column line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := ReadResults(strings.NewReader(tt.data), func(*Row) error { n++; return nil })
			if (err != nil) != tt.wantErr {
				t.Fatalf("ReadResults() error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.errMatch) {
				t.Errorf("ReadResults() error = %q, want it to contain %q", err, tt.errMatch)
			}
			if !tt.wantErr && n != tt.rows {
				t.Errorf("ReadResults() rows = %d, want %d", n, tt.rows)
			}
		})
	}
}

func FuzzReadResults(f *testing.F) {
	f.Add([]byte(resultsHeader + "a.csv,2,S-1,Acme,created,1,201,,,1,00000000000000ab\n"))
	f.Add([]byte(resultsHeader + "\"a\"\"b\",2,\"x\ny\",,failed,,,,,0,0000000000000000"))
	f.Add([]byte(resultsHeader[:20]))
	f.Add([]byte("\"\n\"\"\n,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// every row read back must survive writing and reading again
		_ = ReadResults(bytes.NewReader(data), func(r *Row) error {
			o := Outcome{File: r.File, Line: r.Line, ExternalID: r.ExternalID, Name: r.Name,
				Status: r.Status, CORID: r.CORID, HTTPStatus: r.HTTPStatus,
				ErrorCode: r.ErrorCode, Message: r.Message, Attempts: r.Attempts,
				Hash: uint64(r.Hash)}
			again := appendResultsRow([]byte(resultsHeader), &o)
			var back []Row
			err := ReadResults(bytes.NewReader(again), func(b *Row) error {
				back = append(back, *b)
				return nil
			})
			if err != nil || len(back) != 1 || back[0] != *r {
				t.Errorf("row %+v read back as %+v, error %v", *r, back, err)
			}
			return nil
		})
	})
}

// TestReadResultsKeepsQuotedLoneChar reads a lone trigger character that
// an older version of this package prefixed: one quote is still removed.
func TestReadResultsKeepsQuotedLoneChar(t *testing.T) {
	data := resultsHeader + "'-,2,'@,'=,created,1,201,,,1,0000000000000001\n"
	var got []Row
	err := ReadResults(strings.NewReader(data), func(r *Row) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadResults() error = %v", err)
	}
	want := Row{File: "-", Line: 2, ExternalID: "@", Name: "=", Status: Created, CORID: 1,
		HTTPStatus: 201, Attempts: 1, Hash: 1}
	if len(got) != 1 || got[0] != want {
		t.Errorf("ReadResults() = %+v, want [%+v]", got, want)
	}
}
