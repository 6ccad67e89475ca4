//go:build unix

package blob

import (
	"os"
	"syscall"
)

// lock takes an exclusive lock on a marker; the kernel drops it when the
// process dies, however it dies.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// tryLock reports whether no live process holds f's lock. Any failure,
// "held" or "this filesystem has no locks", counts as held: a blob is kept
// rather than risk one whose row is about to land.
func tryLock(f *os.File) bool {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}
