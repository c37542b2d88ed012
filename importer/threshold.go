package importer

import (
	"fmt"
	"strconv"
	"strings"
)

// Threshold is the --max-errors limit: a count of invalid and failed
// records, or a share of the records read. The zero value means no limit.
type Threshold struct {
	Count   int     // abort when this many records are invalid or failed
	Percent float64 // abort when this share of the records read, in percent, is
}

// ParseThreshold parses "25", "5%" or "" (no limit).
func ParseThreshold(s string) (Threshold, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Threshold{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v <= 0 || v > 100 {
			return Threshold{}, fmt.Errorf("invalid share %q: want a percentage such as 5%%, above 0 and at most 100", s)
		}
		return Threshold{Percent: v}, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return Threshold{}, fmt.Errorf("invalid count %q: want a whole number such as 100, or a percentage such as 5%%", s)
	}
	return Threshold{Count: v}, nil
}

// String returns the threshold as ParseThreshold accepts it.
func (t Threshold) String() string {
	switch {
	case t.Percent > 0:
		return strconv.FormatFloat(t.Percent, 'f', -1, 64) + "%"
	case t.Count > 0:
		return strconv.Itoa(t.Count)
	}
	return ""
}

// Reached reports whether bad records out of read ones reach the limit. A
// percentage is only judged once 100 records were read, so that the first
// bad record of a run does not count as 100%.
func (t Threshold) Reached(bad, read int) bool {
	switch {
	case t.Count > 0:
		return bad >= t.Count
	case t.Percent > 0:
		return read >= 100 && float64(bad)*100 >= t.Percent*float64(read)
	}
	return false
}
