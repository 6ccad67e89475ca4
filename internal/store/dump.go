package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A dump reads every table of the current schema as the database describes
// it (sqlite_master / information_schema), not from a list kept here, so a
// later migration's tables and columns are dumped and loaded with no change
// to this file. Values are only ever int64, float64, string, []byte or nil.
// The schema is described by a Schema, so the archive's own database (its
// archive_* tables, its own migrations) is dumped by the same code.

// Column kinds in a dump.
const (
	KindInt   = "int"
	KindReal  = "real"
	KindText  = "text"
	KindBytes = "bytes"
)

// Schema is a database as a dump reads and loads it: the newsroom's store
// (DB.Schema) or the archive's.
type Schema struct {
	DB       *sql.DB
	Postgres bool
	// Versions is the table of applied migrations; the snapshot's Version
	// stands for it, so it is not dumped.
	Versions string
	// Latest is the newest schema version this binary has.
	Latest int
	// Dumped reports whether a table is dumped (nil: all). A table left out
	// (a search index rebuilt after a restore) must still be empty to load.
	Dumped func(table string) bool
	// Refs are the kinds of files the rows reference (blobs; an archive's
	// originals and redacted copies).
	Refs []Ref
}

// Ref is a kind of file the rows reference: Query lists their names from
// Table; a schema without that table (an older one) references none.
type Ref struct {
	Table, Query string
}

// Schema describes the newsroom's store for a dump.
func (s *DB) Schema() Schema {
	return Schema{DB: s.db, Postgres: s.d.Name == "postgres", Versions: "schema_migrations", Latest: len(migrations),
		Refs: []Ref{{Table: "items", Query: `SELECT DISTINCT blob FROM items ORDER BY blob`}}}
}

func (sc Schema) q(query string) string {
	if sc.Postgres {
		return Dollars(query)
	}
	return query
}

func (sc Schema) backend() string {
	if sc.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// CounterGap is how far a load moves every serial counter past the
// snapshot's: the lost server may have handed out numbers after the snapshot
// was taken, and a workstation whose sync cursor is past the snapshot must
// still see every row made after the restore.
const CounterGap = 1_000_000

// ErrNotEmpty means a load was asked to write into a database that has rows.
var ErrNotEmpty = errors.New("store: the database is not empty")

type schemaKey struct{}

// AtSchema returns a context under which opening a store applies migrations
// only up to version v: a restore loads an older snapshot into the schema it
// was taken at, then opens the store again, which upgrades it.
func AtSchema(ctx context.Context, v int) context.Context {
	return context.WithValue(ctx, schemaKey{}, v)
}

// SchemaLimit is the version to migrate up to, of latest, under ctx (see
// AtSchema).
func SchemaLimit(ctx context.Context, latest int) int {
	if v, ok := ctx.Value(schemaKey{}).(int); ok && v < latest {
		return v
	}
	return latest
}

func schemaLimit(ctx context.Context) int { return SchemaLimit(ctx, len(migrations)) }

// Column is one column of a dumped table.
type Column struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Serial marks the column a counter fills (items.seq, …).
	Serial bool `json:"serial,omitempty"`
}

// Table is one table of the schema as a dump sees it.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	// Counter is the serial column's high-water mark (0 if it has none):
	// numbers already handed out, including those of deleted rows.
	Counter int64 `json:"counter,omitempty"`
}

// Snapshot is the whole database at one instant: one read-only transaction
// (REPEATABLE READ on PostgreSQL; a WAL read snapshot on SQLite, which does
// not block writers).
type Snapshot struct {
	sc Schema
	tx *sql.Tx
	// Version is the snapshot's schema version.
	Version int
	// Tables are in an order in which they can be loaded: every table after
	// the tables its foreign keys name.
	Tables []Table
}

// Snapshot starts a consistent read of every table. Close it when done.
func (s *DB) Snapshot(ctx context.Context) (*Snapshot, error) { return s.Schema().Snapshot(ctx) }

// Snapshot starts a consistent read of every dumped table. Close it when
// done.
func (sc Schema) Snapshot(ctx context.Context) (*Snapshot, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if sc.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := sc.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	sn := &Snapshot{sc: sc, tx: tx}
	fail := func(err error) (*Snapshot, error) {
		tx.Rollback()
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	// The first read fixes SQLite's snapshot; everything after sees it.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+quote(sc.Versions)).Scan(&sn.Version); err != nil {
		return fail(err)
	}
	if sn.Tables, err = sc.tables(ctx, tx); err != nil {
		return fail(err)
	}
	for i := range sn.Tables {
		t := &sn.Tables[i]
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(t.Name)).Scan(&t.Rows); err != nil {
			return fail(err)
		}
		if t.Counter, err = sc.counter(ctx, tx, *t); err != nil {
			return fail(err)
		}
	}
	return sn, nil
}

