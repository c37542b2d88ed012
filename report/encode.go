package report

import "strconv"

// resultsHeader is the first line of results.csv. The column names are
// part of the report format; ReadResults rejects a file that starts with
// anything else.
const resultsHeader = "file,line,external_id,name,status,cor_id,http_status," +
	"error_code,message,attempts,record_hash\n"

// resultsColumns is the number of columns in results.csv.
const resultsColumns = 11

// formulaPrefix is put in front of a results.csv cell that a spreadsheet
// would otherwise run as a formula.
const formulaPrefix = '\''

// needsPrefix reports whether a results.csv cell gets formulaPrefix.
//
// The trigger characters are OWASP's list for CSV injection: = + - @, TAB
// and CR. A cell that is one trigger character alone is left as it is: it
// cannot call a function or refer to another cell, and the file name "-"
// (standard input) stays readable. A cell that already starts with the
// prefix, or is the prefix alone, gets a second one. Reading the file back
// then always removes exactly one prefix and recovers the value as written,
// so a name such as 's-Hertogenbosch survives a resume unchanged.
func needsPrefix[T string | []byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	switch s[0] {
	case formulaPrefix:
		return true
	case '=', '+', '-', '@', '\t', '\r':
		return len(s) > 1
	}
	return false
}

// needsQuotes reports whether a CSV cell must be quoted: it contains the
// delimiter, a quote or a line break.
func needsQuotes[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}

// appendCell appends s as one CSV cell. When safe is set, a cell that
// needsPrefix gets formulaPrefix in front, inside the quotes if any.
func appendCell[T string | []byte](dst []byte, s T, safe bool) []byte {
	quote := needsQuotes(s)
	if quote {
		dst = append(dst, '"')
	}
	if safe && needsPrefix(s) {
		dst = append(dst, formulaPrefix)
	}
	if !quote {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// appendInt appends n as a results.csv cell, empty when n is 0 and
// omitZero is set. A negative number would get formulaPrefix like any
// cell starting with '-'; none of the numeric columns is negative in
// practice.
func appendInt(dst []byte, n int64, omitZero bool) []byte {
	if n == 0 && omitZero {
		return dst
	}
	if n < 0 {
		dst = append(dst, formulaPrefix)
	}
	return strconv.AppendInt(dst, n, 10)
}

// appendHash appends h as 16 lower-case hex digits.
func appendHash(dst []byte, h uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, digits[(h>>uint(shift))&0xf])
	}
	return dst
}

// appendResultsRow appends the results.csv row of o, with every text cell
// neutralised.
func appendResultsRow(dst []byte, o *Outcome) []byte {
	dst = appendCell(dst, o.File, true)
	dst = append(dst, ',')
	dst = appendInt(dst, int64(o.Line), false)
	dst = append(dst, ',')
	dst = appendCell(dst, o.ExternalID, true)
	dst = append(dst, ',')
	dst = appendCell(dst, o.Name, true)
	dst = append(dst, ',')
	dst = appendCell(dst, string(o.Status), true)
	dst = append(dst, ',')
	dst = appendInt(dst, o.CORID, true)
	dst = append(dst, ',')
	dst = appendInt(dst, int64(o.HTTPStatus), true)
	dst = append(dst, ',')
	dst = appendCell(dst, o.ErrorCode, true)
	dst = append(dst, ',')
	dst = appendCell(dst, o.Message, true)
	dst = append(dst, ',')
	dst = appendInt(dst, int64(o.Attempts), false)
	dst = append(dst, ',')
	dst = appendHash(dst, o.Hash)
	return append(dst, '\n')
}
