package importer

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
	"github.com/corimport/corimport/report"
)

// Sink receives outcomes in input order. *report.Writer implements it.
type Sink interface {
	Write(o *report.Outcome) error
	Flush() error
}

// Ledger is the record of what earlier runs of the same job did, for
// --resume. A nil Ledger means a fresh job.
type Ledger interface {
	// Resumed reports whether the record already has a final outcome.
	Resumed(file string, line int, externalID string, hash uint64) bool
	// MaybeSent reports whether an earlier run may have sent the record
	// without recording the response.
	MaybeSent(file string, line int, externalID string, hash uint64) bool
	// Sending records, before the first attempt, that the record is about
	// to be sent. It must reach the operating system before it returns.
	Sending(file string, line int, externalID string, hash uint64) error
	// Settled records that every attempt got a response, so that COR's
	// state for the record is known and a resumed run need not confirm it.
	Settled(file string, line int, externalID string, hash uint64) error
}

// Config is the configuration of one run. Inputs, Sink and, unless
// DryRun, Sender are required.
type Config struct {
	Inputs []string  // file names; "-" is standard input
	Stdin  io.Reader // read for "-"
	Input  input.Options

	Spec   *mapping.Spec // nil infers a mapping from each file's header
	Source string        // --source, used when the spec has none

	DryRun  bool
	Sender  *Sender
	Workers int
	Sink    Sink
	Ledger  Ledger

	MaxErrors Threshold
	// MaxConsecutiveFailures aborts the run after this many records in a
	// row could not be delivered (the API is unreachable). 0 means 20.
	MaxConsecutiveFailures int
	// ShutdownTimeout bounds how long requests in flight may take to
	// finish once the run stops. 0 means 10 s.
	ShutdownTimeout time.Duration
	// FlushEvery is how often the sink is flushed. 0 means one second.
	FlushEvery time.Duration
	// ProgressEvery is how often Hooks.Progress is called, rounded up to
	// a multiple of FlushEvery. 0 means 10 s.
	ProgressEvery time.Duration

	Hooks Hooks
}

// Hooks are the events of a run, for the command to log. Every hook is
// optional and is called from one goroutine at a time.
type Hooks struct {
	FileOpened func(FileInfo)
	// FileRead is called when a file was read to its end, with what the
	// reader learned on the way: an encoding decided after the first
	// bytes adds a warning only then.
	FileRead func(FileInfo)
	Progress func(Progress)
	Aborting func(err error)
}

// FileInfo describes an input file once its header is read.
type FileInfo struct {
	Name    string
	Input   input.Info
	Mapping []string // one line per mapped field
	Ignored []string // columns the mapping does not use
}

// Progress is a snapshot of a run, sent to Hooks.Progress every
// ProgressEvery and once at the end.
type Progress struct {
	Counts  map[report.Status]int
	Elapsed time.Duration
}

// Result sums up a run.
type Result struct {
	Counts      map[report.Status]int
	Aborted     error // cause of an early stop, nil if the run finished
	Interrupted bool  // the run was stopped by ctx (a signal)
}

// Errors that abort a run; Result.Aborted wraps one of them.
var (
	ErrTooManyErrors  = errors.New("too many invalid or failed records")
	ErrAPIUnreachable = errors.New("too many consecutive delivery failures")
)

// Run imports the inputs. Problems with a whole file found before the
// first record is sent are returned as errors with nothing sent. Once
// records flow, Run always returns a Result accounting for every record
// read; its error is then a fatal reading or report error.
//
// When ctx is done (a signal), Run stops reading, lets requests in flight
// finish within ShutdownTimeout and returns with Interrupted set.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = withDefaults(cfg)
	files, err := openAll(cfg)
	if err != nil {
		return Result{}, err
	}
	defer closeAll(files)
	for _, f := range files {
		if cfg.Hooks.FileOpened != nil {
			cfg.Hooks.FileOpened(f.info)
		}
	}

	r := newRun(ctx, cfg)
	return r.run(files)
}

func withDefaults(cfg Config) Config {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.MaxConsecutiveFailures <= 0 {
		cfg.MaxConsecutiveFailures = 20
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = time.Second
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 10 * time.Second
	}
	return cfg
}

// run is the state of one Run: a reader goroutine, the workers and a
// writer goroutine, joined by channels.
type run struct {
	cfg Config

	signal context.Context // done on a signal
	stop   context.Context // done on a signal or an abort: start nothing new
	abort  context.CancelCauseFunc
	reqCtx context.Context // done ShutdownTimeout after stop
	cancel context.CancelFunc

	jobs    chan *job
	results chan *report.Outcome
	window  chan struct{} // one token per record between reading and writing

	consecutiveFailures atomic.Int64
	start               time.Time
	lastProgress        time.Time
	counts              map[report.Status]int // owned by the writer
}

type job struct {
	outcome  *report.Outcome
	delivery Delivery
}

func newRun(ctx context.Context, cfg Config) *run {
	stop, abort := context.WithCancelCause(ctx)
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	window := 4*cfg.Workers + 1024
	return &run{
		cfg:          cfg,
		signal:       ctx,
		stop:         stop,
		abort:        abort,
		reqCtx:       reqCtx,
		cancel:       cancel,
		jobs:         make(chan *job, 2*cfg.Workers),
		results:      make(chan *report.Outcome, cfg.Workers+64),
		window:       make(chan struct{}, window),
		start:        time.Now(),
		lastProgress: time.Now(),
		counts:       make(map[report.Status]int),
	}
}

func (r *run) run(files []*openFile) (Result, error) {
	defer r.cancel()

	// bound requests in flight once the run stops
	stopWatch := context.AfterFunc(r.stop, func() {
		t := time.AfterFunc(r.cfg.ShutdownTimeout, r.cancel)
		context.AfterFunc(r.reqCtx, func() { t.Stop() })
	})
	defer stopWatch()

	var g errgroup.Group
	var readErr error
	g.Go(func() error {
		defer close(r.jobs)
		readErr = r.read(files)
		return nil
	})
	var workers sync.WaitGroup
	for range r.cfg.Workers {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			r.work()
			return nil
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(r.results)
		return nil
	})
	writeErr := r.write()
	_ = g.Wait()

	res := Result{Counts: r.counts, Interrupted: r.signal.Err() != nil}
	if cause := context.Cause(r.stop); cause != nil && !errors.Is(cause, context.Canceled) {
		res.Aborted = cause
	}
	if readErr != nil {
		res.Aborted = readErr
	}
	return res, writeErr
}

// fail stops the run for err, keeping the first reason given.
func (r *run) fail(err error) {
	if r.stop.Err() != nil {
		return
	}
	if r.cfg.Hooks.Aborting != nil {
		r.cfg.Hooks.Aborting(err)
	}
	r.abort(err)
}

// outcomeFor returns the start of a record's outcome.
func outcomeFor(seq int64, rec *input.Record) *report.Outcome {
	return &report.Outcome{Seq: seq, File: rec.File, Line: rec.Line}
}
