//go:build !linux

package archive

import (
	"fmt"
	"os"
	"path/filepath"
)

// syncStored makes a chunk's new originals durable, with their folders,
// before the rows that name them commit: each copy and each folder
// fsynced (Linux does it with one syncfs).
func (a *Archive) syncStored(files []string) error {
	dirs := map[string]bool{}
	for _, f := range files {
		if err := fsyncFile(f); err != nil {
			return err
		}
		dirs[filepath.Dir(f)] = true
	}
	dirs[filepath.Join(a.c.Dir, "originals")] = true
	for d := range dirs {
		syncDir(d)
	}
	return nil
}

func fsyncFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("archive: the originals could not be written to disk: %w", err)
	}
	return nil
}
