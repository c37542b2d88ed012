package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/corimport/corimport/importer/sandbox"
)

// standIn is a fresh sandbox server on a loopback port that records the
// arrival time of every create, before the sandbox handles it.
type standIn struct {
	URL     string
	sandbox *sandbox.Server
	http    *http.Server
	served  chan error

	mu       sync.Mutex
	arrivals []time.Time
}

// startStandIn serves a new sandbox with opts on 127.0.0.1. It runs in
// this process rather than in a child because the benchmark is idle while
// a child is measured. The shared cores then carry only the stand-in's own
// work, as they would with the stand-in in a process of its own, and the
// arrival times need no channel between processes.
func startStandIn(opts sandbox.Options, expected int) (*standIn, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the stand-in: %w", err)
	}
	s := &standIn{
		URL:      "http://" + ln.Addr().String(),
		sandbox:  sandbox.New(opts),
		served:   make(chan error, 1),
		arrivals: make([]time.Time, 0, expected),
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// ServeHTTP records the arrival of a create and passes every request on
// to the sandbox.
func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/v2/integrations/clients" {
		now := time.Now()
		s.mu.Lock()
		s.arrivals = append(s.arrivals, now)
		s.mu.Unlock()
	}
	s.sandbox.ServeHTTP(w, r)
}

// Arrivals returns the arrival times of the creates so far, in the order
// the handler saw them.
func (s *standIn) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

// Created returns the number of clients the sandbox stored.
func (s *standIn) Created() int64 { return s.sandbox.Stats().Created }

// Close stops the server and closes its connections.
func (s *standIn) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	<-s.served
	return err
}
