package input

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name     string
		file     string // testdata file; otherwise content is written to a file called name.csv
		content  string
		opts     Options
		header   []string
		records  []want
		encoding string // expected Info().Encoding when not ""
		delim    rune   // expected Info().Delimiter when not 0
		warning  string // substring of one warning when not ""
	}{
		{
			name:    "lf plain",
			content: "id,name\n1,Acme\n2,Beta\n",
			header:  []string{"id", "name"},
			records: []want{{line: 2, fields: []string{"1", "Acme"}}, {line: 3, fields: []string{"2", "Beta"}}},
		},
		{
			name:     "utf-8 bom kept off first column",
			content:  "\xef\xbb\xbfid,name\n1,Acme\n",
			header:   []string{"id", "name"},
			records:  []want{{line: 2, fields: []string{"1", "Acme"}}},
			encoding: "utf-8",
		},
		{
			name:    "crlf no final line break",
			content: "id,name\r\n1,Acme\r\n2,Beta",
			header:  []string{"id", "name"},
			records: []want{{line: 2, fields: []string{"1", "Acme"}}, {line: 3, fields: []string{"2", "Beta"}}},
		},
		{
			name:   "lone cr lines from testdata",
			file:   "testdata/mac-cr.csv",
			header: []string{"id", "name"},
			records: []want{
				{line: 2, fields: []string{"1", "a"}},
				{line: 3, blank: true},
				{line: 4, fields: []string{"2", "b\rc"}},
				{line: 6, fields: []string{"3", "d"}},
			},
		},
		{
			name:    "mixed line ends",
			content: "id,name\n1,a\r\n2,b\r3,c\n",
			records: []want{
				{line: 2, fields: []string{"1", "a"}},
				{line: 3, fields: []string{"2", "b"}},
				{line: 4, fields: []string{"3", "c"}},
			},
		},
		{
			name: "quoted delimiters quotes and line breaks",
			content: "id,name,note\n" +
				"1,\"Smith, John\",\"say \"\"hi\"\"\"\n" +
				"2,\"two\r\nlines\",\"three\nmore\nlines\"\n" +
				"3,\"\",x\n",
			records: []want{
				{line: 2, fields: []string{"1", "Smith, John", `say "hi"`}},
				{line: 3, fields: []string{"2", "two\r\nlines", "three\nmore\nlines"}},
				{line: 7, fields: []string{"3", "", "x"}},
			},
		},
		{
			name:    "stray quote kept as text",
			content: "id,name\n1,5\" pipe\n2,O\"Brien \"x\"\n",
			records: []want{
				{line: 2, fields: []string{"1", `5" pipe`}},
				{line: 3, fields: []string{"2", `O"Brien "x"`}},
			},
		},
		{
			name:    "blanks around quoted fields",
			content: "id,name\n1 ,  \"Acme, Inc\"  \n\"2\"\t,x\n",
			records: []want{
				{line: 2, fields: []string{"1 ", "Acme, Inc"}},
				{line: 3, fields: []string{"2", "x"}},
			},
		},
		{
			name:    "text after closing quote",
			content: "id,name\n1,\"Big\" Co\n2,ok\n",
			records: []want{
				{line: 2, err: "text after the closing quote", column: "name", text: `1,"Big" Co`},
				{line: 3, fields: []string{"2", "ok"}},
			},
		},
		{
			name:    "unterminated quote at end of file",
			content: "id,name\n1,\"Acme\n2,Beta\n3,Gamma\n",
			records: []want{
				{line: 2, err: "not closed before the end of the file", column: "name", text: `1,"Acme`},
				{line: 3, fields: []string{"2", "Beta"}},
				{line: 4, fields: []string{"3", "Gamma"}},
			},
		},
		{
			name:    "unterminated quote on last line",
			content: "id,name\n1,a\n2,\"Beta",
			records: []want{
				{line: 2, fields: []string{"1", "a"}},
				{line: 3, err: "not closed before the end of the file", column: "name", text: `2,"Beta`},
			},
		},
		{
			name:    "unterminated quote paired with a later quote",
			content: "id,name\n1,\"Acme\n2,Beta\n3,\"Gamma\"\n4,Delta\n",
			records: []want{
				{line: 2, err: "closes it on line 4", column: "name", text: `1,"Acme`},
				{line: 3, fields: []string{"2", "Beta"}},
				{line: 4, fields: []string{"3", "Gamma"}},
				{line: 5, fields: []string{"4", "Delta"}},
			},
		},
		{
			name:    "stray quote after broken field is suspect",
			content: "id,note\n1,\"first\nsecond \"part\" end\",x\n2,ok\n",
			records: []want{
				{line: 2, err: "closes it on line 3", column: "note"},
				{line: 3, fields: []string{"second \"part\" end\"", "x"}, err: "left open on line 2"},
				{line: 4, fields: []string{"2", "ok"}},
			},
		},
		{
			name:    "quoted field past size limit",
			opts:    Options{MaxRecordBytes: 32},
			content: "id,name\n1,\"open\n2,abcdefghij\n3,abcdefghij\n4,abcdefghij\n",
			records: []want{
				{line: 2, err: "still open after 32 bytes", column: "name"},
				{line: 3, fields: []string{"2", "abcdefghij"}},
				{line: 4, fields: []string{"3", "abcdefghij"}},
				{line: 5, fields: []string{"4", "abcdefghij"}},
			},
		},
		{
			name:    "line past size limit",
			opts:    Options{MaxRecordBytes: 16},
			content: "id,name\n1,a\n2," + strings.Repeat("x", 100) + "\r\n3,c\n",
			records: []want{
				{line: 2, fields: []string{"1", "a"}},
				{line: 3, err: "longer than the limit of 16 bytes"},
				{line: 4, fields: []string{"3", "c"}},
			},
		},
		{
			name:    "field count",
			content: "id,name,city\n1,a,b,c\n2,a\n3,a,b,,\n4,a,b, \t,\n5,a,,x\n",
			records: []want{
				{line: 2, fields: []string{"1", "a", "b", "c"}, err: "4 fields but the header has 3"},
				{line: 3, fields: []string{"2", "a"}, err: "2 fields but the header has 3"},
				{line: 4, fields: []string{"3", "a", "b"}},
				{line: 5, fields: []string{"4", "a", "b"}},
				{line: 6, fields: []string{"5", "a", "", "x"}, err: "4 fields"},
			},
		},
		{
			name:    "blank lines and empty rows",
			content: "id,name\n\n,\n , \" \"\n\r\n,,,\n1,a\n",
			records: []want{
				{line: 2, blank: true},
				{line: 3, blank: true},
				{line: 4, blank: true},
				{line: 5, blank: true},
				{line: 6, blank: true},
				{line: 7, fields: []string{"1", "a"}},
			},
		},
		{
			name:    "nul byte",
			content: "id,name\n1,A\x00B\n2,ok\n",
			records: []want{
				{line: 2, fields: []string{"1", "A\x00B"}, err: "NUL byte", column: "name"},
				{line: 3, fields: []string{"2", "ok"}},
			},
		},
		{
			name:     "mostly utf-8 with a bad byte",
			content:  "id,name\n1,Jos\xc3\xa9\n2,Jos\xe9\n3,M\xc3\xbcller\n",
			encoding: "utf-8",
			records: []want{
				{line: 2, fields: []string{"1", "José"}},
				{line: 3, fields: []string{"2", "Jos\xe9"}, err: "not valid UTF-8", column: "name"},
				{line: 4, fields: []string{"3", "Müller"}},
			},
		},
		{
			name:    "replacement character",
			content: "id,name\n1,Jos\uFFFD\n",
			records: []want{{line: 2, err: "U+FFFD", column: "name"}},
		},
		{
			name:     "windows-1252 detected",
			file:     "testdata/windows1252.csv",
			header:   []string{"id", "name", "note"},
			encoding: "windows-1252",
			delim:    ';',
			warning:  "read as windows-1252",
			records: []want{
				{line: 2, fields: []string{"1", "Crédito Inmobiliario", "€ 5"}},
				{line: 3, fields: []string{"2", "Pébéo", "Calle 5º"}},
			},
		},
		{
			name:     "windows-1252 detected after the sample",
			content:  "id,name\n" + strings.Repeat("1,plain ascii name\n", 5000) + "2,Pe\xf1a\n",
			encoding: "windows-1252",
			warning:  "from line 5002 on",
			records: append(slices.Repeat([]want{{fields: []string{"1", "plain ascii name"}}}, 5000),
				want{fields: []string{"2", "Peña"}}),
		},
		{
			name:    "byte undefined in windows-1252",
			opts:    Options{Encoding: "windows-1252"},
			content: "id,name\n1,a\x81b\n2,\x80\n",
			records: []want{
				{line: 2, err: "does not define", column: "name"},
				{line: 3, fields: []string{"2", "€"}},
			},
		},
		{
			name:     "iso-8859-1 requested",
			opts:     Options{Encoding: "iso-8859-1"},
			content:  "id,name\n1,Gr\xfc\xdf \x80\n",
			encoding: "iso-8859-1",
			records:  []want{{line: 2, fields: []string{"1", "Grüß \u0080"}}},
		},
		{
			name:     "utf-16le excel unicode text",
			file:     "testdata/excel-unicode.txt",
			header:   []string{"Id", "Name", "City"},
			encoding: "utf-16le",
			delim:    '\t',
			records: []want{
				{line: 2, fields: []string{"1", "José", "München"}},
				{line: 3, fields: []string{"2", `Smith, "Jr"`, "Zürich"}},
			},
		},
		{
			name:     "utf-16be",
			file:     "testdata/utf16be.csv",
			encoding: "utf-16be",
			records:  []want{{line: 2, fields: []string{"1", "Ærø"}}},
		},
		{
			name:    "gzip",
			file:    "testdata/accounts.csv.gz",
			header:  []string{"id", "name"},
			records: []want{{line: 2, fields: []string{"1", "Acme"}}, {line: 3, fields: []string{"2", "Beta"}}},
		},
		{
			name:    "semicolon with quoted comma header",
			content: "\"last, first\";id;name\nx;1;a\n",
			header:  []string{"last, first", "id", "name"},
			delim:   ';',
			records: []want{{line: 2, fields: []string{"x", "1", "a"}}},
		},
		{
			name:    "pipe",
			content: "id|name\n1|a,b\n",
			delim:   '|',
			records: []want{{line: 2, fields: []string{"1", "a,b"}}},
		},
		{
			name:    "delimiter given",
			opts:    Options{Delimiter: ';'},
			content: "id,x;name\n1,2;a\n",
			header:  []string{"id,x", "name"},
			records: []want{{line: 2, fields: []string{"1,2", "a"}}},
		},
		{
			name:    "single column",
			content: "id\n1\n",
			header:  []string{"id"},
			warning: "no delimiter found",
			records: []want{{line: 2, fields: []string{"1"}}},
		},
		{
			name:    "header names trimmed and unnamed",
			content: "\u00a0Id ,,\tName\u00a0,,Name\n1,,a,,b\n",
			header:  []string{"Id", "", "Name", "", "Name"},
			warning: "header column 2, 4 has no name",
			records: []want{{line: 2, fields: []string{"1", "", "a", "", "b"}}},
		},
		{
			name:    "blank lines before header",
			content: "\n\r\nid,name\n1,a\n",
			header:  []string{"id", "name"},
			records: []want{{line: 4, fields: []string{"1", "a"}}},
		},
		{
			name:    "quoted header over two lines",
			content: "id,\"full\nname\"\n1,a\n",
			header:  []string{"id", "full\nname"},
			records: []want{{line: 3, fields: []string{"1", "a"}}},
		},
		{
			name:    "header only",
			content: "id,name\n",
			header:  []string{"id", "name"},
		},
		{
			name:    "values verbatim",
			content: "id,phone,zip\n\" S-1 \",007,08123\n",
			records: []want{{line: 2, fields: []string{" S-1 ", "007", "08123"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file
			if path == "" {
				path = writeTemp(t, "in.csv", []byte(tt.content))
			}
			got := readFile(t, path, tt.opts)
			if tt.header != nil && !slices.Equal(got.header, tt.header) {
				t.Errorf("Header() = %q, want %q", got.header, tt.header)
			}
			if tt.encoding != "" && got.info.Encoding != tt.encoding {
				t.Errorf("Info().Encoding = %q, want %q", got.info.Encoding, tt.encoding)
			}
			if tt.delim != 0 && got.info.Delimiter != tt.delim {
				t.Errorf("Info().Delimiter = %q, want %q", got.info.Delimiter, tt.delim)
			}
			if tt.warning != "" && !hasWarning(got.info.Warnings, tt.warning) {
				t.Errorf("Info().Warnings = %q, want one containing %q", got.info.Warnings, tt.warning)
			}
			if tt.records != nil && tt.records[0].line == 0 {
				// Generated cases only check the fields; lines follow the records.
				for i := range tt.records {
					tt.records[i].line = i + 2
				}
			}
			checkRecords(t, got.recs, tt.records)
		})
	}
}

func TestCSVFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		opts    Options
		line    int
		reason  string
	}{
		{"ambiguous delimiter", "a,b;c\n1,2;3\n", Options{}, 1, "cannot tell the delimiter"},
		{"malformed header", "id,\"name\" x\n", Options{}, 1, "header has text after the closing quote"},
		{"header without names", ",,\n1,2,3\n", Options{}, 1, "no column names"},
		{"utf-16 without bom", string(utf16LE("id,name\n1,Acme\n2,Beta\n")), Options{}, 0,
			"looks like utf-16le"},
		{"bom contradicts encoding", "\xff\xfei\x00d\x00\n\x00", Options{Encoding: "windows-1252"}, 0,
			"utf-16le byte-order mark"},
		{"header not utf-8", "\xef\xbb\xbfid,na\xffme\n", Options{}, 1, "header column 2 is not valid UTF-8"},
		{"empty", "", Options{}, 0, "the file is empty: it has no header line"},
		{"blank lines", "\n \r\n\t\n\r", Options{}, 0, "the file is empty: it has no header line"},
		{"bom only", "\xef\xbb\xbf", Options{}, 0, "the file is empty: it has no header line"},
		{"bom and blank lines", "\xef\xbb\xbf\r\n\r\n", Options{}, 0, "the file is empty"},
		{"utf-16 bom only", "\xff\xfe", Options{}, 0, "the file is empty"},
		{"empty with delimiter", "", Options{Delimiter: ';'}, 0, "the file is empty"},
		{"gzip of nothing", string(gzipBytes(t, nil)), Options{}, 0, "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "in.csv", []byte(tt.content))
			_, err := Open(path, nil, tt.opts)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Open(%q) error = %v, want a *FileError", tt.content, err)
			}
			if fe.Line != tt.line {
				t.Errorf("FileError.Line = %d, want %d", fe.Line, tt.line)
			}
			if !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("FileError.Reason = %q, want it to contain %q", fe.Reason, tt.reason)
			}
			if !strings.Contains(fe.Error(), path) {
				t.Errorf("FileError.Error() = %q, want it to name %s", fe.Error(), path)
			}
		})
	}
}

