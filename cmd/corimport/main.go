// Command corimport bulk-imports client records from CSV and JSONL files into
// COR through its Integrations API, and writes a report that accounts for
// every input record.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
