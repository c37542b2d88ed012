package report

// Status is the final state of one record.
type Status string

// The statuses a record can end with. Counts in summary.json use the same
// words.
const (
	Created     Status = "created"     // COR created the client; the outcome has its COR id
	Duplicate   Status = "duplicate"   // already in COR for this source, or repeated in the input
	Invalid     Status = "invalid"     // rejected locally or by the API
	Failed      Status = "failed"      // could not be delivered
	Skipped     Status = "skipped"     // blank line or empty row
	Valid       Status = "valid"       // passed validation in a dry run; nothing was sent
	Unprocessed Status = "unprocessed" // not attempted because the run stopped early
)

// Outcome is the result of one record: its status and where it came from.
type Outcome struct {
	Seq  int64  // 1-based position in the whole run; results are written in this order
	File string // input file as given on the command line
	Line int    // physical line where the record starts

	ExternalID string
	Name       string
	Status     Status
	CORID      int64 // 0 when COR did not create the client
	HTTPStatus int   // last HTTP status, 0 when nothing was sent
	ErrorCode  string
	Message    string
	Attempts   int
	Hash       uint64 // hash of the record's content, matched on resume

	// Original values, written verbatim to the rejected file for invalid
	// and failed records: CSV cells with their header, or a JSONL line.
	Header []string
	Fields []string
	Text   []byte

	// JSON is set for a record of a JSONL or JSON array input, whose
	// rejected row is Text whatever Header contains. Without JSON, a
	// record with Text and no Fields is a CSV record that could not be
	// split into cells.
	JSON bool
}