func TestMessagesNameFlags(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		opts    Options
		want    string
	}{
		{"delimiter tie", "in.csv", "a,b;c\n", Options{}, "pass --delimiter , or --delimiter ';'"},
		{"delimiter tie with tab", "in.csv", "a\tb|c\n", Options{},
			"pass --delimiter tab or --delimiter '|'"},
		{"utf-16le without bom", "in.csv", string(utf16LE("id,name\n1,Acme\n2,Beta\n")), Options{},
			"pass --encoding utf-16le"},
		{"utf-16be without bom", "in.csv", "\x00" + strings.Join(strings.Split("id,name\n1,Acme\n2,Beta\n", ""), "\x00"),
			Options{}, "pass --encoding utf-16be"},
		{"bom contradicts encoding", "in.csv", "\xff\xfei\x00d\x00\n\x00", Options{Encoding: "utf-8"},
			"drop --encoding, or pass --encoding auto"},
		{"unknown extension", "in.xlsx", "id\n", Options{}, "pass --format csv or --format jsonl"},
		{"windows-1252 guessed", "in.csv", "id,name\n1,Cr\xe9dito\n", Options{},
			"if that is wrong, pass --encoding"},
		{"invalid utf-8", "in.csv", "id,name\n1,Jos\xc3\xa9\n2,Jos\xe9\n", Options{},
			"pass it with --encoding (for example --encoding windows-1252)"},
		{"undefined windows-1252 byte", "in.csv", "id,name\n1,a\x81\n", Options{Encoding: "windows-1252"},
			"pass it with --encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.file, []byte(tt.content))
			got := messagesOf(t, path, tt.opts)
			if !strings.Contains(got, tt.want) {
				t.Errorf("messages of %q = %q, want them to contain %q", tt.content, got, tt.want)
			}
		})
	}
}

