// Package sqlite is the embedded Store backend: one SQLite file under the
// data folder, through the pure-Go modernc.org/sqlite driver (no cgo).
//
// The file holds what package store describes and nothing more; it is opened
// with WAL and synchronous=FULL so that a committed submission survives a
// crash. With secure_delete, temp_store=MEMORY and a truncating checkpoint
// after each deletion, a deleted source's rows are in neither the file nor
// its WAL afterwards (freed filesystem blocks are the disk's business:
// use full-disk encryption). The files are its owner's only (0600).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"confide/internal/store"

	_ "modernc.org/sqlite" // registers "sqlite"
)

// Dialect describes SQLite to the shared store code.
var Dialect = store.Dialect{
	Name: "sqlite",
	IsConflict: func(err error) bool {
		return strings.Contains(err.Error(), "UNIQUE constraint failed")
	},
	// Confide never runs ANALYZE, so SQLite keeps no samples of values.
	Types: map[string]string{"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB", "nostats": ""},
	// With secure_delete on, a deletion zeroes the rows in their pages, but
	// the pages with the rows as they were stay in the WAL until a
	// checkpoint copies the new ones over them; TRUNCATE then empties the
	// WAL file. It waits (busy_timeout) for readers to finish.
	Erase: `PRAGMA wal_checkpoint(TRUNCATE)`,
}

// scrub rebuilds the file once, the first time this version opens it: an
// older Confide deleted without secure_delete, so freed pages may still hold
// deleted sources. VACUUM writes only live rows into a new file (its
// temporary copy is in memory: temp_store); the checkpoint then empties the
// WAL it went through. The mark is SQLite's user_version, not a row, so
// the tables stay exactly what a backup dumps and a restore loads.
func scrub(ctx context.Context, s *store.DB) error {
	var done int
	if err := s.SQL().QueryRowContext(ctx, `PRAGMA user_version`).Scan(&done); err != nil {
		return fmt.Errorf("store: sqlite: scrub: %w", err)
	}
	if done >= scrubbed {
		return nil
	}
	for _, q := range []string{`VACUUM`, Dialect.Erase, fmt.Sprintf(`PRAGMA user_version = %d`, scrubbed)} {
		if _, err := s.SQL().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: sqlite: scrub: %w", err)
		}
	}
	return nil
}

// scrubbed is the user_version of a file rebuilt with secure_delete on.
const scrubbed = 1

// Open opens (creating if needed) the database file at path.
func Open(ctx context.Context, path string) (*store.DB, error) {
	// SQLite creates a database 0644 and gives its WAL and shared-memory
	// files the database's mode: make the file, or tighten an older one,
	// before SQLite opens it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: sqlite: %w", err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(FULL)",
		// Deleted rows are overwritten with zeros, not just unlinked, and
		// sorts spill to memory, never to files in TMPDIR.
		"secure_delete(ON)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	s, err := store.New(ctx, db, Dialect)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := scrub(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
