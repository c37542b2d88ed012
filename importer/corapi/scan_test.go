package corapi

import (
	"encoding/json"
	"strings"
	"testing"
)

var scanCases = []struct {
	name     string
	body     string
	wantScan bool // whether scanCreated reads it, rather than encoding/json
}{
	{"sandbox response", sandboxResponse, true},
	{"id only", `{"id":1}`, true},
	{"white space", " \t\r\n{ \"id\" : 7 , \"company_id\" :\n-3 } \n", true},
	{"max int64", `{"id":9223372036854775807}`, true},
	{"int64 overflow", `{"id":9223372036854775808}`, false},
	{"min int64 company", `{"id":1,"company_id":-9223372036854775808}`, true},
	{"company underflow", `{"id":1,"company_id":-9223372036854775809}`, false},
	{"zero id", `{"id":0}`, false},
	{"negative id", `{"id":-1}`, false},
	{"negative zero id", `{"id":-0}`, false},
	{"fraction id", `{"id":1.0}`, false},
	{"exponent id", `{"id":1e2}`, false},
	{"leading zero id", `{"id":01}`, false},
	{"string id", `{"id":"1"}`, false},
	{"null id", `{"id":null}`, false},
	{"no id", `{"company_id":1}`, false},
	{"empty object", `{}`, false},
	{"empty body", ``, false},
	{"array", `[{"id":1}]`, false},
	{"envelope", `{"data":{"id":8,"company_id":3}}`, false},
	{"repeated id", `{"id":1,"id":2}`, false},
	{"upper-case key", `{"ID":1}`, false},
	{"mixed-case key", `{"id":1,"Company_ID":2}`, false},
	{"dash in key", `{"id":1,"company-id":2}`, false},
	{"no underscore in key", `{"id":1,"createdat":"x"}`, false},
	{"escape in key", `{"id":1,"n\u0061me":"x"}`, false},
	{"non-ASCII key", `{"id":1,"ıd":2}`, false},
	{"unrelated key with K", `{"id":1,"K":2}`, true},
	{"odd company type", `{"id":1,"company_id":"x","created_at":5}`, false},
	{"null timestamp", `{"id":1,"created_at":null}`, false},
	{"escape in timestamp", `{"id":1,"created_at":"a\"b"}`, false},
	{"escape in other value", `{"id":1,"name":"a\"b\\\/\b\f\n\r\t\u00e9"}`, true},
	{"non-ASCII in value", `{"id":1,"name":"Müller 株式会社"}`, true},
	{"invalid UTF-8 in value", "{\"id\":1,\"name\":\"\xff\"}", false},
	{"control byte in value", "{\"id\":1,\"name\":\"a\tb\"}", false},
	{"lone surrogate escape", `{"id":1,"name":"\ud800"}`, false},
	{"surrogate pair escape", `{"id":1,"name":"\ud83d\ude00"}`, false},
	{"short unicode escape", `{"id":1,"name":"\u00e"}`, false},
	{"bad escape", `{"id":1,"name":"\x"}`, false},
	{"nested values", `{"id":1,"x":[1,{"a":null,"b":[]},{},true,false,-0.5e+3,0,1E-2]}`, true},
	{"leading zero elsewhere", `{"id":1,"x":01}`, false},
	{"bare minus", `{"id":1,"x":-}`, false},
	{"dot without digits", `{"id":1,"x":1.}`, false},
	{"bad literal", `{"id":1,"x":nul}`, false},
	{"deep nesting", `{"id":1,"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
		false},
	{"trailing comma", `{"id":1,}`, false},
	{"missing colon", `{"id" 1}`, false},
	{"unclosed object", `{"id":1`, false},
	{"two objects", `{"id":1}{"id":2}`, false},
	{"text after object", `{"id":1} x`, false},
	{"byte order mark", "\uFEFF{\"id\":1}", false},
}

const sandboxResponse = `{"id":4815162342,"company_id":7,"name":"Gravity Investments",` +
	`"business_name":null,"email_contact":"ops@gravity.example.com",` +
	`"name_contact":null,"last_name_contact":null,"phone":"(415) 901-7000",` +
	`"website":"http://www.gravity.example.com",` +
	`"description":"Long-standing client, renewed in 2024. \"Key\" account.",` +
	`"created_at":"2026-12-04T17:16:00.123Z","updated_at":"2026-12-04T17:16:00.123Z"}`

func TestScanCreated(t *testing.T) {
	for _, tt := range scanCases {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := scanCreated([]byte(tt.body)); ok != tt.wantScan {
				t.Errorf("scanCreated(%s) ok = %v, want %v", tt.body, ok, tt.wantScan)
			}
			checkScanAgrees(t, []byte(tt.body))
		})
	}
}

// FuzzScanCreated checks that parseCreated returns what encoding/json
// alone returns, and that every body scanCreated reads decodes with
// json.Unmarshal to the same client.
func FuzzScanCreated(f *testing.F) {
	for _, tc := range scanCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(checkScanAgrees)
}

func checkScanAgrees(t *testing.T, body []byte) {
	got, gotProblem := parseCreated(body)
	want, wantProblem := decodeCreated(body)
	if got != want || gotProblem != wantProblem {
		t.Fatalf("parseCreated(%q) = %+v, %q, want %+v, %q", body, got, gotProblem,
			want, wantProblem)
	}

	scanned, ok := scanCreated(body)
	if !ok {
		return
	}
	var typed struct {
		ID        int64  `json:"id"`
		CompanyID int64  `json:"company_id"`
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
	}
	if err := json.Unmarshal(body, &typed); err != nil {
		t.Fatalf("scanCreated(%q) = %+v, but json.Unmarshal failed: %v", body, scanned, err)
	}
	if Created(typed) != scanned || scanned.ID <= 0 {
		t.Fatalf("scanCreated(%q) = %+v, want %+v from json.Unmarshal", body, scanned, typed)
	}
}

// BenchmarkParseCreated compares the scanner with encoding/json on the
// response the sandbox sends.
func BenchmarkParseCreated(b *testing.B) {
	body := []byte(sandboxResponse)
	for _, bm := range []struct {
		name  string
		parse func([]byte) (Created, string)
	}{
		{"scan", parseCreated},
		{"unmarshal", decodeCreated},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, problem := bm.parse(body); problem != "" {
					b.Fatal(problem)
				}
			}
		})
	}
}
