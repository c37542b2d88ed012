package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/sandbox"
	"github.com/corimport/corimport/report"
)

// memorySink keeps outcomes in the order Run writes them.
type memorySink struct{ outcomes []*report.Outcome }

func (m *memorySink) Write(o *report.Outcome) error {
	m.outcomes = append(m.outcomes, o)
	return nil
}

func (m *memorySink) Flush() error { return nil }

func writeInput(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunOutcomesInInputOrder(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{LatencyJitter: 2e6, Seed: 1})
	first := writeInput(t, "a.csv", "id,name,description\n"+
		"A-1,Acme,\n"+
		"\n"+
		"A-2,,\n"+
		"A-3,Globex,\"two\nlines\"\n"+
		"A-1,Acme again,\n")
	second := writeInput(t, "b.jsonl", `{"id":"A-3","name":"Repeat"}`+"\n"+`{"id":"B-1","name":"Initech"}`+"\n")

	sink := &memorySink{}
	res, err := Run(context.Background(), Config{
		Inputs: []string{first, second}, Source: "SAP", Sender: s, Workers: 4, Sink: sink,
	})
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}

	want := []struct {
		file   string
		line   int
		status report.Status
		msg    string
	}{
		{first, 2, report.Created, ""},
		{first, 3, report.Skipped, "blank"},
		{first, 4, report.Invalid, `field "name"`},
		{first, 5, report.Created, ""},
		{first, 7, report.Duplicate, "repeats line 2"},
		{second, 1, report.Duplicate, "repeats " + first + " line 5"},
		{second, 2, report.Created, ""},
	}
	if len(sink.outcomes) != len(want) {
		t.Fatalf("Run() wrote %d outcomes, want %d", len(sink.outcomes), len(want))
	}
	for i, w := range want {
		o := sink.outcomes[i]
		if o.File != w.file || o.Line != w.line || o.Status != w.status || !strings.Contains(o.Message, w.msg) {
			t.Errorf("outcome %d = %s line %d %s %q, want %s line %d %s containing %q",
				i, o.File, o.Line, o.Status, o.Message, w.file, w.line, w.status, w.msg)
		}
		if o.Seq != int64(i+1) {
			t.Errorf("outcome %d Seq = %d, want %d", i, o.Seq, i+1)
		}
	}
	if res.Counts[report.Created] != 3 || res.Aborted != nil || res.Interrupted {
		t.Errorf("Run() result = %+v, want 3 created and a clean finish", res)
	}
	if n := len(sb.Server.Clients()); n != 3 {
		t.Errorf("stand-in holds %d clients, want 3", n)
	}
}

func TestRunDryRunSendsNothing(t *testing.T) {
	path := writeInput(t, "a.csv", "id,name\nA-1,Acme\nA-2,Globex\n")
	sink := &memorySink{}
	res, err := Run(context.Background(), Config{
		Inputs: []string{path}, Source: "SAP", DryRun: true, Sink: sink,
	})
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	if res.Counts[report.Valid] != 2 || len(sink.outcomes) != 2 {
		t.Errorf("Run(dry run) counts = %v, want 2 valid", res.Counts)
	}
}

func TestRunRejectsBadHeaderBeforeSending(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{})
	good := writeInput(t, "good.csv", "id,name\nA-1,Acme\n")
	noName := writeInput(t, "bad.csv", "id,notes\nB-1,x\n")
	_, err := Run(context.Background(), Config{
		Inputs: []string{good, noName}, Source: "SAP", Sender: s, Sink: &memorySink{},
	})
	if err == nil || !strings.Contains(err.Error(), "bad.csv") {
		t.Fatalf("Run() error = %v, want one naming bad.csv", err)
	}
	if n := sb.Server.Stats().Created; n != 0 {
		t.Errorf("stand-in stored %d clients, want none: the second file is checked first", n)
	}
}
