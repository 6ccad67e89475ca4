package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Dialect is what differs between the SQL backends.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Dollar placeholders ($1) instead of ?.
	Dollar bool
	// IsConflict reports a unique-constraint violation.
	IsConflict func(error) bool
	// Types fills the migration templates: {{serial}}, {{blob}}, and
	// {{nostats}}, statements that keep the planner from sampling a
	// source's identifying columns.
	Types map[string]string
	// Erase, run (coalesced, in the background) after sources or items are
	// deleted, makes the deleted rows unrecoverable from the database's own
	// files ("" for nothing).
	Erase string
}

// DB implements Store on database/sql. The backends only open the connection
// and describe their dialect; every query is here, once.
type DB struct {
	db *sql.DB
	d  Dialect
	er *eraser
}

// New wraps an open database, applying pending migrations.
func New(ctx context.Context, db *sql.DB, d Dialect) (*DB, error) {
	s := &DB{db: db, d: d}
	if err := s.migrate(ctx, schemaLimit(ctx)); err != nil {
		return nil, err
	}
	s.startEraser()
	return s, nil
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *DB) q(query string) string {
	if !s.d.Dollar {
		return query
	}
	return Dollars(query)
}

// Dollars turns ? placeholders into PostgreSQL's $1, $2…, for SQL written
// once for both backends (the archive's store uses it too).
func Dollars(query string) string {
	var sb strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func (s *DB) wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case s.d.IsConflict != nil && s.d.IsConflict(err):
		return ErrConflict
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertNew runs an INSERT that must not clash with a unique key, and
// reports a clash as ErrConflict. ON CONFLICT DO NOTHING rather than
// catching the violation: PostgreSQL logs a violation's DETAIL, which names
// the key (a login hash, an e-mail address, a token hash) in the server log;
// a skipped row logs nothing, and no check-then-insert race can reach the
// constraint.
func (s *DB) insertNew(ctx context.Context, ex execer, op, query string, args ...any) error {
	res, err := ex.ExecContext(ctx, s.q(query+` ON CONFLICT DO NOTHING`), args...)
	if err != nil {
		return s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

// Close finishes a pending erase and closes the database.
func (s *DB) Close() error {
	s.stopEraser()
	return s.db.Close()
}

// SQL exposes the underlying handle, for tests and benchmarks.
func (s *DB) SQL() *sql.DB { return s.db }

// Salt returns the per-instance salt, creating it once.
func (s *DB) Salt(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 16)
	rand.Read(fresh)
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`),
		"instance_salt", hex.EncodeToString(fresh))
	if err != nil {
		return nil, s.wrap("salt", err)
	}
	v, err := s.Setting(ctx, "instance_salt")
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("store: corrupt instance salt: %w", err)
	}
	return b, nil
}

// Setting returns a named setting.
func (s *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE name = ?`), name).Scan(&v)
	return v, s.wrap("setting", err)
}

// SetSetting stores a named setting.
func (s *DB) SetSetting(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value)
	return s.wrap("set setting", err)
}

// AddJournalist registers a journalist.
func (s *DB) AddJournalist(ctx context.Context, j Journalist) error {
	if j.ID == "" {
		j.ID = NewID()
	}
	return s.insertNew(ctx, s.db, "add journalist", `INSERT INTO journalists (id, name, recipient, admin, created, pass_hash, totp_secret, totp_confirmed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Name, j.Recipient, boolInt(j.Admin), int64(j.Created), j.PassHash, j.TOTPSecret, boolInt(j.TOTPConfirmed))
}

const journalistCols = `id, name, recipient, admin, created, pass_hash, totp_secret, totp_last, totp_confirmed, failures, locked_until`

func scanJournalist(sc interface{ Scan(...any) error }) (Journalist, error) {
	var j Journalist
	var admin, confirmed int
	var created int64
	err := sc.Scan(&j.ID, &j.Name, &j.Recipient, &admin, &created, &j.PassHash, &j.TOTPSecret, &j.TOTPLast, &confirmed, &j.Failures, &j.LockedUntil)
	j.Admin, j.Created, j.TOTPConfirmed = admin != 0, Day(created), confirmed != 0
	return j, err
}

// Journalists lists journalists by name.
func (s *DB) Journalists(ctx context.Context) ([]Journalist, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+journalistCols+` FROM journalists ORDER BY name`)
	if err != nil {
		return nil, s.wrap("journalists", err)
	}
	defer rows.Close()
	var out []Journalist
	for rows.Next() {
		j, err := scanJournalist(rows)
		if err != nil {
			return nil, s.wrap("journalists", err)
		}
		out = append(out, j)
	}
	return out, s.wrap("journalists", rows.Err())
}

// JournalistByName finds one journalist.
func (s *DB) JournalistByName(ctx context.Context, name string) (Journalist, error) {
	j, err := scanJournalist(s.db.QueryRowContext(ctx, s.q(`SELECT `+journalistCols+` FROM journalists WHERE name = ?`), name))
	return j, s.wrap("journalist", err)
}

// RemoveJournalist deletes a journalist.
func (s *DB) RemoveJournalist(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM journalists WHERE name = ?`), name)
	if err != nil {
		return s.wrap("remove journalist", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateSource records a new source.
func (s *DB) CreateSource(ctx context.Context, src Source) error {
	return s.insertNew(ctx, s.db, "create source", `INSERT INTO sources (id, login_hash, recipient, designation, created_day, active_day)
		VALUES (?, ?, ?, ?, ?, ?)`, src.ID, src.LoginHash, src.Recipient, src.Designation, int64(src.Created), int64(src.Active))
}

const sourceCols = `id, login_hash, recipient, designation, created_day, active_day, starred, hidden, assignee, last_seq`

func scanSource(sc interface{ Scan(...any) error }) (Source, error) {
	var src Source
	var c, a int64
	var starred, hidden int
	err := sc.Scan(&src.ID, &src.LoginHash, &src.Recipient, &src.Designation, &c, &a, &starred, &hidden, &src.Assignee, &src.LastSeq)
	src.Created, src.Active, src.Starred, src.Hidden = Day(c), Day(a), starred != 0, hidden != 0
	return src, err
}

// SourceByLogin finds a source by login hash.
func (s *DB) SourceByLogin(ctx context.Context, loginHash []byte) (Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, s.q(`SELECT `+sourceCols+` FROM sources WHERE login_hash = ?`), loginHash))
	return src, s.wrap("source", err)
}

