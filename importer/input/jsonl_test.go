package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestJSONL(t *testing.T) {
	tests := []struct {
		name     string
		file     string // testdata file; otherwise content is written to name.jsonl
		content  string
		opts     Options
		format   string
		header   []string
		records  []want
		objects  map[int]map[string]any // expected Object by record index
		encoding string
	}{
		{
			name:   "bom crlf blank lines nesting and truncation",
			file:   "testdata/clients.jsonl",
			format: "jsonl",
			header: []string{"id", "name", "contact.email"},
			records: []want{
				{line: 1},
				{line: 2, blank: true},
				{line: 3, blank: true},
				{line: 4},
				{line: 5, err: "a JSON array, not an object", text: "[1,2]"},
				{line: 6, err: "ends before the object is complete", text: `{"id":"S-3","name":`},
			},
			objects: map[int]map[string]any{
				0: {"id": "S-1", "name": "Acme", "contact": map[string]any{"email": "a@x.io"}},
				3: {"id": json.Number("9007199254740993"), "name": "Big"},
			},
		},
		{
			name:   "array across lines",
			file:   "testdata/clients.json",
			format: "json",
			header: []string{"id", "name"},
			records: []want{
				{line: 2, text: `{"id": "1", "name": "Acme"}`},
				{line: 3},
				{line: 7, err: "a JSON string, not an object", text: `"oops"`},
			},
			objects: map[int]map[string]any{1: {"id": "2", "name": "Beta"}},
		},
		{
			name: "values of every type",
			content: `{"id":"007","n":1.50,"ok":true,"none":null,"tags":["a"],` +
				`"c":{"e":"x","p":{"q":1}},"empty":{}}` + "\n",
			header:  []string{"id", "n", "ok", "none", "tags", "c.e", "c.p.q", "empty"},
			records: []want{{line: 1}},
			objects: map[int]map[string]any{0: {
				"id": "007", "n": json.Number("1.50"), "ok": true, "none": nil,
				"tags": []any{"a"}, "c": map[string]any{"e": "x", "p": map[string]any{"q": json.Number("1")}},
				"empty": map[string]any{},
			}},
		},
		{
			name:    "not objects",
			content: "{\"id\":\"1\"}\nnull\n42\n{\"id\":\"2\"} x\n{\"id\":\"3\"}{\"id\":\"4\"}\n{id:5}\n",
			records: []want{
				{line: 1},
				{line: 2, err: "a JSON null"},
				{line: 3, err: "a JSON number"},
				{line: 4, err: "unexpected text after the object"},
				{line: 5, err: "unexpected text after the object"},
				{line: 6, err: "invalid JSON: invalid character 'i'"},
			},
		},
		{
			name:    "nul and replacement characters",
			content: "{\"id\":\"1\",\"c\":{\"n\":\"a\\u0000b\"}}\n{\"id\":\"\\ufffd\"}\n{\"name\":\"ok\"}\n",
			header:  []string{"id", "c.n", "name"},
			records: []want{
				{line: 1, err: "NUL", column: "c.n"},
				{line: 2, err: "U+FFFD", column: "id"},
				{line: 3},
			},
		},
		{
			name:     "invalid utf-8 in mostly utf-8",
			content:  "{\"name\":\"Jos\xc3\xa9\"}\n{\"name\":\"Jos\xe9\"}\n",
			encoding: "utf-8",
			records:  []want{{line: 1}, {line: 2, err: "not valid UTF-8", column: "name"}},
			objects:  map[int]map[string]any{0: {"name": "José"}},
		},
		{
			name:     "windows-1252 detected",
			content:  "{\"name\":\"Cr\xe9dito \x80\"}\n",
			encoding: "windows-1252",
			records:  []want{{line: 1, text: `{"name":"Crédito €"}`}},
			objects:  map[int]map[string]any{0: {"name": "Crédito €"}},
		},
		{
			name:    "lone cr lines",
			content: "{\"a\":\"1\"}\r{\"a\":\"2\"}\r\r{\"a\":\"3\"}",
			records: []want{{line: 1}, {line: 2}, {line: 3, blank: true}, {line: 4}},
		},
		{
			name:    "line past size limit",
			opts:    Options{MaxRecordBytes: 64},
			content: "{\"a\":\"1\"}\n{\"a\":\"" + strings.Repeat("x", 200) + "\"}\n{\"a\":\"3\"}\n",
			records: []want{{line: 1}, {line: 2, err: "longer than the limit of 64 bytes"}, {line: 3}},
		},
		{
			name:    "header from first valid object",
			content: "oops\n\n{\"b\":1,\"a\":2}\n",
			header:  []string{"b", "a"},
			records: []want{{line: 1, err: "invalid JSON"}, {line: 2, blank: true}, {line: 3}},
		},
		{
			name: "header is union of keys",
			content: `{"id":"K-1","name":"First"}` + "\n" +
				`{"id":"K-2","name":"Second","email":"k2@x.com","phone":"+1 555"}` + "\n",
			header:  []string{"id", "name", "email", "phone"},
			records: []want{{line: 1}, {line: 2}},
		},
		{
			name: "union keeps first-seen order",
			content: `{"b":1,"c":{"d":2}}` + "\n" + `{"a":1,"c":{"e":3},"b":2}` + "\n" +
				"not json\n" + `{"f":[1],"a":2}` + "\n",
			header: []string{"b", "c.d", "a", "c.e", "f"},
			records: []want{
				{line: 1}, {line: 2}, {line: 3, err: "invalid JSON"}, {line: 4},
			},
		},
		{
			name: "union merges case variants across records",
			content: `{"id":"1","name":"a","Contact":{"Email":"x@y.z"}}` + "\n" +
				`{"ID":"2","Name":"b","contact":{"email":"y@y.z"},"Phone":"1"}` + "\n",
			header:  []string{"id", "name", "Contact.Email", "Phone"},
			records: []want{{line: 1}, {line: 2}},
		},
		{
			name:    "union keeps case variants of one object",
			content: `{"id":"1","ID":"2"}` + "\n" + `{"Id":"3"}` + "\n",
			header:  []string{"id", "ID"},
			records: []want{{line: 1}, {line: 2}},
		},
		{
			name:    "union includes object with invalid value",
			content: `{"id":"1"}` + "\n" + `{"id":"2","bad":"\u0000"}` + "\n",
			header:  []string{"id", "bad"},
			records: []want{{line: 1}, {line: 2, err: "NUL", column: "bad"}},
		},
		{
			name:    "array header is union",
			content: `[{"id":"1"},` + "\n" + `{"id":"2","web":{"url":"x.io"}}]`,
			format:  "json",
			header:  []string{"id", "web.url"},
			records: []want{{line: 1}, {line: 2}},
		},
		{
			name:    "array with blank lines and nesting",
			content: "\xef\xbb\xbf\r\n[\r\n\r\n{\"a\":{\"b\":[1,{\"c\":2}]}},\r\n{\"a\":null}\r\n]\r\n",
			format:  "json",
			header:  []string{"a.b", "a"},
			records: []want{{line: 4}, {line: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file
			if path == "" {
				path = writeTemp(t, "in.jsonl", []byte(tt.content))
			}
			got := readFile(t, path, tt.opts)
			if tt.format != "" && got.info.Format != tt.format {
				t.Errorf("Info().Format = %q, want %q", got.info.Format, tt.format)
			}
			if tt.header != nil && !slices.Equal(got.header, tt.header) {
				t.Errorf("Header() = %q, want %q", got.header, tt.header)
			}
			if tt.encoding != "" && got.info.Encoding != tt.encoding {
				t.Errorf("Info().Encoding = %q, want %q", got.info.Encoding, tt.encoding)
			}
			checkRecords(t, got.recs, tt.records)
			for i, obj := range tt.objects {
				if i < len(got.recs) && !reflect.DeepEqual(got.recs[i].Object, obj) {
					t.Errorf("record %d: Object = %#v, want %#v", i+1, got.recs[i].Object, obj)
				}
			}
		})
	}
}

func TestJSONLHeaderWindow(t *testing.T) {
	line := func(i int, extra string) string {
		return fmt.Sprintf(`{"id":"%d"%s}`, i, extra) + "\n"
	}
	big := `,"pad":"` + strings.Repeat("x", 20<<10) + `"`
	tests := []struct {
		name   string
		lines  func(i int) string // line i, from 1
		count  int
		header []string
	}{
		{
			name: "key in last record of window",
			lines: func(i int) string {
				if i == headerLookahead {
					return line(i, `,"email":"a@b.c"`)
				}
				return line(i, "")
			},
			count:  headerLookahead + 5,
			header: []string{"id", "email"},
		},
		{
			name: "key after window ignored",
			lines: func(i int) string {
				if i == headerLookahead+1 {
					return line(i, `,"email":"a@b.c"`)
				}
				return line(i, "")
			},
			count:  headerLookahead + 5,
			header: []string{"id"},
		},
		{
			// 1 MiB of records of 20 KiB ends the window after 52 of them.
			name: "window ends at byte limit",
			lines: func(i int) string {
				if i == 60 {
					return line(i, big+`,"email":"a@b.c"`)
				}
				return line(i, big)
			},
			count:  70,
			header: []string{"id", "pad"},
		},
		{
			name: "window reaches first object past byte limit",
			lines: func(i int) string {
				if i < 80 {
					return `"` + strings.Repeat(" ", 20<<10) + `"` + "\n"
				}
				return line(i, "")
			},
			count:  81,
			header: []string{"id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for i := 1; i <= tt.count; i++ {
				b.WriteString(tt.lines(i))
			}
			path := writeTemp(t, "in.jsonl", []byte(b.String()))
			got := readFile(t, path, Options{})
			if !slices.Equal(got.header, tt.header) {
				t.Errorf("Header() = %q, want %q", got.header, tt.header)
			}
			if len(got.recs) != tt.count {
				t.Fatalf("read %d records, want %d", len(got.recs), tt.count)
			}
			for i, rec := range got.recs {
				if rec.Seq != i+1 || rec.Line != i+1 {
					t.Fatalf("record %d: Seq, Line = %d, %d, want %d, %d",
						i+1, rec.Seq, rec.Line, i+1, i+1)
				}
			}
		})
	}
}

