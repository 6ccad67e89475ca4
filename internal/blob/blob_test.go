package blob

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCommitAbortAndLeftovers(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.Create()
	p.Write([]byte("cipher"))
	if _, err := d.Open(p.Name()); !errors.Is(err, ErrNotFound) {
		t.Fatal("a pending blob is readable before commit")
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := d.Copy(&buf, p.Name()); err != nil || buf.String() != "cipher" {
		t.Fatalf("%q %v", buf.String(), err)
	}
	q, _ := d.Create()
	q.Write([]byte("half"))
	q.Abort()
	if _, err := d.Open(q.Name()); !errors.Is(err, ErrNotFound) {
		t.Fatal("an aborted blob is readable")
	}
	// A crash mid-write leaves a .part file; reopening deletes it.
	r, _ := d.Create()
	r.Write([]byte("crash"))
	if ents, _ := os.ReadDir(filepath.Join(root, "tmp")); len(ents) != 1 {
		t.Fatalf("tmp has %d entries", len(ents))
	}
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "tmp")); len(ents) != 0 {
		t.Fatal("leftover partial survived a restart")
	}
	if err := d.Remove(p.Name()); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(p.Name()); err != nil {
		t.Fatal("removing twice failed", err)
	}
}

func TestNamesCannotEscape(t *testing.T) {
	d, _ := Open(t.TempDir())
	for _, bad := range []string{"../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", "zz" + string(make([]byte, 30))} {
		if _, err := d.Open(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("%q: %v", bad, err)
		}
		if err := d.Remove(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("remove %q: %v", bad, err)
		}
	}
}

func TestSweep(t *testing.T) {
	d, _ := Open(t.TempDir())
	keep, _ := d.Create()
	keep.Commit()
	orphan, _ := d.Create()
	orphan.Commit()
	n, err := d.Sweep(context.Background(), 0, func(_ context.Context, name string) (bool, error) {
		return name == keep.Name(), nil
	})
	if err != nil || n != 1 {
		t.Fatalf("swept %d %v", n, err)
	}
	if _, err := d.Open(keep.Name()); err != nil {
		t.Fatal("referenced blob swept")
	}
	if _, err := d.Open(orphan.Name()); !errors.Is(err, ErrNotFound) {
		t.Fatal("orphan kept")
	}
}
