package mapping

import "testing"

var domainCases = []struct {
	name   string
	domain string
	want   bool
}{
	{"two labels", "example.com", true},
	{"subdomain", "www.gravity.example.com", true},
	{"upper case", "EXAMPLE.COM", true},
	{"digits and hyphens", "a-1.b-2.c3", true},
	{"hyphen at label edges", "-a.b-", true},
	{"single-letter labels", "a.b", true},
	{"empty", "", false},
	{"one label", "localhost", false},
	{"dot only", ".", false},
	{"leading dot", ".example.com", false},
	{"trailing dot", "example.com.", false},
	{"empty label", "example..com", false},
	{"underscore", "my_host.example.com", false},
	{"space", "example .com", false},
	{"at sign", "ann@example.com", false},
	{"colon", "example.com:80", false},
	{"slash", "example.com/", false},
	{"control byte", "example.com\x00", false},
	{"DEL", "example.com\x7f", false},
	{"letter above ASCII", "münchen.de", true},
	{"non-ASCII digit", "a٣.example", true},
	{"non-ASCII only", "пример.рф", true},
	{"non-ASCII after bad ASCII", "a_b.münchen", false},
	{"non-ASCII with empty label", "münchen..de", false},
	{"non-ASCII with leading dot", ".münchen.de", false},
	{"non-ASCII one label", "münchen", false},
	{"non-ASCII symbol", "a☃.com", false},
	{"non-breaking space", "a\u00a0b.com", false},
	{"invalid UTF-8", "a\xffb.com", false},
	{"replacement character", "a\ufffdb.com", false},
	{"full-width dot", "example。com", false},
}

func TestValidDomain(t *testing.T) {
	for _, tt := range domainCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := validDomain(tt.domain); got != tt.want {
				t.Errorf("validDomain(%q) = %v, want %v", tt.domain, got, tt.want)
			}
			if got := validUnicodeDomain(tt.domain); got != tt.want {
				t.Errorf("validUnicodeDomain(%q) = %v, want %v", tt.domain, got, tt.want)
			}
		})
	}
}

// FuzzValidDomain checks that the ASCII pass of validDomain decides as
// the rune-by-rune validUnicodeDomain does.
func FuzzValidDomain(f *testing.F) {
	for _, tc := range domainCases {
		f.Add(tc.domain)
	}
	f.Fuzz(func(t *testing.T, d string) {
		if got, want := validDomain(d), validUnicodeDomain(d); got != want {
			t.Fatalf("validDomain(%q) = %v, want %v as validUnicodeDomain", d, got, want)
		}
	})
}

// BenchmarkValidDomain checks the domains of an e-mail address and a
// website, as one record needs.
func BenchmarkValidDomain(b *testing.B) {
	domains := []string{"gravity.example.com", "www.gravity.example.com"}
	for _, bm := range []struct {
		name  string
		valid func(string) bool
	}{
		{"ascii-pass", validDomain},
		{"rune-by-rune", validUnicodeDomain},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				for _, d := range domains {
					if !bm.valid(d) {
						b.Fatal(d)
					}
				}
			}
		})
	}
}
