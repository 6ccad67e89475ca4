// Package storetest is the storage test suite that every backend must pass,
// and helpers that open each backend for other packages' tests.
//
// PostgreSQL tests need CONFIDE_TEST_POSTGRES, an admin DSN; scripts/test.sh
// starts Debian's PostgreSQL and sets it. Each test gets a fresh database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
)

// Backend opens a fresh, empty store for one test.
type Backend struct {
	Name string
	Open func(t testing.TB) (*store.DB, string) // the store and its --db value ("" for SQLite)
}

// Backends returns both backends. Every storage-touching test runs on each.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", Open: func(t testing.TB) (*store.DB, string) {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "confide.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, ""
		}},
		{Name: "postgres", Open: func(t testing.TB) (*store.DB, string) {
			dsn := PostgresDSN(t)
			s, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, dsn
		}},
	}
}

// AcrossBackends runs fn from each backend to the other (sqlite_to_postgres,
// postgres_to_sqlite): a snapshot taken on one and restored on the other.
func AcrossBackends(t *testing.T, fn func(t *testing.T, from, to string)) {
	for _, pair := range [][2]string{{"sqlite", "postgres"}, {"postgres", "sqlite"}} {
		t.Run(pair[0]+"_to_"+pair[1], func(t *testing.T) { fn(t, pair[0], pair[1]) })
	}
}

// PostgresDSN creates a fresh database and returns its DSN; it is dropped
// when the test ends.
func PostgresDSN(t testing.TB) string {
	admin := os.Getenv("CONFIDE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("CONFIDE_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL and sets it")
	}
	dsn, drop, err := CreateDatabase(admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return dsn
}

// CreateDatabase makes a fresh database through the admin DSN and returns
// its DSN and a function that drops it.
func CreateDatabase(admin string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	name := "confide_t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		db.Close()
		return "", nil, err
	}
	drop := func() {
		db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		db.Close()
	}
	u, err := url.Parse(admin)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// Each runs fn once per backend, as a subtest named after it: every test
// that touches storage runs on SQLite and on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}
