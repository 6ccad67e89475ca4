package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"confide/internal/store/sqlite"
	"confide/internal/store/storetest"
)

// TestDeletedSourceLeavesNoTrace reads the database file and its WAL, open
// and then closed: freed pages and old WAL frames keep what a deleted row
// held unless they are overwritten.
func TestDeletedSourceLeavesNoTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confide.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	find := func(t *testing.T, needle []byte) []string {
		var where []string
		for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(b, needle) {
				where = append(where, filepath.Base(p))
			}
		}
		return where
	}
	storetest.RunErasure(t, s, find)
	s.Close()
	for _, nd := range []string{"LOGIN-HASH-OF-THE-DELETED-SOURCE", "vanished heron", "age1deletedsourcerecipientmarker"} {
		if where := find(t, []byte(nd)); len(where) > 0 {
			t.Errorf("after closing, %q is in %v", nd, where)
		}
	}
}

// TestFilesAreOwnerOnly checks that the database and its WAL and
// shared-memory files are readable by their owner only, whatever the umask,
// and that an existing file with wider permissions is tightened.
func TestFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.db")
	if err := os.WriteFile(loose, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "confide.db"), loose} {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(context.Background(), "k", "v"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s is %v, want -rw-------", filepath.Base(p), fi.Mode().Perm())
			}
		}
		s.Close()
	}
}

// TestOlderFileIsScrubbed opens a database that an older Confide, without
// secure_delete, wrote and deleted from: the freed pages still hold the
// deleted rows until the first open rebuilds the file.
func TestOlderFileIsScrubbed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confide.db")
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	marker := bytes.Repeat([]byte("ROW-DELETED-BEFORE-SECURE-DELETE "), 100)
	for _, q := range []string{`CREATE TABLE old (v BLOB)`, `INSERT INTO old VALUES (?)`, `DELETE FROM old`} {
		if _, err := old.Exec(q, marker); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	if b, _ := os.ReadFile(path); !bytes.Contains(b, marker[:40]) {
		t.Fatal("the deleted row is not in the file: the test proves nothing")
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal"} {
		if b, _ := os.ReadFile(p); bytes.Contains(b, marker[:40]) {
			t.Fatalf("%s still holds the row deleted before", filepath.Base(p))
		}
	}
}
