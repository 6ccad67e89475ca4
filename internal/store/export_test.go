package store

import (
	"context"
	"database/sql"
)

// NewAt opens db migrated only up to version v, as an older binary left it.
func NewAt(ctx context.Context, db *sql.DB, d Dialect, v int) (*DB, error) {
	s := &DB{db: db, d: d}
	return s, s.migrate(ctx, v)
}
