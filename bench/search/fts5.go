package main

import (
	"database/sql"
	"fmt"
	"strings"

	_ "modernc.org/sqlite"

	"confide/bench/search/corpus"
)

// fts5Engine is SQLite FTS5 (modernc, pure Go) with the unicode61
// tokenizer: case folding, no stemming; bm25() ranking, snippet().
type fts5Engine struct {
	dir string
	db  *sql.DB
}

func newFTS5(dir string) (engine, error) {
	db, err := sql.Open("sqlite", dir+"/fts.db?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, collection UNINDEXED, lang UNINDEXED,
		type UNINDEXED, day UNINDEXED, year UNINDEXED, body, tokenize='unicode61')`)
	if err != nil {
		return nil, err
	}
	return &fts5Engine{dir: dir, db: db}, nil
}

func (f *fts5Engine) index(docs func(yield func(corpus.Doc) bool)) error {
	tx, err := f.db.Begin()
	if err != nil {
		return err
	}
	st, err := tx.Prepare(`INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	n := 0
	for d := range docs {
		if _, err := st.Exec(d.ID, d.Collection, d.Lang, d.Type, d.Date.Format("2006-01-02"), d.Date.Year(), d.Text); err != nil {
			return err
		}
		if n++; n%10000 == 0 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = f.db.Begin(); err != nil {
				return err
			}
			if st, err = tx.Prepare(`INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)`); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = f.db.Exec(`INSERT INTO docs(docs) VALUES ('optimize')`)
	return err
}

func (f *fts5Engine) search(q Query) (int, error) {
	match := strings.Join(q.Words, " ")
	if q.Phrase {
		match = `"` + match + `"`
	}
	where := `docs MATCH ?`
	args := []any{match}
	if q.Filter {
		where += ` AND collection = 'c01' AND day BETWEEN '1960-01-01' AND '1970-12-31'`
	}
	rows, err := f.db.Query(`SELECT id, snippet(docs, 6, '<mark>', '</mark>', '…', 30) FROM docs WHERE `+where+
		` ORDER BY bm25(docs) LIMIT 20`, args...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id, snip string
		if err := rows.Scan(&id, &snip); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows.Close()
	var total int
	if err := f.db.QueryRow(`SELECT count(*) FROM docs WHERE `+where, args...).Scan(&total); err != nil {
		return 0, err
	}
	if q.Filter {
		for _, col := range []string{"collection", "lang", "type", "year"} {
			rows, err := f.db.Query(fmt.Sprintf(`SELECT %s, count(*) FROM docs WHERE %s GROUP BY 1`, col, where), args...)
			if err != nil {
				return 0, err
			}
			for rows.Next() {
			}
			rows.Close()
		}
	}
	return total, nil
}

func (f *fts5Engine) size() int64  { return dirSize(f.dir) }
func (f *fts5Engine) close() error { return f.db.Close() }
func (f *fts5Engine) note() string { return "no stemming" }
