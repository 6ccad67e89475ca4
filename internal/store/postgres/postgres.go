// Package postgres is the Store backend for deployments across several
// machines, through jackc/pgx's database/sql driver.
//
// It runs the same queries as the SQLite backend and holds the same minimum;
// migrations take an advisory lock so several servers may start at once.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	Types: map[string]string{"serial": "BIGSERIAL PRIMARY KEY", "blob": "BYTEA"},
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
