package archive

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// syncStored makes a chunk's new originals durable, with their folders,
// before the rows that name them commit: one syncfs of the data folder's
// file system. An fsync of each copy and of each of the folders it went
// into (up to 256 of them a chunk, the originals being spread by their
// first byte) was a sixth of an ingest's own CPU on a trove of small
// files; syncfs writes the same and waits once.
func (a *Archive) syncStored(files []string) error {
	if len(files) == 0 {
		return nil
	}
	d, err := os.Open(filepath.Join(a.c.Dir, "originals"))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("archive: the originals could not be written to disk: %w", err)
	}
	return nil
}
