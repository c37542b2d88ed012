package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd when exec mode dies, so that a
// benchmark stopped on a timeout leaves no measured program behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
