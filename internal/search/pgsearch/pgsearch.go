// Package pgsearch is the archive search engine over PostgreSQL's own
// full-text search, for archives spread over several machines that share
// one database. It satisfies search.Engine and passes the same contract
// suite (searchtest) as the folder index.
//
// Contract:
//   - One table holds the documents: fields as columns, the pages as text,
//     and a tsvector with a GIN index. Its lexemes come from Confide's
//     analyser (package analysis), not from to_tsvector: the Snowball stems
//     PostgreSQL's russian and english configurations compute, but after
//     ё→е folding, and the exact forms, which the simple configuration would
//     give, as "="-prefixed lexemes at the same positions. Both engines thus
//     match exactly the same documents, and the query side's inflection
//     expansion (analysis.QueryStems) works here too.
//   - Queries become one tsquery per run of words (& | ! <-> and :* for
//     word*) and SQL conditions for filters. Ranking is ts_rank_cd (cover
//     density: words close together rank higher), not BM25; totals and
//     facets are exact (count(*) and GROUP BY), which is what makes this
//     engine slower on common words.
//   - PostgreSQL keeps at most 256 positions per lexeme and positions up to
//     16383: phrases in the far end of a very long document may be missed.
//   - PostgreSQL's text holds neither NUL nor invalid UTF-8: pages, tags
//     and fields are stored with those bytes replaced by U+FFFD (the
//     folder index keeps them), and an ID with them is refused.
//   - Add and Delete run in one open transaction that Commit commits;
//     searches use other connections and see the last commit.
package pgsearch

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"confide/internal/search"
	"confide/internal/search/analysis"
	"confide/internal/search/query"
)

