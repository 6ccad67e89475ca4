package pgsearch

import (
	"context"
	"database/sql"
	"testing"

	"confide/internal/search"
	"confide/internal/search/searchtest"
	"confide/internal/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func open(t *testing.T) search.Engine {
	db, err := sql.Open("pgx", storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e, err := Open(context.Background(), db, "archive")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestContract runs the folder index's contract suite on PostgreSQL.
func TestContract(t *testing.T) { searchtest.Run(t, open) }

func TestTSVector(t *testing.T) {
	got := tsvector([]string{"Архивы архивы", "it's"})
	want := `'архив':1,2 '=архивы':1,2 'it':3 '=it''s':3`
	if got != want {
		t.Errorf("tsvector %s, want %s", got, want)
	}
}
