// Package importer runs an import job: it reads records from input files,
// maps and validates them, sends the valid ones to COR through a paced pool
// of workers and hands every outcome to the report in input order.
//
// The pieces are in their own packages: importer/input reads files, mapping
// turns a record into a client payload, importer/corapi talks HTTP to COR,
// and report writes the ledger. This package owns the concurrency (Run), the
// retry policy and the shared pace of requests (Sender).
package importer