// Backend names the snapshot's dialect.
func (sn *Snapshot) Backend() string { return sn.sc.backend() }

// Rows calls fn with each row of a table, values in Columns order.
func (sn *Snapshot) Rows(ctx context.Context, t Table, fn func(row []any) error) error {
	rows, err := sn.tx.QueryContext(ctx, `SELECT `+columnList(t)+` FROM `+quote(t.Name))
	if err != nil {
		return fmt.Errorf("store: dump %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store: dump %s: %w", t.Name, err)
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			if row[i], err = normalise(t.Columns[i], v); err != nil {
				return fmt.Errorf("store: dump %s: %w", t.Name, err)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: dump %s: %w", t.Name, err)
	}
	return nil
}

// Refs lists the files the snapshot's rows reference, by kind
// (Schema.Refs).
func (sn *Snapshot) Refs(ctx context.Context) ([][]string, error) {
	return sn.sc.refs(ctx, sn.tx, func(name string) bool {
		return slices.ContainsFunc(sn.Tables, func(t Table) bool { return t.Name == name })
	})
}

// Close ends the read transaction.
func (sn *Snapshot) Close() error { return sn.tx.Rollback() }

// Loader writes a dump into an empty database, all in one transaction:
// either Commit makes all of it visible or nothing is left.
type Loader struct {
	sc     Schema
	tx     *sql.Tx
	tables map[string]Table
	// The pending multi-row INSERT.
	cur  Table
	args []any
	rows int
	size int
}

// Load starts loading a dump of the given schema version, which must be the
// database's (open it under AtSchema). It refuses a database with any row.
func (s *DB) Load(ctx context.Context, version int) (*Loader, error) {
	return s.Schema().Load(ctx, version)
}

// Load starts loading a dump of the given schema version, which must be the
// database's (open it under AtSchema). It refuses a database with a row in
// any table, dumped or not.
func (sc Schema) Load(ctx context.Context, version int) (*Loader, error) {
	if version > sc.Latest {
		return nil, fmt.Errorf("store: the snapshot is of schema %d, newer than this binary's %d: restore it with a newer confide", version, sc.Latest)
	}
	tx, err := sc.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: load: %w", err)
	}
	fail := func(err error) (*Loader, error) {
		tx.Rollback()
		return nil, err
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+quote(sc.Versions)).Scan(&have); err != nil {
		return fail(fmt.Errorf("store: load: %w", err))
	}
	if have != version {
		return fail(fmt.Errorf("store: the snapshot is of schema %d but the database is at %d: restore into a new, empty database", version, have))
	}
	l := &Loader{sc: sc, tx: tx, tables: map[string]Table{}}
	ts, err := sc.tables(ctx, tx)
	if err != nil {
		return fail(fmt.Errorf("store: load: %w", err))
	}
	for _, t := range ts {
		l.tables[t.Name] = t
	}
	names, err := sc.tableNames(ctx, tx)
	if err != nil {
		return fail(fmt.Errorf("store: load: %w", err))
	}
	for _, name := range names {
		if name == sc.Versions {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(name)).Scan(&n); err != nil {
			return fail(fmt.Errorf("store: load: %w", err))
		}
		if n > 0 {
			return fail(fmt.Errorf("%w (table %s has %d rows): restore only into an empty database", ErrNotEmpty, name, n))
		}
	}
	return l, nil
}

// Check compares a dumped table's columns with this database's.
func (l *Loader) Check(t Table) error {
	have, ok := l.tables[t.Name]
	if !ok {
		return fmt.Errorf("store: load: this schema has no table %q", t.Name)
	}
	if !sameColumns(have.Columns, t.Columns) {
		return fmt.Errorf("store: load: table %s's columns in the snapshot differ from this schema's", t.Name)
	}
	return nil
}

