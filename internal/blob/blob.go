// Package blob keeps ciphertext files under the data folder.
//
// Contract:
//
//   - Only ciphertext is ever handed to this package; it never sees a key.
//   - A blob becomes visible under its final name only after its bytes and
//     its directory entry are fsynced (write to tmp/, fsync, rename, fsync
//     the directory). A crash leaves at most a file in tmp/, which Open
//     deletes (unless a live process sharing the folder still holds it), so
//     a half-written blob is never served.
//   - A committed blob is "pending" until the caller's row lands and it calls
//     Settle: a marker in pending/ names it, locked (flock) by the committing
//     process. Sweep removes an unreferenced blob only when no live process
//     holds its marker, so it never races a commit, even on a folder shared
//     between machines, and needs no clock.
//   - Every file and folder this package writes has its modification and
//     access times set to midnight UTC of the day (store.Day), after each
//     change, and blobs are read with O_NOATIME where the system has it: the
//     folder holds no finer time than the rows do. The filesystem's own
//     change and birth times cannot be set from user space (see
//     docs/USAGE.md: the data folder belongs on an encrypted volume).
//   - Names are random and carry no information; callers cannot choose them,
//     so no outside input ever reaches a path.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"confide/internal/store"
)

// ErrNotFound means no blob has that name.
var ErrNotFound = errors.New("blob: not found")

// Dir is a folder of blobs.
type Dir struct {
	root string
	// now is the clock the folder's times are taken from; tests move it.
	now func() time.Time

	mu sync.Mutex
	// held are the locked markers of blobs this process committed and whose
	// rows have not been settled yet.
	held map[string]*os.File
}

// Open prepares the folder and deletes leftovers of interrupted writes.
func Open(root string) (*Dir, error) {
	d := &Dir{root: root, now: time.Now, held: map[string]*os.File{}}
	for _, dir := range []string{d.tmp(), d.pending()} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("blob: %w", err)
		}
	}
	entries, err := os.ReadDir(d.tmp())
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		// A write another live process (sharing the folder) still holds is
		// not a leftover.
		p := filepath.Join(d.tmp(), e.Name())
		if f, err := os.Open(p); err == nil {
			free := tryLock(f)
			f.Close()
			if free {
				os.Remove(p)
			}
		}
	}
	d.stamp(d.root, d.tmp(), d.pending())
	return d, nil
}

// Close releases the markers this process still holds, as its exit would.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, f := range d.held {
		f.Close()
		delete(d.held, name)
	}
	return nil
}

func (d *Dir) tmp() string     { return filepath.Join(d.root, "tmp") }
func (d *Dir) pending() string { return filepath.Join(d.root, "pending") }

func (d *Dir) marker(name string) string { return filepath.Join(d.pending(), name) }

// midnight is the start of today's store.Day: the only time the folder shows.
func (d *Dir) midnight() time.Time { return store.DayOf(d.now()).Time() }

// stamp sets paths' access and modification times to midnight. It is best
// effort: a path that vanished meanwhile has no time left to hide.
func (d *Dir) stamp(paths ...string) {
	m := d.midnight()
	for _, p := range paths {
		os.Chtimes(p, m, m)
	}
}

// validName accepts only names this package made.
func validName(name string) bool {
	if len(name) != 32 {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil && strings.ToLower(name) == name
}

func (d *Dir) path(name string) (string, error) {
	if !validName(name) {
		return "", ErrNotFound
	}
	return filepath.Join(d.root, name[:2], name+".age"), nil
}

// Pending is a blob being written. Nothing can read it until Commit.
type Pending struct {
	d    *Dir
	f    *os.File
	name string
	n    int64
}

// Create starts a new blob.
func (d *Dir) Create() (*Pending, error) {
	b := make([]byte, 16)
	rand.Read(b)
	name := hex.EncodeToString(b)
	f, err := os.OpenFile(filepath.Join(d.tmp(), name+".part"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	lock(f) // until Commit or Abort closes it: see Open
	d.stamp(d.tmp())
	return &Pending{d: d, f: f, name: name}, nil
}

// Write appends ciphertext.
func (p *Pending) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.n += int64(n)
	return n, err
}

// Size is the number of bytes written so far.
func (p *Pending) Size() int64 { return p.n }

// Name is the name the blob will have once committed.
func (p *Pending) Name() string { return p.name }

// Commit makes the blob durable and visible under Name, and pending until
// Settle: a crash before the caller's row lands leaves it for Sweep. Until
// Settle (or Remove) the process holds the marker open, so every Commit must
// be followed by one of them.
func (p *Pending) Commit() error {
	d := p.d
	tmp := p.f.Name()
	// Times go on before the fsync, so the inode reaches the disk with them.
	d.stamp(tmp)
	if err := p.f.Sync(); err != nil {
		p.Abort()
		return fmt.Errorf("blob: sync: %w", err)
	}
	if err := p.f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: %w", err)
	}
	final, _ := d.path(p.name)
	shard := filepath.Dir(final)
	if err := os.MkdirAll(shard, 0o700); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: %w", err)
	}
	if err := d.hold(p.name); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		d.Settle(p.name)
		return fmt.Errorf("blob: %w", err)
	}
	d.stamp(shard, d.root, d.tmp())
	return syncDir(shard)
}

