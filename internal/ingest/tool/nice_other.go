//go:build !linux

package tool

import (
	"os"
	"os/exec"
)

// startNice starts cmd ten steps nicer than this process, through nice(1)
// where there is one; a program gone from its path is reported as such,
// not as nice's failure.
func startNice(cmd *exec.Cmd) error {
	if _, err := os.Stat(cmd.Path); err != nil {
		return err
	}
	if nice, err := lookPath("nice"); err == nil {
		cmd.Args = append([]string{nice, "-n", "10", cmd.Path}, cmd.Args[1:]...)
		cmd.Path = nice
	}
	return cmd.Start()
}
