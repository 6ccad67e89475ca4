// Package sqlite is the embedded Store backend: one SQLite file under the
// data folder, through the pure-Go modernc.org/sqlite driver (no cgo).
//
// The file holds what package store describes and nothing more; it is opened
// with WAL and synchronous=FULL so that a committed submission survives a
// crash.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
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
	Types: map[string]string{"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB"},
}

// Open opens (creating if needed) the database file at path.
func Open(ctx context.Context, path string) (*store.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(FULL)"} {
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
	return s, nil
}
