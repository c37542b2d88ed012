//go:build !unix

package main

import "os"

// peakRSS returns 0: this platform has no getrusage.
func peakRSS(*os.ProcessState) int64 { return 0 }
