package blob

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Existing returns the folder at root without preparing or cleaning it, for
// reading beside a running server: Open would delete its writes in progress.
func Existing(root string) *Dir {
	return &Dir{root: root, now: time.Now, held: map[string]*os.File{}}
}

// Put writes a blob under a name this package made before, as a restore
// does, with Commit's guarantees. It refuses a name that exists.
func (d *Dir) Put(name string, r io.Reader) (int64, error) {
	final, err := d.path(name)
	if err != nil {
		return 0, fmt.Errorf("blob: %q is not a blob name", name)
	}
	if _, err := os.Lstat(final); err == nil {
		return 0, fmt.Errorf("blob: %s exists already", name)
	}
	f, err := os.OpenFile(filepath.Join(d.tmp(), name+".part"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("blob: %w", err)
	}
	p := &Pending{d: d, f: f, name: name}
	lock(f) // a live write, which another Open must spare
	n, err := io.Copy(p, r)
	if err != nil {
		p.Abort()
		return n, err
	}
	if err := p.Commit(); err != nil {
		return n, err
	}
	// A restore loads the rows first: this blob's row is in already.
	d.Settle(name)
	return n, nil
}

// SyncDir fsyncs a directory, so the entries just made in it survive a crash.
func SyncDir(dir string) error { return syncDir(dir) }
