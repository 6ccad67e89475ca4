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

// TestNotText checks that bytes PostgreSQL's text refuses do not lose the
// document: it is stored with them replaced and found by its words.
func TestNotText(t *testing.T) {
	e := open(t)
	if err := e.Add(search.Doc{ID: "nul", Collection: "a\x00b", Tags: []string{"\xff"},
		Pages: []string{"архив\x00КГБ \xffписьмо"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(search.Doc{ID: "bad\x00id", Pages: []string{"x"}}); err == nil {
		t.Error("an ID with NUL was accepted")
	}
	if err := e.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"архив", "КГБ", "письмо"} {
		res := searchtest.Search(t, e, q, search.Request{Highlights: true})
		if len(res.Hits) != 1 || res.Hits[0].ID != "nul" {
			t.Errorf("%s: %+v", q, res.Hits)
		}
	}
}