// Insert adds one row to a table; rows are sent in batches.
func (l *Loader) Insert(ctx context.Context, t Table, row []any) error {
	if len(row) != len(t.Columns) {
		return fmt.Errorf("store: load %s: a row has %d values, not %d", t.Name, len(row), len(t.Columns))
	}
	if l.cur.Name != t.Name {
		if err := l.Check(t); err != nil {
			return err
		}
		if err := l.flush(ctx); err != nil {
			return err
		}
		l.cur = t
	}
	for i, v := range row {
		v, err := normalise(t.Columns[i], v)
		if err != nil {
			return fmt.Errorf("store: load %s: %w", t.Name, err)
		}
		l.args = append(l.args, v)
		switch v := v.(type) {
		case string:
			l.size += len(v)
		case []byte:
			l.size += len(v)
		}
	}
	l.rows++
	// Few round trips, bounded memory, under both backends' parameter limits.
	if len(l.args) >= 8000 || l.size >= 4<<20 {
		return l.flush(ctx)
	}
	return nil
}

func (l *Loader) flush(ctx context.Context) error {
	if l.rows == 0 {
		return nil
	}
	t := l.cur
	one := "(?" + strings.Repeat(", ?", len(t.Columns)-1) + ")"
	query := `INSERT INTO ` + quote(t.Name) + ` (` + columnList(t) + `) VALUES ` + one + strings.Repeat(", "+one, l.rows-1)
	_, err := l.tx.ExecContext(ctx, l.sc.q(query), l.args...)
	l.args, l.rows, l.size = l.args[:0], 0, 0
	if err != nil {
		return fmt.Errorf("store: load %s: %w", t.Name, err)
	}
	return nil
}

// Refs lists the files the loaded rows reference, by kind (Schema.Refs).
func (l *Loader) Refs(ctx context.Context) ([][]string, error) {
	if err := l.flush(ctx); err != nil {
		return nil, err
	}
	return l.sc.refs(ctx, l.tx, func(name string) bool { _, ok := l.tables[name]; return ok })
}

// Commit checks that every table holds the number of rows the dump said,
// moves the counters past the dump's (CounterGap) and commits.
func (l *Loader) Commit(ctx context.Context, dumped []Table) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range dumped {
		seen[t.Name] = true
		var n int64
		if err := l.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(t.Name)).Scan(&n); err != nil {
			return fmt.Errorf("store: load: %w", err)
		}
		if n != t.Rows {
			return fmt.Errorf("store: load: table %s has %d rows, the snapshot said %d", t.Name, n, t.Rows)
		}
		if err := l.sc.setCounter(ctx, l.tx, l.tables[t.Name], t.Counter); err != nil {
			return err
		}
	}
	for name := range l.tables {
		if !seen[name] {
			return fmt.Errorf("store: load: the snapshot has no table %s", name)
		}
	}
	if err := l.tx.Commit(); err != nil {
		return fmt.Errorf("store: load: %w", err)
	}
	return nil
}

// Rollback abandons the load; after Commit it does nothing.
func (l *Loader) Rollback() { l.tx.Rollback() }

func (sc Schema) refs(ctx context.Context, tx *sql.Tx, has func(table string) bool) ([][]string, error) {
	out := make([][]string, len(sc.Refs))
	for i, r := range sc.Refs {
		if !has(r.Table) {
			continue
		}
		names, err := strings1(ctx, tx, r.Query)
		if err != nil {
			return nil, fmt.Errorf("store: the files the rows reference: %w", err)
		}
		// Sorted as restore compares them, whatever the collation.
		slices.Sort(names)
		out[i] = names
	}
	return out, nil
}

// tableNames lists every table of the database, dumped or not.
func (sc Schema) tableNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	listQ := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if sc.Postgres {
		listQ = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return strings1(ctx, tx, listQ)
}

