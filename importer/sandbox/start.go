package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is a Server listening on a TCP address, started by Start.
type Running struct {
	// URL is the base URL, such as http://127.0.0.1:41234, of both the
	// Integrations API and the token endpoint URL+"/v1/oauth/token".
	URL string

	// Server is the handler behind URL, for its Clients and Stats.
	Server *Server

	http  *http.Server
	serve chan error // receives the result of http.Server.Serve

	closeOnce sync.Once
	closeErr  error
}

// shutdownTimeout bounds how long Close waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// Start listens on opts.Addr (a free port on 127.0.0.1 if empty) and
// serves a new Server on it in a goroutine until Close.
func Start(opts Options) (*Running, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}

	s := New(opts)
	run := &Running{
		URL:    "http://" + ln.Addr().String(),
		Server: s,
		http: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			// Resets and drops are deliberate; keep net/http from
			// logging about them.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		serve: make(chan error, 1),
	}
	go func() { run.serve <- run.http.Serve(ln) }()
	return run, nil
}

// Close stops accepting connections and waits up to 5 seconds for requests
// in flight, then closes the connections that remain. Calls after the
// first return its result.
func (run *Running) Close() error {
	run.closeOnce.Do(func() { run.closeErr = run.close() })
	return run.closeErr
}

func (run *Running) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := run.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = run.http.Close()
	}
	if serveErr := <-run.serve; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("sandbox: close %s: %w", run.URL, err)
	}
	return nil
}