// SourceByID finds a source by ID.
func (s *DB) SourceByID(ctx context.Context, id string) (Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, s.q(`SELECT `+sourceCols+` FROM sources WHERE id = ?`), id))
	return src, s.wrap("source", err)
}

// AddSubmission stores a whole submission in one transaction.
func (s *DB) AddSubmission(ctx context.Context, sourceID, submissionID string, items []Item) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("add submission", err)
	}
	defer tx.Rollback()
	today := int64(Today())
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO submissions (id, source_id, created_day) VALUES (?, ?, ?)`),
		submissionID, sourceID, today); err != nil {
		return s.wrap("add submission", err)
	}
	for _, it := range items {
		if err := s.insertItem(ctx, tx, sourceID, submissionID, it); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE sources SET active_day = ?,
		last_seq = (SELECT COALESCE(MAX(seq), 0) FROM items WHERE source_id = ?) WHERE id = ?`), today, sourceID, sourceID)
	if err != nil {
		return s.wrap("add submission", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return s.wrap("add submission", tx.Commit())
}

func (s *DB) insertItem(ctx context.Context, tx *sql.Tx, sourceID, submissionID string, it Item) error {
	if it.ID == "" {
		it.ID = NewID()
	}
	var sub any
	if submissionID != "" {
		sub = submissionID
	}
	var sum any
	if len(it.SHA256) > 0 {
		sum = it.SHA256
	}
	return s.insertNew(ctx, tx, "add item", `INSERT INTO items (id, source_id, submission_id, kind, blob, size, manifest, created_day, author, sha256)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.ID, sourceID, sub, it.Kind, it.Blob, it.Size, it.Manifest, int64(Today()), it.Author, sum)
}

// AddReply stores a reply.
func (s *DB) AddReply(ctx context.Context, it Item) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("add reply", err)
	}
	defer tx.Rollback()
	it.Kind = KindReply
	if err := s.insertItem(ctx, tx, it.SourceID, "", it); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE sources SET last_seq = (SELECT MAX(seq) FROM items WHERE source_id = ?) WHERE id = ?`), it.SourceID, it.SourceID)
	if err != nil {
		return s.wrap("add reply", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return s.wrap("add reply", tx.Commit())
}

const itemCols = `id, source_id, COALESCE(submission_id, ''), kind, blob, size, manifest, created_day, seq, author, sha256`

func scanItem(sc interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var c int64
	err := sc.Scan(&it.ID, &it.SourceID, &it.SubmissionID, &it.Kind, &it.Blob, &it.Size, &it.Manifest, &c, &it.Seq, &it.Author, &it.SHA256)
	it.Created = Day(c)
	return it, err
}

// Items lists a source's items, oldest first.
func (s *DB) Items(ctx context.Context, sourceID string, kinds ...string) ([]Item, error) {
	query := `SELECT ` + itemCols + ` FROM items WHERE source_id = ?`
	args := []any{sourceID}
	if len(kinds) > 0 {
		query += ` AND kind IN (?` + strings.Repeat(`, ?`, len(kinds)-1) + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY seq`), args...)
	if err != nil {
		return nil, s.wrap("items", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, s.wrap("items", err)
		}
		out = append(out, it)
	}
	return out, s.wrap("items", rows.Err())
}

// DeleteItem deletes one item of a source.
func (s *DB) DeleteItem(ctx context.Context, sourceID, itemID, kind string) (Item, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Item{}, s.wrap("delete item", err)
	}
	defer tx.Rollback()
	query, args := `SELECT `+itemCols+` FROM items WHERE id = ? AND source_id = ?`, []any{itemID, sourceID}
	if kind != "" {
		query, args = query+` AND kind = ?`, append(args, kind)
	}
	it, err := scanItem(tx.QueryRowContext(ctx, s.q(query), args...))
	if err != nil {
		return Item{}, s.wrap("delete item", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM items WHERE id = ?`), itemID); err != nil {
		return Item{}, s.wrap("delete item", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tombstones (item_id) VALUES (?)`), itemID); err != nil {
		return Item{}, s.wrap("delete item", err)
	}
	if err := tx.Commit(); err != nil {
		return Item{}, s.wrap("delete item", err)
	}
	s.eraseSoon()
	return it, nil
}

// BlobReferenced reports whether an item names the blob.
func (s *DB) BlobReferenced(ctx context.Context, blob string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM items WHERE blob = ?`), blob).Scan(&n)
	return n > 0, s.wrap("blob referenced", err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