// tables describes every dumped table but the versions table (the version
// stands for it), ordered so that each comes after those its foreign keys
// name.
func (sc Schema) tables(ctx context.Context, tx *sql.Tx) ([]Table, error) {
	colQ := `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`
	fkQ := `SELECT "table" FROM pragma_foreign_key_list(?)`
	if sc.Postgres {
		colQ = `SELECT column_name, data_type, CASE WHEN column_default LIKE 'nextval(%' THEN 1 ELSE 0 END
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
		fkQ = `SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = $1::regclass`
	}
	names, err := sc.tableNames(ctx, tx)
	if err != nil {
		return nil, err
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == sc.Versions || (sc.Dumped != nil && !sc.Dumped(n)) })
	byName := map[string]Table{}
	deps := map[string][]string{}
	for _, name := range names {
		t := Table{Name: name}
		rows, err := tx.QueryContext(ctx, colQ, name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c Column
			var typ string
			var serial int
			if err := rows.Scan(&c.Name, &typ, &serial); err != nil {
				rows.Close()
				return nil, err
			}
			if c.Kind, err = kindOf(typ); err != nil {
				rows.Close()
				return nil, fmt.Errorf("table %s column %s: %w", name, c.Name, err)
			}
			// On SQLite an INTEGER PRIMARY KEY is the rowid, the counter.
			c.Serial = serial == 1 && c.Kind == KindInt
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if deps[name], err = strings1(ctx, tx, fkQ, name); err != nil {
			return nil, err
		}
		byName[name] = t
	}
	// Depth-first topological order; names are sorted, so it is stable.
	var out []Table
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, d := range deps[n] {
			if d != n {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		if t, ok := byName[n]; ok {
			out = append(out, t)
		}
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func strings1(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func kindOf(typ string) (string, error) {
	t := strings.ToUpper(typ)
	switch {
	case strings.Contains(t, "INT"):
		return KindInt, nil
	case t == "REAL" || strings.Contains(t, "DOUBLE") || strings.Contains(t, "FLOA"):
		return KindReal, nil
	case t == "BLOB" || t == "BYTEA":
		return KindBytes, nil
	case t == "TEXT" || strings.Contains(t, "CHAR"):
		return KindText, nil
	}
	return "", fmt.Errorf("type %s is not one a dump handles (int, real, text, bytes)", typ)
}

func (sc Schema) counter(ctx context.Context, tx *sql.Tx, t Table) (int64, error) {
	c, ok := serialColumn(t)
	if !ok {
		return 0, nil
	}
	var n sql.NullInt64
	var err error
	if sc.Postgres {
		err = tx.QueryRowContext(ctx, `SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)`, t.Name, c.Name).Scan(&n)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = ?`, t.Name).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("counter of %s: %w", t.Name, err)
	}
	return n.Int64, nil
}

func (sc Schema) setCounter(ctx context.Context, tx *sql.Tx, t Table, dumped int64) error {
	c, ok := serialColumn(t)
	if !ok {
		return nil
	}
	var high int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+quote(c.Name)+`), 0) FROM `+quote(t.Name)).Scan(&high); err != nil {
		return fmt.Errorf("store: load counter of %s: %w", t.Name, err)
	}
	next := max(high, dumped) + CounterGap
	var err error
	if sc.Postgres {
		_, err = tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), $3)`, t.Name, c.Name, next)
	} else {
		// Loading explicit values made the row; it may be missing if the
		// table is empty.
		if _, err = tx.ExecContext(ctx, `DELETE FROM sqlite_sequence WHERE name = ?`, t.Name); err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, t.Name, next)
		}
	}
	if err != nil {
		return fmt.Errorf("store: load counter of %s: %w", t.Name, err)
	}
	return nil
}

func serialColumn(t Table) (Column, bool) {
	for _, c := range t.Columns {
		if c.Serial {
			return c, true
		}
	}
	return Column{}, false
}

// normalise gives a value the one Go type its kind dumps as.
func normalise(c Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Kind {
	case KindInt:
		switch v := v.(type) {
		case int64:
			return v, nil
		case int32:
			return int64(v), nil
		case int:
			return int64(v), nil
		}
	case KindReal:
		switch v := v.(type) {
		case float64:
			return v, nil
		case float32:
			return float64(v), nil
		case int64:
			// SQLite hands back a whole REAL as an integer.
			return float64(v), nil
		}
	case KindText:
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			return nil, fmt.Errorf("column %s: %T is not text", c.Name, v)
		}
		// JSON and PostgreSQL both need UTF-8; never change a byte silently.
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("column %s holds text that is not UTF-8", c.Name)
		}
		return s, nil
	case KindBytes:
		switch v := v.(type) {
		case []byte:
			// Not NULL (that is a nil any): an empty value stays empty.
			if v == nil {
				return []byte{}, nil
			}
			return v, nil
		case string:
			return []byte(v), nil
		}
	}
	return nil, fmt.Errorf("column %s: %T is not %s", c.Name, v, c.Kind)
}

func sameColumns(a, b []Column) bool {
	key := func(cs []Column) []string {
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s %s %v", c.Name, c.Kind, c.Serial))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func columnList(t Table) string {
	var names []string
	for _, c := range t.Columns {
		names = append(names, quote(c.Name))
	}
	return strings.Join(names, ", ")
}

// quote makes a name from the schema an SQL identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
