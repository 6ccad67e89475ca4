package blob

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	r.f.Close() // the crash: the writing process and its lock are gone
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
	// Both rows "landed"; the orphan's was deleted since, and a crash came
	// before its file went.
	d.Settle(keep.Name(), orphan.Name())
	n, err := d.Sweep(context.Background(), func(_ context.Context, name string) (bool, error) {
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

// unreferenced is a Sweep callback for a database that has no rows at all.
func unreferenced(context.Context, string) (bool, error) { return false, nil }

// TestSweepSparesCommitsInFlight is the grace period: a blob committed a
// moment ago whose row has not landed yet looks exactly like a crash's
// orphan, except that its committing process is alive and holds its marker.
// Sweep (here from a second Dir, as a restarted or second server would)
// must leave it, however long it waits, and remove it once that process is
// gone.
func TestSweepSparesCommitsInFlight(t *testing.T) {
	root := t.TempDir()
	writer, _ := Open(root)
	fresh, _ := writer.Create()
	fresh.Write([]byte("row about to land"))
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	stale, _ := writer.Create()
	stale.Commit()
	sweeper, _ := Open(root)
	// Long after the commit by the clock: the grace is not a time.
	sweeper.now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	if n, err := sweeper.Sweep(context.Background(), unreferenced); err != nil || n != 0 {
		t.Fatalf("swept %d %v while their commits were running", n, err)
	}
	for _, p := range []*Pending{fresh, stale} {
		if _, err := sweeper.Open(p.Name()); err != nil {
			t.Fatalf("a blob whose commit is in flight was swept: %v", err)
		}
	}
	// The row of fresh lands; then the writer dies (its locks go with it)
	// before stale's row does.
	writer.Settle(fresh.Name())
	writer.Close()
	referenced := func(_ context.Context, name string) (bool, error) { return name == fresh.Name(), nil }
	if n, err := sweeper.Sweep(context.Background(), referenced); err != nil || n != 1 {
		t.Fatalf("swept %d %v, want the one orphan", n, err)
	}
	if _, err := sweeper.Open(stale.Name()); !errors.Is(err, ErrNotFound) {
		t.Fatal("an orphan of a dead commit survived the sweep")
	}
	if _, err := sweeper.Open(fresh.Name()); err != nil {
		t.Fatal("a settled, referenced blob was swept")
	}
	if left, _ := os.ReadDir(filepath.Join(root, "pending")); len(left) != 0 {
		t.Fatalf("%d markers left after the sweep", len(left))
	}
}

// TestSweepSettlesLateMarkers: a crash after the row landed but before
// Settle leaves a marker on a referenced blob; Sweep keeps the blob and
// drops the marker.
func TestSweepSettlesLateMarkers(t *testing.T) {
	root := t.TempDir()
	writer, _ := Open(root)
	p, _ := writer.Create()
	p.Commit()
	writer.Close()
	d, _ := Open(root)
	n, err := d.Sweep(context.Background(), func(context.Context, string) (bool, error) { return true, nil })
	if err != nil || n != 0 {
		t.Fatalf("swept %d %v", n, err)
	}
	if _, err := d.Open(p.Name()); err != nil {
		t.Fatal("a referenced blob was swept")
	}
	if left, _ := os.ReadDir(filepath.Join(root, "pending")); len(left) != 0 {
		t.Fatal("the marker of a referenced blob stayed")
	}
}

// TestOpenSparesLiveWrites: on a folder shared between servers, one
// starting up deletes only the leftovers of dead writes, not a write in
// progress elsewhere.
func TestOpenSparesLiveWrites(t *testing.T) {
	root := t.TempDir()
	writer, _ := Open(root)
	live, _ := writer.Create()
	live.Write([]byte("still arriving"))
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if err := live.Commit(); err != nil {
		t.Fatalf("a second server's start deleted a write in progress: %v", err)
	}
	dead, _ := writer.Create()
	dead.f.Close() // its process is gone, and its lock with it
	Open(root)
	if _, err := os.Stat(dead.f.Name()); !os.IsNotExist(err) {
		t.Fatal("the leftover of a dead write survived a start")
	}
}

// TestPutSettles: a restore's blob (its row is in already) keeps no
// marker and holds no file open, and gets the folder's midnight times.
func TestPutSettles(t *testing.T) {
	root := t.TempDir()
	Open(root)
	d := Existing(root)
	name := "0123456789abcdef0123456789abcdef"
	if _, err := d.Put(name, bytes.NewReader([]byte("cipher"))); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, "pending")); len(left) != 0 || len(d.held) != 0 {
		t.Fatalf("%d markers left, %d held", len(left), len(d.held))
	}
	info, err := os.Stat(filepath.Join(root, name[:2], name+".age"))
	if err != nil || info.ModTime().UTC().Hour() != 0 || info.ModTime().UTC().Minute() != 0 || info.ModTime().Second() != 0 {
		t.Fatalf("restored blob: %v %v", info.ModTime(), err)
	}
}