// messagesOf returns the error of Open, or else the warnings and record
// errors of reading path, one a line.
func messagesOf(t *testing.T, path string, opts Options) string {
	t.Helper()
	r, err := Open(path, nil, opts)
	if err != nil {
		return err.Error()
	}
	defer r.Close()
	var msgs []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next() on %s error: %v", path, err)
		}
		if rec.Err != nil {
			msgs = append(msgs, rec.Err.Error())
		}
	}
	msgs = append(msgs, r.Info().Warnings...)
	return strings.Join(msgs, "\n")
}

func TestOpenOptions(t *testing.T) {
	tests := []struct {
		name string
		file string
		opts Options
	}{
		{"unknown extension", "in.xlsx", Options{}},
		{"unknown format", "in.csv", Options{Format: "xml"}},
		{"unknown encoding", "in.csv", Options{Encoding: "ebcdic"}},
		{"quote delimiter", "in.csv", Options{Delimiter: '"'}},
		{"non-ascii delimiter", "in.csv", Options{Delimiter: '§'}},
		{"negative limit", "in.csv", Options{MaxRecordBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.file, []byte("id\n1\n"))
			if _, err := Open(path, nil, tt.opts); !errors.Is(err, ErrInvalidOption) {
				t.Errorf("Open(%s, %+v) error = %v, want ErrInvalidOption", tt.file, tt.opts, err)
			}
		})
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open("does-not-exist.csv", nil, Options{})
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Open(missing) error = %v, want a *FileError", err)
	}
}