func TestJSONNoObject(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		reason  string
	}{
		{"empty", "in.jsonl", "", "the file contains no JSON object"},
		{"blank lines", "in.ndjson", "\n\r\n  \n", "the file contains no JSON object"},
		{"bom only", "in.jsonl", "\xef\xbb\xbf", "the file contains no JSON object"},
		{"empty array", "in.json", " [ ]\n", "the file contains no JSON object"},
		{"array of non-objects", "in.json", "[1, \"a\", null]", "line 1: a JSON number, not an object"},
		{"csv named jsonl", "in.jsonl", "\nid,name\n1,a\n", "line 2: invalid JSON"},
		{"only scalars", "in.jsonl", "\n42\nnull\n", "line 2: a JSON number, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.file, []byte(tt.content))
			_, err := Open(path, nil, Options{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Open(%q) error = %v, want a *FileError", tt.content, err)
			}
			if !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("FileError.Reason = %q, want it to contain %q", fe.Reason, tt.reason)
			}
			if fe.Line != 0 {
				t.Errorf("FileError.Line = %d, want 0", fe.Line)
			}
		})
	}
}

func TestJSONArrayFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		records int // records read before the error
		line    int
		reason  string
	}{
		{"syntax error", "[\n{\"a\":1},\n{\"a\":}\n]", 1, 3, "invalid JSON"},
		{"not closed", "[\n{\"a\":1},\n{\"a\":2}\n", 2, 3, "not closed"},
		{"data after array", "[{\"a\":1}]\n[{\"a\":2}]", 1, 2, "after the end of the JSON array"},
		{"syntax error before object", "[\n1,\n{\"a\":}\n]", 0, 3, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "in.json", []byte(tt.content))
			r, err := Open(path, nil, Options{})
			records := 0
			if err == nil {
				defer r.Close()
				var rec *Record
				for rec, err = r.Next(); err == nil; rec, err = r.Next() {
					if rec.Object != nil {
						records++
					}
				}
			}
			if records != tt.records {
				t.Errorf("objects read before the error = %d, want %d", records, tt.records)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Open or Next error = %v, want a *FileError", err)
			}
			if fe.Line != tt.line {
				t.Errorf("FileError.Line = %d, want %d", fe.Line, tt.line)
			}
			if !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("FileError.Reason = %q, want it to contain %q", fe.Reason, tt.reason)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	obj := map[string]any{
		"name":    "Acme",
		"contact": map[string]any{"email": "a@x.io", "phone": map[string]any{"work": "1"}},
		"a.b":     "flat",
		"a":       map[string]any{"b": "nested"},
		"Mixed":   map[string]any{"Case": "folded", "ÉT": "accent"},
		"twice":   map[string]any{"x": "not an object"},
		"Twice":   map[string]any{"Y": "second"},
		"TWICE":   "scalar",
	}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"name", "Acme", true},
		{"contact.email", "a@x.io", true},
		{"contact.phone.work", "1", true},
		{"a.b", "flat", true},
		{"contact.fax", nil, false},
		{"name.x", nil, false},
		{"NAME", "Acme", true},
		{"Contact.Email", "a@x.io", true},
		{"CONTACT.phone.WORK", "1", true},
		{"mixed.case", "folded", true},
		{"A.B", "flat", true},
		{"mixed.ét", nil, false},
		{"twice.y", "second", true},
		{"twice", map[string]any{"x": "not an object"}, true},
		{"tWICE", "scalar", true},
		{"contact.emails", nil, false},
	}
	for _, tt := range tests {
		got, ok := Lookup(obj, tt.path)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lookup(%q) = %v, %v, want %v, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}
