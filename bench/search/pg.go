package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"confide/bench/search/corpus"
	"confide/internal/search"
	"confide/internal/search/pgsearch"
	"confide/internal/search/query"
)

// pgEngine is Confide's engine over PostgreSQL (package pgsearch), in a
// database made for the run: CONFIDE_BENCH_POSTGRES names an admin DSN.
type pgEngine struct {
	admin, name string
	db          *sql.DB
	e           *pgsearch.Engine
}

func newPG(string) (engine, error) {
	admin := os.Getenv("CONFIDE_BENCH_POSTGRES")
	if admin == "" {
		return nil, fmt.Errorf("postgres: set CONFIDE_BENCH_POSTGRES to an admin DSN")
	}
	a, err := sql.Open("pgx", admin)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	name := fmt.Sprintf("confide_search_bench_%d", time.Now().UnixNano())
	if _, err := a.Exec(`CREATE DATABASE ` + name); err != nil {
		return nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	e, err := pgsearch.Open(context.Background(), db, "archive")
	if err != nil {
		return nil, err
	}
	return &pgEngine{admin: admin, name: name, db: db, e: e}, nil
}

func (p *pgEngine) index(docs func(yield func(corpus.Doc) bool)) error {
	n := 0
	for d := range docs {
		if err := p.e.Add(search.Doc{ID: d.ID, Collection: d.Collection, Lang: d.Lang, Type: d.Type, Date: d.Date,
			Pages: []string{d.Text}}); err != nil {
			return err
		}
		if n++; n%10000 == 0 {
			if err := p.e.Commit(); err != nil {
				return err
			}
		}
	}
	if err := p.e.Commit(); err != nil {
		return err
	}
	_, err := p.db.Exec(`VACUUM ANALYZE archive`)
	return err
}

func (p *pgEngine) search(q Query) (int, error) {
	n, err := query.Parse(q.Confide)
	if err != nil {
		return 0, err
	}
	res, err := p.e.Search(context.Background(), search.Request{Query: n, Limit: 20, Highlights: true, Facets: q.Filter})
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

func (p *pgEngine) size() int64 {
	var n int64
	p.db.QueryRow(`SELECT pg_total_relation_size('archive')`).Scan(&n)
	return n
}

func (p *pgEngine) close() error {
	p.e.Close()
	p.db.Close()
	a, err := sql.Open("pgx", p.admin)
	if err != nil {
		return err
	}
	defer a.Close()
	_, err = a.Exec(`DROP DATABASE IF EXISTS ` + p.name + ` WITH (FORCE)`)
	return err
}

func (p *pgEngine) note() string { return "RSS is the client's; PostgreSQL's own is not counted" }
