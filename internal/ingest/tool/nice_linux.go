package tool

import (
	"errors"
	"os/exec"
	"runtime"
	"syscall"
)

// startNice starts cmd ten steps nicer than this process, without a nice
// process in between (an exec of nice cost as much again as a small
// pdftotext's start). On Linux niceness is a thread's own and a child
// inherits its forking thread's, so the fork happens on a thread of its
// own, lowered first, that ends with the goroutine: the runtime drops a
// thread whose goroutine returns still locked to it, so no other goroutine
// ever runs lowered. The main thread is the exception (the runtime keeps
// it, idle, and ps shows its niceness as the process's): a goroutine that
// lands there tries again on another, and after a few tries nice(1) does
// it.
func startNice(cmd *exec.Cmd) error {
	for range 4 {
		errc := make(chan error, 1)
		go func() {
			runtime.LockOSThread()
			tid := syscall.Gettid()
			p, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err == nil && tid != syscall.Getpid() {
				// Never unlocked: the thread goes with the goroutine. The
				// raw getpriority gives 20 minus the niceness.
				err = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(20-p+10, 19))
				if err == nil {
					errc <- cmd.Start()
					return
				}
			}
			runtime.UnlockOSThread()
			errc <- errMainThread
		}()
		if err := <-errc; err != errMainThread {
			return err
		}
	}
	return startNiceExec(cmd)
}

// errMainThread says a start landed where it may not lower the thread.
var errMainThread = errors.New("tool: on the main thread")
