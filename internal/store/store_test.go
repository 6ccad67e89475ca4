package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
	"confide/internal/store/storetest"
)

func TestBackends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		storetest.Run(t, b.Open)
		storetest.RunNewsroom(t, b.Open)
		storetest.RunSite(t, b.Open)
	})
}

// TestMigrationCoarsensTimes writes exact times as schema 4 did, then opens
// the database with this binary: what was stored before is coarsened too,
// and an older tombstone loses its source.
func TestMigrationCoarsensTimes(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		var driver, dsn string
		var d store.Dialect
		var reopen func() (*store.DB, error)
		if b.Name == "sqlite" {
			path := filepath.Join(t.TempDir(), "confide.db")
			driver, dsn, d = "sqlite", path, sqlite.Dialect
			reopen = func() (*store.DB, error) { return sqlite.Open(ctx, path) }
		} else {
			pg := storetest.PostgresDSN(t)
			driver, dsn, d = "pgx", pg, postgres.Dialect
			reopen = func() (*store.DB, error) { return postgres.Open(ctx, pg) }
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := store.NewAt(ctx, db, d, 4); err != nil {
			t.Fatal(err)
		}
		const at = int64(1764590461) // 2025-12-01 12:01:01 UTC
		for _, q := range []string{
			`INSERT INTO journalists (id, name, recipient, created) VALUES ('j1', 'ann', 'age1', 1)`,
			`INSERT INTO audit (at, journalist, action, detail) VALUES (1764590461, 'ann', 'login', '')`,
			`INSERT INTO readers (id, email, name, pass_hash, created) VALUES ('r1', 'r@example.org', 'R', 'h', 1764590461)`,
			`INSERT INTO webauthn_credentials (id, journalist_id, credential, created) VALUES ('c1', 'j1', '{}', 1764590461)`,
			`INSERT INTO journalist_sessions (token_hash, journalist_id, kind, expires) VALUES ('s1', 'j1', 'web', 4102444861)`,
			`INSERT INTO reader_tokens (token_hash, reader_id, kind, expires) VALUES ('t1', 'r1', 'session', 4102444861)`,
			`INSERT INTO tombstones (item_id, source_id) VALUES ('i1', 'the-source-id')`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s, err := reopen()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		day := at - at%86400
		for q, want := range map[string]int64{
			`SELECT at FROM audit`:                     day,
			`SELECT created FROM readers`:              day,
			`SELECT created FROM webauthn_credentials`: day,
			`SELECT expires FROM journalist_sessions`:  4102444861 - 4102444861%60 + 60,
			`SELECT expires FROM reader_tokens`:        4102444861 - 4102444861%60 + 60,
		} {
			var got int64
			if err := s.SQL().QueryRowContext(ctx, q).Scan(&got); err != nil || got != want {
				t.Errorf("%s: %d, want %d (%v)", q, got, want, err)
			}
		}
		if tombs, err := s.TombstonesSince(ctx, 0); err != nil || len(tombs) != 1 || tombs[0].ItemID != "i1" {
			t.Fatalf("tombstones %+v %v", tombs, err)
		}
		if _, err := s.SQL().ExecContext(ctx, `SELECT source_id FROM tombstones`); err == nil {
			t.Fatal("tombstones still have a source column")
		}
	})
}
