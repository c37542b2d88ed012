package mapping

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// synonyms lists, for each client field, the normalised header names that
// feed it, best first. When two columns match one field, the column whose
// name comes earlier in the list wins (for equal names, the leftmost
// column), and the other is ignored. No name appears under two fields.
var synonyms = [numFields][]string{
	fieldID: {
		"externalid", "id", "accountid", "recordid", "companyid", "clientid",
		"customerid", "hsobjectid",
	},
	fieldName: {
		"accountname", "companyname", "clientname", "customername", "name",
		"company", "organizationname", "organisationname", "organization",
		"organisation",
	},
	fieldBusinessName: {
		"businessname", "legalname", "legalbusinessname", "companylegalname",
		"registeredname", "razonsocial",
	},
	fieldEmailContact: {
		"emailcontact", "contactemail", "email", "emailaddress",
		"contactemailaddress", "primaryemail",
	},
	fieldNameContact: {
		"namecontact", "contactfirstname", "firstname", "givenname",
		"contactname",
	},
	fieldLastNameContact: {
		"lastnamecontact", "contactlastname", "lastname", "surname",
		"familyname",
	},
	fieldPhone: {
		"phone", "phonenumber", "telephone", "companyphone", "businessphone",
		"mainphone", "contactphone", "tel",
	},
	fieldWebsite: {
		"website", "websiteurl", "url", "web", "homepage", "companydomainname",
		"domain", "domainname", "companydomain",
	},
	fieldDescription: {
		"description", "companydescription", "accountdescription", "about",
		"notes", "note", "comments",
	},
}

// Infer builds a Spec from header names. A column feeds a field when its
// normalised name (letters and digits only, lower case, accents removed)
// is one of the field's synonyms, which cover generic names and the
// exports of Salesforce (Data Loader, reports and API names) and HubSpot.
// Infer also returns the named columns it did not use, in header order.
//
// The Spec has no source, and lacks id or name when no column matches
// them, which Compile reports. A company domain column feeds the website
// as written. A column whose name the header repeats (ignoring case) is
// named by position, with a comment in Spec.YAML that lists the others,
// because a name would be ambiguous in the mapping file. Compile still
// rejects such a header for the inferred Spec, until the user checks the
// choice in a mapping file.
func Infer(header []string) (*Spec, []string) {
	s := &Spec{Fields: map[string]*Rule{}, inferred: true, notes: map[string]string{}}

	// Find the best column for each field.
	best := [numFields]int{}
	rank := [numFields]int{}
	for f := range best {
		best[f], rank[f] = -1, len(synonyms[f])
	}
	for i, name := range header {
		f, r := synonymOf(normalize(name))
		if f >= 0 && r < rank[f] {
			best[f], rank[f] = i, r
		}
	}

	used := make([]bool, len(header))
	for f, i := range best {
		if i < 0 {
			continue
		}
		used[i] = true
		name := strings.TrimFunc(header[i], isSpace)
		r := &Rule{Column: Ref{Name: name}}
		if same := positionsNamed(header, name); len(same) > 1 {
			r.Column = Ref{Position: i + 1}
			s.notes[FieldNames[f]] = fmt.Sprintf("columns %s share the name %s: check which "+
				"one to use", joinPositions(same), yamlString(name))
		}
		s.Fields[FieldNames[f]] = r
	}
	for i, name := range header {
		name = strings.TrimFunc(name, isSpace)
		if !used[i] && name != "" {
			s.ignored = append(s.ignored, name)
		}
	}
	return s, s.ignored
}

// positionsNamed returns the 1-based positions of the header columns
// whose trimmed name equals name ignoring case, as Compile matches names.
func positionsNamed(header []string, name string) []int {
	var found []int
	for i, h := range header {
		if strings.EqualFold(strings.TrimFunc(h, isSpace), name) {
			found = append(found, i+1)
		}
	}
	return found
}

// joinPositions lists positions as "2, 3 and 5".
func joinPositions(positions []int) string {
	var b strings.Builder
	for i, p := range positions {
		switch {
		case i == 0:
		case i == len(positions)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// synonymOf returns the field and rank of a normalised header name, or -1.
func synonymOf(norm string) (field, rank int) {
	for f, names := range synonyms {
		for r, n := range names {
			if n == norm {
				return f, r
			}
		}
	}
	return -1, 0
}

// normalize reduces a header name to its lower-case letters and digits,
// with accents removed, so that "Account ID", "account_id" and "AccountId"
// compare equal, as do "Razón Social" and "razon social".
func normalize(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent split off by NFD
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// closeMatches returns up to limit names that look like name: equal or
// containing each other after normalising, or a few edits apart.
func closeMatches(name string, names []string, limit int) []string {
	type match struct {
		name string
		dist int
	}
	want := normalize(name)
	var found []match
	for _, n := range names {
		got := normalize(n)
		if got == "" || want == "" {
			continue
		}
		d := editDistance(want, got)
		if strings.Contains(got, want) || strings.Contains(want, got) {
			d = min(d, 1)
		}
		if d <= max(2, (len(want)+2)/3) {
			found = append(found, match{n, d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].dist < found[j].dist })
	var out []string
	for _, m := range found[:min(len(found), limit)] {
		out = append(out, m.name)
	}
	return out
}

// editDistance returns the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
