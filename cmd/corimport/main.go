// Command corimport bulk-imports client records from CSV and JSONL files into
// COR through its Integrations API, and writes a report that accounts for
// every input record.
//
// Run "corimport help" for the commands and exit codes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "corimport: %s: stopping; a second signal exits at once\n", sig)
		cancel()
		<-signals
		// The results file is flushed every second and its reader
		// tolerates a torn last row, so the report stays resumable.
		os.Exit(exitInterrupted)
	}()

	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