// maxPositions is PostgreSQL's limit of positions kept per lexeme.
const maxPositions = 256

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,40}$`)

// Engine is the PostgreSQL search engine on one table.
type Engine struct {
	db    *sql.DB
	table string

	mu sync.Mutex
	tx *sql.Tx
}

// Open creates the table and its indexes if missing. The caller owns db.
func Open(ctx context.Context, db *sql.DB, table string) (*Engine, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("pgsearch: bad table name %q", table)
	}
	e := &Engine{db: db, table: table}
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS ` + table + ` (
			id text PRIMARY KEY,
			collection text NOT NULL,
			lang text NOT NULL,
			type text NOT NULL,
			day date,
			tags text[] NOT NULL,
			pages text[] NOT NULL,
			tsv tsvector NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS ` + table + `_tsv ON ` + table + ` USING gin (tsv)`,
		`CREATE INDEX IF NOT EXISTS ` + table + `_collection ON ` + table + ` (collection)`,
		`CREATE INDEX IF NOT EXISTS ` + table + `_day ON ` + table + ` (day)`,
		`CREATE INDEX IF NOT EXISTS ` + table + `_tags ON ` + table + ` USING gin (tags)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("pgsearch: %w", err)
		}
	}
	return e, nil
}

// quoteLexeme quotes a lexeme for a tsvector or tsquery literal.
func quoteLexeme(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// tsvector renders the lexemes of a document's pages.
func tsvector(pages []string) string {
	pos := map[string][]int{}
	var order []string
	add := func(lex string, p int) {
		ps, ok := pos[lex]
		if !ok {
			order = append(order, lex)
		}
		if len(ps) < maxPositions {
			pos[lex] = append(ps, min(p+1, 16383))
		}
	}
	at := 0
	for _, page := range pages {
		at = analysis.Tokenize(page, at, func(t analysis.Token) {
			add(t.Stem, t.Pos)
			add(analysis.ExactPrefix+t.Word, t.Pos)
		})
	}
	var b strings.Builder
	for _, lex := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(lex))
		for i, p := range slices.Compact(pos[lex]) {
			if i == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

func (e *Engine) begin() error {
	if e.tx != nil {
		return nil
	}
	tx, err := e.db.Begin()
	if err != nil {
		return fmt.Errorf("pgsearch: %w", err)
	}
	e.tx = tx
	return nil
}

// clean makes a string storable as PostgreSQL text.
func clean(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Add adds or replaces a document; it is visible after Commit.
func (e *Engine) Add(d search.Doc) error {
	if d.ID == "" {
		return errors.New("pgsearch: a document needs an ID")
	}
	if clean(d.ID) != d.ID {
		return fmt.Errorf("pgsearch: document ID %q is not valid text", d.ID)
	}
	d.Collection, d.Lang, d.Type = clean(d.Collection), clean(d.Lang), clean(d.Type)
	d.Pages = slices.Clone(d.Pages)
	for i := range d.Pages {
		d.Pages[i] = clean(d.Pages[i])
	}
	d.Tags = slices.Clone(d.Tags)
	for i := range d.Tags {
		d.Tags[i] = clean(d.Tags[i])
	}
	if len(d.Pages) == 0 {
		d.Pages = []string{""}
	}
	if d.Lang == "" {
		d.Lang = analysis.DetectLanguage(d.Pages...)
	}
	var day any
	if !d.Date.IsZero() {
		day = d.Date.UTC().Format("2006-01-02")
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(); err != nil {
		return err
	}
	_, err := e.tx.Exec(`INSERT INTO `+e.table+` (id, collection, lang, type, day, tags, pages, tsv)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::tsvector)
		ON CONFLICT (id) DO UPDATE SET collection = $2, lang = $3, type = $4, day = $5, tags = $6, pages = $7, tsv = $8::tsvector`,
		d.ID, d.Collection, d.Lang, d.Type, day, tags, d.Pages, tsvector(d.Pages))
	if err != nil {
		return fmt.Errorf("pgsearch: add %s: %w", d.ID, err)
	}
	return nil
}

// Delete deletes a document once committed; a missing ID is not an error.
func (e *Engine) Delete(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(); err != nil {
		return err
	}
	if _, err := e.tx.Exec(`DELETE FROM `+e.table+` WHERE id = $1`, id); err != nil {
		return fmt.Errorf("pgsearch: delete %s: %w", id, err)
	}
	return nil
}

// Commit makes every Add and Delete so far durable and visible.
func (e *Engine) Commit() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx == nil {
		return nil
	}
	err := e.tx.Commit()
	e.tx = nil
	if err != nil {
		return fmt.Errorf("pgsearch: commit: %w", err)
	}
	return nil
}

// Close rolls back what was not committed; the caller closes the database.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx != nil {
		e.tx.Rollback()
		e.tx = nil
	}
	return nil
}

// sqlQuery is a query compiled to SQL: a condition and its arguments.
type sqlQuery struct{ args []any }

// rankQuery is the tsquery that ranks: the positive words with the query's
// own ANDs and ORs, so that ts_rank_cd's cover density sees which words
// must stand together.
func rankQuery(n query.Node) string {
	if t := text(n); t != "" {
		return t
	}
	var kids []query.Node
	op := " & "
	switch n := n.(type) {
	case query.And:
		kids = n.Nodes
	case query.Or:
		kids, op = n.Nodes, " | "
	}
	var parts []string
	for _, k := range kids {
		if r := rankQuery(k); r != "" {
			parts = append(parts, "("+r+")")
		}
	}
	return strings.Join(parts, op)
}

func (q *sqlQuery) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

// wordQuery is the tsquery of a bare word: its stems, its inflections'
// stems and its exact form, as the folder index matches it.
func wordQuery(text string) string {
	var parts []string
	for _, s := range analysis.QueryStems(text) {
		parts = append(parts, quoteLexeme(s))
	}
	parts = append(parts, quoteLexeme(analysis.ExactPrefix+analysis.Fold(text)))
	return "(" + strings.Join(parts, " | ") + ")"
}

// phraseWord is a word inside a phrase: stems only, as in the folder index.
func phraseWord(text string) string {
	var parts []string
	for _, s := range analysis.QueryStems(text) {
		parts = append(parts, quoteLexeme(s))
	}
	return "(" + strings.Join(parts, " | ") + ")"
}

// text returns the tsquery of a node made only of words, or "".
func text(n query.Node) string {
	switch n := n.(type) {
	case query.Word:
		f := analysis.Fold(n.Text)
		switch {
		case n.Exact:
			return quoteLexeme(analysis.ExactPrefix + f)
		case n.Prefix:
			return quoteLexeme(analysis.ExactPrefix+f) + ":*"
		}
		return wordQuery(n.Text)
	case query.Phrase:
		var parts []string
		for _, w := range n.Words {
			parts = append(parts, phraseWord(w))
		}
		return "(" + strings.Join(parts, " <-> ") + ")"
	}
	return ""
}

func (q *sqlQuery) cond(n query.Node) (string, error) {
	if t := text(n); t != "" {
		return "tsv @@ " + q.arg(t) + "::tsquery", nil
	}
	switch n := n.(type) {
	case query.And:
		var parts []string
		for _, k := range n.Nodes {
			if not, ok := k.(query.Not); ok {
				c, err := q.cond(not.Node)
				if err != nil {
					return "", err
				}
				parts = append(parts, "NOT ("+c+")")
				continue
			}
			c, err := q.cond(k)
			if err != nil {
				return "", err
			}
			parts = append(parts, c)
		}
		return "(" + strings.Join(parts, " AND ") + ")", nil
	case query.Or:
		var parts []string
		for _, k := range n.Nodes {
			c, err := q.cond(k)
			if err != nil {
				return "", err
			}
			parts = append(parts, c)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case query.Field:
		switch n.Name {
		case "collection", "lang", "type":
			return n.Name + " = " + q.arg(n.Value), nil
		case "tag":
			return "tags @> ARRAY[" + q.arg(n.Value) + "::text]", nil
		}
		return "", &query.Error{Msg: fmt.Sprintf("unknown filter %q", n.Name), Pos: -1}
	case query.DateRange:
		var parts []string
		if !n.From.IsZero() {
			parts = append(parts, "day >= "+q.arg(n.From.Format("2006-01-02"))+"::date")
		}
		if !n.To.IsZero() {
			parts = append(parts, "day <= "+q.arg(n.To.Format("2006-01-02"))+"::date")
		}
		return "(day IS NOT NULL AND " + strings.Join(parts, " AND ") + ")", nil
	case query.Not:
		return "", &query.Error{Msg: "an exclusion (-word) needs something to match beside it", Pos: -1}
	}
	return "", fmt.Errorf("pgsearch: unknown query node %T", n)
}

// Search runs a query on the last commit.
func (e *Engine) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	if req.Query == nil {
		return nil, &query.Error{Msg: "the query has no words to search for", Pos: -1}
	}
	if err := req.Check(); err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 20
	}
	q := &sqlQuery{}
	where, err := q.cond(req.Query)
	if err != nil {
		return nil, err
	}
	condArgs := slices.Clone(q.args)
	rank := "0::real"
	if r := rankQuery(req.Query); r != "" {
		rank = "ts_rank_cd(tsv, " + q.arg(r) + "::tsquery)"
	}
	res := &search.Result{TotalExact: true}
	if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM `+e.table+` WHERE `+where, condArgs...).Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("pgsearch: %w", err)
	}
	cols := "id, collection, lang, type, day, " + rank
	if req.Highlights {
		cols += ", to_json(pages)::text"
	}
	args := append(q.args, limit, req.Offset)
	rows, err := e.db.QueryContext(ctx, `SELECT `+cols+` FROM `+e.table+` WHERE `+where+
		fmt.Sprintf(` ORDER BY 6 DESC, id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("pgsearch: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h search.Hit
		var day sql.NullTime
		var score float64
		var pagesJSON string
		dest := []any{&h.ID, &h.Collection, &h.Lang, &h.Type, &day, &score}
		if req.Highlights {
			dest = append(dest, &pagesJSON)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("pgsearch: %w", err)
		}
		h.Score = score
		if day.Valid {
			h.Date = time.Date(day.Time.Year(), day.Time.Month(), day.Time.Day(), 0, 0, 0, 0, time.UTC)
		}
		if req.Highlights {
			var pages []string
			if err := json.Unmarshal([]byte(pagesJSON), &pages); err != nil {
				return nil, fmt.Errorf("pgsearch: pages of %s: %w", h.ID, err)
			}
			h.Snippets = search.Highlight(pages, req.Query)
		}
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgsearch: %w", err)
	}
	if req.Facets {
		if res.Facets, err = e.facets(ctx, where, condArgs); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (e *Engine) facets(ctx context.Context, where string, args []any) (*search.Facets, error) {
	f := &search.Facets{Collection: map[string]int{}, Lang: map[string]int{}, Type: map[string]int{}, Year: map[int]int{}}
	for col, into := range map[string]map[string]int{"collection": f.Collection, "lang": f.Lang, "type": f.Type} {
		rows, err := e.db.QueryContext(ctx, `SELECT `+col+`, count(*) FROM `+e.table+` WHERE `+where+` AND `+col+` <> '' GROUP BY 1`, args...)
		if err != nil {
			return nil, fmt.Errorf("pgsearch: %w", err)
		}
		for rows.Next() {
			var v string
			var n int
			if err := rows.Scan(&v, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("pgsearch: %w", err)
			}
			into[v] = n
		}
		rows.Close()
	}
	rows, err := e.db.QueryContext(ctx, `SELECT extract(year FROM day)::int, count(*) FROM `+e.table+` WHERE `+where+` AND day IS NOT NULL GROUP BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("pgsearch: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var y, n int
		if err := rows.Scan(&y, &n); err != nil {
			return nil, fmt.Errorf("pgsearch: %w", err)
		}
		f.Year[y] = n
	}
	return f, rows.Err()
}

var _ search.Engine = (*Engine)(nil)
