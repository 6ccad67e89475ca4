package postgres_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confide/internal/store"
	"confide/internal/store/storetest"
)

// openStore opens a fresh PostgreSQL store, closed when the test ends.
func openStore(t *testing.T) *store.DB {
	for _, b := range storetest.Backends() {
		if b.Name == "postgres" {
			s, _ := b.Open(t)
			return s
		}
	}
	t.Fatal("no PostgreSQL backend")
	return nil
}

// serverLog finds the PostgreSQL server's log files and returns a function
// that reads what was appended to them since the call.
func serverLog(t *testing.T, db *sql.DB) func() []byte {
	t.Helper()
	var files []string
	var current sql.NullString
	var dataDir string
	if err := db.QueryRow(`SELECT pg_current_logfile(), current_setting('data_directory')`).Scan(&current, &dataDir); err != nil {
		t.Fatal(err)
	}
	if current.Valid && current.String != "" {
		p := current.String
		if !filepath.IsAbs(p) {
			p = filepath.Join(dataDir, p)
		}
		files = append(files, p)
	}
	// Without the logging collector (Debian's default), pg_ctlcluster sends
	// the server's stderr here.
	more, _ := filepath.Glob("/var/log/postgresql/*.log")
	files = append(files, more...)
	offsets := map[string]int64{}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			offsets[f] = fi.Size()
		}
	}
	if len(offsets) == 0 {
		t.Fatalf("no readable PostgreSQL server log among %v (the test runs as root in CI)", files)
	}
	return func() []byte {
		var out []byte
		for f, off := range offsets {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatalf("server log: %v", err)
			}
			if int64(len(b)) > off {
				out = append(out, b[off:]...)
			}
		}
		return out
	}
}

// TestDuplicatesLogNothing checks that a taken login hash, designation,
// e-mail address, name or token never reaches PostgreSQL's server log: a
// unique violation logs the clashing key in its DETAIL line.
func TestDuplicatesLogNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	read := serverLog(t, s.SQL())

	marker := func(tag string) string { return tag + hex.EncodeToString([]byte(store.NewID()))[:16] }
	// A control: a raw violation with a marker must show up, or the test
	// is reading the wrong log.
	control := marker("controlkey")
	for range 2 {
		s.SQL().ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, 'x')`, control)
	}

	loginHash := []byte("LOGINHASHMARK" + store.NewID())
	designation := marker("designation")
	src := store.Source{ID: store.NewID(), LoginHash: loginHash, Recipient: "age1r", Designation: designation}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	dup := src
	dup.ID, dup.Designation = store.NewID(), marker("other")
	if err := s.CreateSource(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate login hash: %v", err)
	}
	dup.ID, dup.LoginHash, dup.Designation = store.NewID(), []byte("fresh"+store.NewID()), designation
	if err := s.CreateSource(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate designation: %v", err)
	}
	name := marker("journalist")
	s.AddJournalist(ctx, store.Journalist{Name: name, Recipient: "age1j"})
	if err := s.AddJournalist(ctx, store.Journalist{Name: name, Recipient: "age1j"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate journalist: %v", err)
	}
	j, _ := s.JournalistByName(ctx, name)
	email := marker("reader") + "@example.org"
	s.CreateReader(ctx, store.Reader{ID: store.NewID(), Email: email, Name: "R"})
	if err := s.CreateReader(ctx, store.Reader{ID: store.NewID(), Email: email, Name: "R"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate reader: %v", err)
	}
	r, _ := s.ReaderByEmail(ctx, email)
	token := []byte("TOKENHASHMARK" + store.NewID())
	exp := time.Now().Add(time.Hour)
	s.CreateSession(ctx, store.Session{TokenHash: token, JournalistID: j.ID, Kind: "web", Expires: exp})
	if err := s.CreateSession(ctx, store.Session{TokenHash: token, JournalistID: j.ID, Kind: "web", Expires: exp}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate session: %v", err)
	}
	s.CreateReaderToken(ctx, token, r.ID, "session", exp)
	if err := s.CreateReaderToken(ctx, token, r.ID, "session", exp); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate reader token: %v", err)
	}
	cred := marker("credential")
	s.AddSecurityKey(ctx, j.ID, cred, "{}")
	if err := s.AddSecurityKey(ctx, j.ID, cred, "{}"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate security key: %v", err)
	}

	log := read()
	if !bytes.Contains(log, []byte(control)) {
		t.Fatalf("the control violation is not in the server log: wrong log?\n%s", log)
	}
	for _, secret := range [][]byte{[]byte(hex.EncodeToString(loginHash)), []byte(designation), []byte(name), []byte(email),
		[]byte(hex.EncodeToString(token)), []byte(cred)} {
		if bytes.Contains(log, secret) {
			t.Errorf("the server log names %q", secret)
		}
	}
}

// TestDeletedSourceLeavesNoTrace reads the database's own files in the
// cluster (tables, indexes, catalogs, statistics), after a CHECKPOINT has
// written what is in shared memory, as a seizure of the data directory would.
// The WAL (pg_wal) is left out: it keeps what was written until its
// segments are recycled, which no VACUUM changes (see docs/USAGE.md).
func TestDeletedSourceLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var dataDir, rel string
	if err := s.SQL().QueryRowContext(ctx, `SELECT current_setting('data_directory'), pg_relation_filepath('sources')`).Scan(&dataDir, &rel); err != nil {
		t.Fatal(err)
	}
	dbDir := filepath.Join(dataDir, filepath.Dir(rel)) // base/<database OID>
	find := func(t *testing.T, needle []byte) []string {
		// ANALYZE as autovacuum would at any time, then write everything out.
		for _, q := range []string{`ANALYZE`, `CHECKPOINT`} {
			if _, err := s.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		ents, err := os.ReadDir(dbDir)
		if err != nil {
			t.Fatalf("reading the cluster's files (the test runs as root in CI): %v", err)
		}
		var where []string
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dbDir, e.Name()))
			if err != nil {
				if os.IsNotExist(err) {
					continue // dropped since the listing
				}
				t.Fatal(err)
			}
			if bytes.Contains(b, needle) {
				rel := "?"
				s.SQL().QueryRowContext(ctx, `SELECT relname FROM pg_class WHERE relfilenode::text = $1`, e.Name()).Scan(&rel)
				where = append(where, e.Name()+" ("+rel+")")
			}
		}
		return where
	}
	storetest.RunErasure(t, s, find)
}