// hold creates and locks name's marker, durably, before the blob appears.
func (d *Dir) hold(name string) error {
	m, err := os.OpenFile(d.marker(name), os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	// Where the filesystem has no locks, the marker still keeps Sweep off
	// (it only removes a marked blob it could lock); see tryLock.
	lock(m)
	d.stamp(m.Name(), d.pending())
	if err := syncDir(d.pending()); err != nil {
		m.Close()
		os.Remove(m.Name())
		return err
	}
	d.mu.Lock()
	d.held[name] = m
	d.mu.Unlock()
	return nil
}

// Settle says the named blobs' rows have landed (or that they were removed):
// their markers go, and Sweep judges them by their rows alone from now on.
func (d *Dir) Settle(names ...string) {
	for _, name := range names {
		if !validName(name) {
			continue
		}
		d.mu.Lock()
		m := d.held[name]
		delete(d.held, name)
		d.mu.Unlock()
		os.Remove(d.marker(name))
		if m != nil {
			m.Close()
		}
	}
	d.stamp(d.pending())
}

// Abort discards the blob.
func (p *Pending) Abort() {
	p.f.Close()
	os.Remove(p.f.Name())
	p.d.stamp(p.d.tmp())
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}

// Open opens a committed blob for reading. Reading leaves its access time
// alone where the system allows (O_NOATIME), so downloads leave no trace.
func (d *Dir) Open(name string) (*os.File, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	f, err := OpenQuiet(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return f, nil
}

// OpenQuiet opens a file for reading without moving its access time where
// the system allows (O_NOATIME), so reads leave no trace of when they
// happened; the site's published files are read through it too.
func OpenQuiet(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|noATime, 0)
	if errors.Is(err, fs.ErrPermission) && noATime != 0 {
		// O_NOATIME is refused on a file this user does not own.
		f, err = os.Open(name)
	}
	return f, err
}

// Remove deletes a committed blob. Removing a missing blob is not an error,
// so deletion can be retried.
func (d *Dir) Remove(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	// The unlink moved the shard folder's time; and a removed blob needs no
	// marker.
	d.stamp(filepath.Dir(p))
	d.Settle(name)
	return nil
}

// Sweep removes committed blobs that no item references: what a crash
// between Commit and the database commit leaves, or one during a deletion
// (rows go first, then files). A pending blob whose marker a live process
// still holds is in the middle of its commit and is left alone, however
// old; a referenced blob's stale marker is settled.
func (d *Dir) Sweep(ctx context.Context, referenced func(context.Context, string) (bool, error)) (int, error) {
	removed := 0
	var dirs []string
	err := filepath.WalkDir(d.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			dirs = append(dirs, path)
			if path == d.tmp() || path == d.pending() {
				return filepath.SkipDir
			}
			return nil
		}
		name, ok := strings.CutSuffix(e.Name(), ".age")
		if !ok || !validName(name) {
			return nil
		}
		marked := true
		m, err := os.Open(d.marker(name))
		if errors.Is(err, fs.ErrNotExist) {
			marked = false
		} else if err != nil {
			return nil // cannot tell: keep it
		} else {
			free := tryLock(m)
			m.Close()
			if !free {
				return nil // its commit is still running somewhere
			}
		}
		ref, err := referenced(ctx, name)
		if err != nil {
			return err
		}
		if !ref {
			os.Remove(path)
			removed++
		}
		if marked {
			os.Remove(d.marker(name))
		}
		return nil
	})
	// Reading the folders moved their access times.
	d.stamp(append(dirs, d.pending())...)
	if err != nil {
		return removed, fmt.Errorf("blob: sweep: %w", err)
	}
	return removed, nil
}

// Copy streams a blob to w.
func (d *Dir) Copy(w io.Writer, name string) (int64, error) {
	f, err := d.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}
