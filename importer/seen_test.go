package importer

import (
	"fmt"
	"testing"
)

func TestSeenIDsFirstLine(t *testing.T) {
	s := newSeenIDs()
	const n = 200_000
	for i := range n {
		if _, _, dup := s.add("SAP", fmt.Sprint("id-", i), i%3, i+2); dup {
			t.Fatalf("add(id-%d) reported a duplicate on first sight", i)
		}
	}
	for i := 0; i < n; i += 997 {
		file, line, dup := s.add("SAP", fmt.Sprint("id-", i), 9, 1)
		if !dup || file != i%3 || line != i+2 {
			t.Fatalf("add(id-%d) again = file %d line %d dup %v, want file %d line %d dup true",
				i, file, line, dup, i%3, i+2)
		}
	}
	if _, _, dup := s.add("SALESFORCE", "id-5", 0, 1); dup {
		t.Errorf("add(SALESFORCE, id-5) = duplicate, want new: ids are per source")
	}
}

func BenchmarkSeenIDsAdd(b *testing.B) {
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprint("0015g00000", i)
	}
	b.ReportAllocs()
	s := newSeenIDs()
	for i := 0; b.Loop(); i++ {
		s.add("SALESFORCE", ids[i&(len(ids)-1)], 0, i)
	}
}
