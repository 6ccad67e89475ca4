//go:build linux

package blob

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"confide/internal/store"
)

// TestTimesAreMidnight: after every change this package makes, the files
// and folders it touched show midnight UTC of the day and nothing finer,
// in their modification and their access times, and reading a blob does
// not move its access time.
func TestTimesAreMidnight(t *testing.T) {
	root := t.TempDir()
	midnight := store.Today().Time() // Open runs on the real clock
	check := func(step string, paths ...string) {
		t.Helper()
		for _, p := range paths {
			info, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			st := info.Sys().(*syscall.Stat_t)
			atime := time.Unix(st.Atim.Sec, st.Atim.Nsec)
			if !info.ModTime().Equal(midnight) || !atime.Equal(midnight) {
				t.Errorf("%s: %s has mtime %v atime %v, want %v", step, p, info.ModTime().UTC(), atime.UTC(), midnight)
			}
		}
	}
	tmp, pending := filepath.Join(root, "tmp"), filepath.Join(root, "pending")
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	check("open", root, tmp, pending)
	// From now on a day in the past: a test run at midnight must fail too.
	now := time.Date(2025, 3, 4, 15, 27, 11, 0, time.UTC)
	midnight = time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return now }

	p, _ := d.Create()
	check("create", tmp)
	p.Write([]byte("ciphertext"))
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	file, _ := d.path(p.Name())
	shard := filepath.Dir(file)
	marker := filepath.Join(pending, p.Name())
	check("commit", file, shard, root, tmp, pending, marker)

	f, err := d.Open(p.Name())
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, f)
	f.Close()
	check("read", file)

	d.Settle(p.Name())
	check("settle", pending)

	q, _ := d.Create()
	q.Abort()
	check("abort", tmp)

	r, _ := d.Create()
	r.Commit()
	d.Settle(r.Name())
	if err := d.Remove(r.Name()); err != nil {
		t.Fatal(err)
	}
	check("remove", shard, pending)

	// A sweep reads every folder, and removes what no row names.
	o, _ := d.Create()
	o.Commit()
	d.Settle(o.Name())
	if n, err := d.Sweep(context.Background(), func(_ context.Context, name string) (bool, error) { return name != o.Name(), nil }); err != nil || n != 1 {
		t.Fatalf("swept %d %v", n, err)
	}
	oFile, _ := d.path(o.Name())
	check("sweep", root, shard, filepath.Dir(oFile), tmp, pending, file)
}
