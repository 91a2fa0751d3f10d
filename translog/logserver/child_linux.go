package logserver

import (
	"os/exec"
	"syscall"
)

// dieWithParent: the log server ends when the process that started it
// does, even killed (a test's background command is), rather than keep
// serving, and holding its output pipe open, orphaned.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
