package tool

import (
	"os/exec"
	"syscall"
)

// startNice starts cmd and then lowers it ten steps below this process,
// without a nice process in between (an exec of nice cost as much again
// as a small pdftotext's start). The whole process group is lowered (cmd
// runs in one of its own), so a child the program forked meanwhile is
// lowered too, and every later one inherits the niceness. The program runs
// at this process's priority only for the moment between its start and
// this call. Lowering a thread of this process before the fork instead
// made and dropped a thread for every program, and a thousand small PDFs
// took about 4 % longer to ingest.
func startNice(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	// The raw getpriority gives 20 minus the niceness. A failure leaves
	// the program at this process's priority, still running: an ESRCH
	// means it has already ended, and nothing else is known to fail
	// (lowering needs no privilege).
	if p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0); err == nil {
		_ = syscall.Setpriority(syscall.PRIO_PGRP, cmd.Process.Pid, min(20-p+10, 19))
	}
	return nil
}
