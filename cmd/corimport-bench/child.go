package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// childTimeout bounds one child process, so that a hung run fails the
// benchmark instead of stalling it.
const childTimeout = 3 * time.Minute

// A measured program does not run as a direct child of the benchmark,
// because on Linux its ru_maxrss would then include the benchmark's own
// peak. Go starts children with clone(CLONE_VM) (see syscall/exec_linux.go),
// so until exec the child shares the parent's memory. Measured on Linux:
// /bin/true started by a process that had touched 200 MiB reports a peak
// of 207 MiB. The stand-in holding 200,000 clients would hide every
// child's peak. Instead this program runs itself in exec mode, a small
// process that starts the measured program, waits for it and writes an
// execReport to file descriptor 3. Its own peak, about 8 MiB, is then the
// floor of every figure.

// execReport is exec mode's account of the program it ran.
type execReport struct {
	Start    int64 `json:"start_unix_nano"` // wall clock just before exec
	Wall     int64 `json:"wall_nano"`       // from just before exec to the end of wait
	PeakRSS  int64 `json:"peak_rss_bytes"`
	CPU      int64 `json:"cpu_nano"` // user and system time
	ExitCode int   `json:"exit_code"`
}

// child is a measured program being run through exec mode.
type child struct {
	name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	report *os.File // read end of the execReport pipe
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// exited is the account of a measured program that has exited.
type exited struct {
	Start   time.Time     // wall clock just before exec
	Wall    time.Duration // from just before exec to the end of wait
	PeakRSS int64         // bytes
	CPU     time.Duration // user and system time
	Stdout  []byte
	Stderr  []byte
}

// startChild runs path with args through exec mode of self. The program
// gets a clean copy of this process's environment plus env.
func startChild(ctx context.Context, self, name, path string, args, env []string) (*child, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer w.Close()

	ctx, cancel := context.WithTimeout(ctx, childTimeout)
	c := &child{name: name, cancel: cancel, report: r}
	c.cmd = exec.CommandContext(ctx, self, append([]string{"-mode=" + modeExec, "--", path}, args...)...)
	c.cmd.Env = append(cleanEnv(os.Environ()), env...)
	c.cmd.Stdout = &c.stdout
	c.cmd.Stderr = &c.stderr
	c.cmd.ExtraFiles = []*os.File{w}
	if err := c.cmd.Start(); err != nil {
		cancel()
		r.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, path, err)
	}
	return c, nil
}

// wait waits for the program to exit and returns an error, with the end
// of its standard error, unless it exited with code 0.
func (c *child) wait() (exited, error) {
	data, readErr := io.ReadAll(c.report)
	c.report.Close()
	err := c.cmd.Wait()
	c.cancel()
	res := exited{Stdout: c.stdout.Bytes(), Stderr: c.stderr.Bytes()}

	var rep execReport
	if jsonErr := json.Unmarshal(data, &rep); readErr != nil || jsonErr != nil {
		return res, fmt.Errorf("%s: no report from exec mode (%v); end of its stderr:\n%s",
			c.name, errors.Join(readErr, jsonErr, err), tail(res.Stderr, 2000))
	}
	res.Start = time.Unix(0, rep.Start)
	res.Wall = time.Duration(rep.Wall)
	res.PeakRSS = rep.PeakRSS
	res.CPU = time.Duration(rep.CPU)
	if rep.ExitCode != 0 {
		return res, fmt.Errorf("%s: exit code %d, want 0; end of its stderr:\n%s",
			c.name, rep.ExitCode, tail(res.Stderr, 2000))
	}
	return res, nil
}

// runChild starts a child and waits for it.
func runChild(ctx context.Context, self, name, path string, args, env []string) (exited, error) {
	c, err := startChild(ctx, self, name, path, args, env)
	if err != nil {
		return exited{}, err
	}
	return c.wait()
}

// execChild is exec mode: it runs args as a program with this process's
// standard streams and environment, writes an execReport to file
// descriptor 3 and returns the program's exit code.
func execChild(args []string) (int, error) {
	if len(args) == 0 {
		return exitUsage, errors.New("no program to run after --")
	}
	out := os.NewFile(3, "report")
	if out == nil {
		return exitUsage, errors.New("file descriptor 3 for the report is not open")
	}
	defer out.Close()

	// the parent-death signal follows the thread that started the child
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	dieWithParent(cmd)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return exitFailed, err
	}

	rep := execReport{
		Start:    start.UnixNano(),
		Wall:     int64(wall),
		PeakRSS:  peakRSS(cmd.ProcessState),
		CPU:      int64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()),
		ExitCode: cmd.ProcessState.ExitCode(),
	}
	if err := json.NewEncoder(out).Encode(rep); err != nil {
		return exitFailed, fmt.Errorf("write the report: %w", err)
	}
	return rep.ExitCode, nil
}

// cleanEnv drops the variables that would change what is measured: the
// importer's flag and credential variables and the Go runtime's tuning.
func cleanEnv(env []string) []string {
	drop := []string{"COR_", "CORIMPORT_", "GOGC=", "GOMEMLIMIT=", "GOMAXPROCS=", "GODEBUG="}
	var kept []string
	for _, kv := range env {
		if !hasAnyPrefix(kv, drop) {
			kept = append(kept, kv)
		}
	}
	return kept
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
