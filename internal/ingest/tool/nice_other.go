//go:build !linux

package tool

import "os/exec"

// startNice starts cmd ten steps nicer than this process.
func startNice(cmd *exec.Cmd) error { return startNiceExec(cmd) }
