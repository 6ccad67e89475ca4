package archive

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// fuseMagic is the f_type of a FUSE mount, where syncfs may not reach the
// backing files (gocryptfs, sshfs).
const fuseMagic = 0x65735546

// syncFiles makes a chunk's copies durable before they are renamed to
// their SHA-256: one syncfs of the data folder's file system. An fsync of
// each copy and of each folder it went into (up to 256 a chunk, the
// originals being spread by their first byte) was a sixth of an ingest's
// own CPU on a trove of small files. On FUSE each file is fsynced.
func (a *Archive) syncFiles(files []string) error {
	if len(files) == 0 {
		return nil
	}
	return a.syncfs(func() error { return fsyncEach(files, nil) })
}

// syncDirs makes the renames into dirs durable before the rows naming
// them commit, as syncFiles does.
func (a *Archive) syncDirs(dirs []string) error {
	if len(dirs) == 0 {
		return nil
	}
	return a.syncfs(func() error { return fsyncEach(nil, a.originalsDirs(dirs)) })
}

func (a *Archive) syncfs(fallback func() error) error {
	// The data folder holds both the copies (tmp/) and originals/.
	var st unix.Statfs_t
	if err := unix.Statfs(a.c.Dir, &st); err != nil || st.Type == fuseMagic {
		return fallback()
	}
	d, err := os.Open(a.c.Dir)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("archive: the originals could not be written to disk: %w", err)
	}
	return nil
}
