package input

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// realdata is the folder of real files written by others, shared next to
// the repository and never copied into it.
const realdata = "../../../shared/realdata"

// skipWithoutRealdata skips the test when path is missing.
func skipWithoutRealdata(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository, "+
			"in shared/realdata): %v", path, err)
	}
}

// TestCSVSpectrum runs the csv-spectrum conformance suite: each
// csvs/NAME.csv, with its first line as the header, must read as the
// array of objects in json/NAME.json.
func TestCSVSpectrum(t *testing.T) {
	dir := filepath.Join(realdata, "csv-spectrum")
	skipWithoutRealdata(t, dir)
	files, err := filepath.Glob(filepath.Join(dir, "csvs", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no csv files in %s: %v", dir, err)
	}

	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			var expected []map[string]string
			data, err := os.ReadFile(filepath.Join(dir, "json", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &expected); err != nil {
				t.Fatalf("parse %s.json: %v", name, err)
			}

			// The *_crlf cases use CRLF throughout upstream, and their
			// expected JSON keeps the CR; a copy without CRs gets them back.
			csv, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, "_crlf") && !bytes.Contains(csv, []byte("\r")) {
				t.Logf("%s.csv has no CR; reading it with LF turned into CRLF", name)
				csv = bytes.ReplaceAll(csv, []byte("\n"), []byte("\r\n"))
				path = writeTemp(t, name+".csv", csv)
			}

			res := readFile(t, path, Options{})
			var got []map[string]string
			for _, rec := range res.recs {
				if rec.Err != nil || rec.Blank {
					t.Fatalf("line %d: Err = %v, Blank = %v, want a valid record", rec.Line,
						rec.Err, rec.Blank)
				}
				row := map[string]string{}
				for i, h := range res.header {
					row[h] = rec.Fields[i]
				}
				got = append(got, row)
			}
			if !reflect.DeepEqual(got, expected) {
				t.Errorf("read %q, want %q", got, expected)
			}
		})
	}
}

// TestSalesforceDataLoader reads a real Data Loader account export, which
// is Windows-1252 without saying so.
func TestSalesforceDataLoader(t *testing.T) {
	path := filepath.Join(realdata, "salesforce-dataloader-accountData.csv")
	skipWithoutRealdata(t, path)

	res := readFile(t, path, Options{})
	if res.info.Encoding != "windows-1252" || !res.info.Guessed {
		t.Errorf("Info() encoding = %q guessed %v, want windows-1252 guessed",
			res.info.Encoding, res.info.Guessed)
	}
	if !hasWarning(res.info.Warnings, "read as windows-1252") {
		t.Errorf("Info().Warnings = %q, want the windows-1252 warning", res.info.Warnings)
	}
	if len(res.header) != 38 || res.header[0] != "ID" {
		t.Errorf("Header() = %q, want 38 columns starting with ID", res.header)
	}
	if len(res.recs) != 423 {
		t.Fatalf("read %d records, want 423", len(res.recs))
	}

	name := -1
	for i, h := range res.header {
		if h == "NAME" {
			name = i
		}
	}
	found := map[string]bool{}
	for _, rec := range res.recs {
		if rec.Err != nil || rec.Blank {
			t.Fatalf("line %d: Err = %v, Blank = %v, want a valid record", rec.Line, rec.Err,
				rec.Blank)
		}
		found[rec.Fields[name]] = true
	}
	for _, n := range []string{"Crédito Inmobiliario Terras", "Pébéo of America"} {
		if !found[n] {
			t.Errorf("no record has NAME %q", n)
		}
	}
}
