package archive

import (
	"fmt"
	"os"
	"path/filepath"
)

// fsyncEach makes files and then folders durable one by one: where syncfs
// is not to be trusted, and on systems without it.
func fsyncEach(files, dirs []string) error {
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("archive: the originals could not be written to disk: %w", err)
		}
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			syncDir(d)
		}
	}
	return nil
}

// originalsDirs is the folders a rename into originals/ changes: the
// shard folders, and originals/ itself for a shard folder just made.
func (a *Archive) originalsDirs(dirs []string) []string {
	return append(dirs, filepath.Join(a.c.Dir, "originals"))
}
