// Package blob keeps ciphertext files under the data folder.
//
// Contract:
//
//   - Only ciphertext is ever handed to this package; it never sees a key.
//   - A blob becomes visible under its final name only after its bytes and
//     its directory entry are fsynced (write to tmp/, fsync, rename, fsync
//     the directory). A crash leaves at most a file in tmp/, which Open
//     deletes, so a half-written blob is never served.
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
	"time"
)

// ErrNotFound means no blob has that name.
var ErrNotFound = errors.New("blob: not found")

// Dir is a folder of blobs.
type Dir struct {
	root string
}

// Open prepares the folder and deletes leftovers of interrupted writes.
func Open(root string) (*Dir, error) {
	d := &Dir{root: root}
	if err := os.MkdirAll(d.tmp(), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	entries, err := os.ReadDir(d.tmp())
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		os.Remove(filepath.Join(d.tmp(), e.Name()))
	}
	return d, nil
}

func (d *Dir) tmp() string { return filepath.Join(d.root, "tmp") }

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

// Commit makes the blob durable and visible under Name.
func (p *Pending) Commit() error {
	tmp := p.f.Name()
	if err := p.f.Sync(); err != nil {
		p.Abort()
		return fmt.Errorf("blob: sync: %w", err)
	}
	if err := p.f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: %w", err)
	}
	final, _ := p.d.path(p.name)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(final))
}

// Abort discards the blob.
func (p *Pending) Abort() {
	p.f.Close()
	os.Remove(p.f.Name())
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

// Open opens a committed blob for reading.
func (d *Dir) Open(name string) (*os.File, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return f, nil
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
	return nil
}

// Sweep removes committed blobs that no item references and that are older
// than grace: what a crash between Commit and the database commit leaves.
func (d *Dir) Sweep(ctx context.Context, grace time.Duration, referenced func(context.Context, string) (bool, error)) (int, error) {
	removed := 0
	err := filepath.WalkDir(d.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if path == d.tmp() {
				return filepath.SkipDir
			}
			return nil
		}
		name, ok := strings.CutSuffix(e.Name(), ".age")
		if !ok || !validName(name) {
			return nil
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < grace {
			return nil
		}
		ref, err := referenced(ctx, name)
		if err != nil {
			return err
		}
		if !ref {
			os.Remove(path)
			removed++
		}
		return nil
	})
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
