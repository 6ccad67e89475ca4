// Package postgres is the Store backend for deployments across several
// machines, through jackc/pgx's database/sql driver.
//
// It runs the same queries as the SQLite backend and holds the same minimum;
// migrations take an advisory lock so several servers may start at once.
// Soon after a source or an item is deleted, VACUUM FULL rewrites the tables
// that held it, so the database's files keep no trace; the WAL (and any
// archive or replica of it) does until PostgreSQL recycles it.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"confide/internal/store"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// Dialect describes PostgreSQL to the shared store code.
var Dialect = store.Dialect{
	Name:   "postgres",
	Dollar: true,
	IsConflict: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
	Types: map[string]string{"serial": "BIGSERIAL PRIMARY KEY", "blob": "BYTEA",
		"nostats": noStats([][]string{
			{"sources", "id TEXT", "login_hash BYTEA", "recipient TEXT", "designation TEXT"},
			{"submissions", "id TEXT", "source_id TEXT"},
			{"items", "id TEXT", "source_id TEXT", "submission_id TEXT", "blob TEXT", "manifest BYTEA", "sha256 BYTEA"},
			{"seen", "item_id TEXT"},
		})},
	// A deleted row stays in its table's and indexes' pages, and plain
	// VACUUM only marks the space reusable; VACUUM FULL writes the tables
	// anew and drops the old files. It locks the tables while it runs
	// (0.8 s at 100,000 items), hence the coalescing. The WAL keeps the rows until its
	// segments are recycled: docs/USAGE.md says what that means.
	Erase: `VACUUM FULL sources, submissions, items, seen`,
}

// noStats returns statements that stop (auto)ANALYZE sampling the given
// columns and drop the samples it took so far: a target of 0 is never
// sampled, and re-stating a column's type removes its pg_statistic rows.
// Each entry is a table and its columns as "name TYPE".
func noStats(tables [][]string) string {
	var out []string
	for _, tc := range tables {
		table := tc[0]
		var target, retype []string
		for _, c := range tc[1:] {
			name, typ, _ := strings.Cut(c, " ")
			target = append(target, "ALTER COLUMN "+name+" SET STATISTICS 0")
			retype = append(retype, "ALTER COLUMN "+name+" TYPE "+typ)
		}
		out = append(out, "ALTER TABLE "+table+" "+strings.Join(target, ", "), "ALTER TABLE "+table+" "+strings.Join(retype, ", "))
	}
	return strings.Join(out, ";\n")
}

// Open connects to the database named by a postgres:// URL.
func Open(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s, err := store.New(ctx, db, Dialect)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