func TestOpenStdin(t *testing.T) {
	tests := []struct {
		name   string
		input  []byte
		format string
	}{
		{"csv", []byte("id,name\n1,Acme\n"), "csv"},
		{"gzip csv", gzipBytes(t, []byte("id,name\n1,Acme\n")), "csv"},
		{"jsonl", []byte("{\"id\":\"1\",\"name\":\"Acme\"}\n"), "jsonl"},
		{"json array", []byte(" [{\"id\":\"1\",\"name\":\"Acme\"}]"), "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open("-", bytes.NewReader(tt.input), Options{})
			if err != nil {
				t.Fatalf("Open(-) error: %v", err)
			}
			defer r.Close()
			if f := r.Info().Format; f != tt.format {
				t.Errorf("Info().Format = %q, want %q", f, tt.format)
			}
			if h := r.Header(); !slices.Equal(h, []string{"id", "name"}) {
				t.Errorf("Header() = %q, want [id name]", h)
			}
			rec, err := r.Next()
			if err != nil {
				t.Fatalf("Next() error: %v", err)
			}
			if rec.File != "-" || rec.Err != nil {
				t.Errorf("Next() = file %q err %v, want file - and no error", rec.File, rec.Err)
			}
		})
	}
}

func TestGzipTruncated(t *testing.T) {
	data := gzipBytes(t, bytes.Repeat([]byte("1,abcdefghijklmnopqrstuvwxyz\n"), 20000))
	data = append([]byte(nil), data[:len(data)/2]...)
	path := writeTemp(t, "cut.csv.gz", data)
	r, err := Open(path, nil, Options{})
	if err != nil {
		t.Fatalf("Open error: %v", err)
	}
	defer r.Close()
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Next() error = %v, want a *FileError", err)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next() after a file error = %v, want the same error", again)
	}
}
