package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"confide/internal/store"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// ErrNotFound is returned for a document, collection or entry the archive
// does not hold.
var ErrNotFound = errors.New("archive: not found")

// DBFile is the SQLite file of an archive data folder.
const DBFile = "archive.db"

// dropboxDB is the file that marks a folder as the dropbox's and newsroom's.
const dropboxDB = "confide.db"

// db is the archive's own database: its own tables (archive_*) in its own
// SQLite file or PostgreSQL database. The newsroom's store and migrations
// are not reused: they belong to the other zones, and a shared schema would
// put plaintext beside ciphertext.
type db struct {
	sql *sql.DB
	// claims writes what a crash undoes anyway (claims and leases: on
	// SQLite, Open sends every running entry back to the queue), so there
	// it skips the fsync of each commit (synchronous NORMAL); the next
	// commit of sql fsyncs the log with it. The same pool as sql on
	// PostgreSQL.
	claims   *sql.DB
	postgres bool

	// stmts are the statements an ingest runs for every entry, document
	// or page, prepared once per pool: SQLite parses a statement anew on
	// every call otherwise, which was a tenth of an ingest's own CPU.
	stmtMu sync.Mutex
	stmts  map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// txn is a transaction on one of db's pools that runs its statements
// prepared.
type txn struct {
	*sql.Tx
	d    *db
	pool *sql.DB
}

// begin starts a transaction on pool (d.sql or d.claims).
func (d *db) begin(ctx context.Context, pool *sql.DB) (*txn, error) {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{tx, d, pool}, nil
}

// stmt is query (with ? placeholders) prepared on the transaction's pool
// and bound to the transaction.
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s, err := t.d.prepared(ctx, t.pool, query)
	if err != nil {
		return nil, err
	}
	return t.StmtContext(ctx, s), nil
}

// exec runs query in the transaction, prepared.
func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// scan runs query in the transaction, prepared, and scans its one row
// into dest (sql.ErrNoRows when it has none).
func (t *txn) scan(ctx context.Context, query string, args []any, dest ...any) error {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return err
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

// scan runs query on pool, prepared, and scans its one row into dest.
func (d *db) scan(ctx context.Context, pool *sql.DB, query string, args []any, dest ...any) error {
	s, err := d.prepared(ctx, pool, query)
	if err != nil {
		return err
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

// prepared is query prepared on pool, once.
func (d *db) prepared(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{pool, query}
	d.stmtMu.Lock()
	defer d.stmtMu.Unlock()
	if s := d.stmts[k]; s != nil {
		return s, nil
	}
	s, err := pool.PrepareContext(ctx, d.q(query))
	if err != nil {
		return nil, err
	}
	if d.stmts == nil {
		d.stmts = map[stmtKey]*sql.Stmt{}
	}
	d.stmts[k] = s
	return s, nil
}

// close closes the pools.
func (d *db) close() error {
	d.stmtMu.Lock()
	for _, s := range d.stmts {
		s.Close()
	}
	d.stmts = nil
	d.stmtMu.Unlock()
	err := d.sql.Close()
	if d.claims != d.sql {
		if e := d.claims.Close(); err == nil {
			err = e
		}
	}
	return err
}

// q turns ? placeholders into $n for PostgreSQL.
func (d *db) q(query string) string {
	if !d.postgres {
		return query
	}
	return store.Dollars(query)
}

func (d *db) exec(ctx context.Context, ex execer, query string, args ...any) (sql.Result, error) {
	return ex.ExecContext(ctx, d.q(query), args...)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// migrations are the archive's schema versions, applied in order.
var migrations = []string{
	`CREATE TABLE archive_collections (
		name TEXT PRIMARY KEY,
		ocr_lang TEXT NOT NULL,
		created TEXT NOT NULL
	);
	CREATE TABLE archive_originals (
		sha256 TEXT PRIMARY KEY,
		size BIGINT NOT NULL,
		first_seen TEXT NOT NULL
	);
	CREATE TABLE archive_entries (
		id {{serial}},
		collection TEXT NOT NULL REFERENCES archive_collections(name),
		path TEXT NOT NULL,
		sha256 TEXT NOT NULL REFERENCES archive_originals(sha256),
		state TEXT NOT NULL,
		reason TEXT NOT NULL DEFAULT '',
		attempts INTEGER NOT NULL DEFAULT 0,
		lease BIGINT NOT NULL DEFAULT 0,
		docs INTEGER NOT NULL DEFAULT 0,
		pages INTEGER NOT NULL DEFAULT 0,
		UNIQUE (collection, path)
	);
	CREATE INDEX archive_entries_state ON archive_entries (state, id);
	CREATE TABLE archive_documents (
		id TEXT PRIMARY KEY,
		entry_id BIGINT NOT NULL REFERENCES archive_entries(id),
		parent_id TEXT NOT NULL,
		path TEXT NOT NULL,
		seq INTEGER NOT NULL,
		gen INTEGER NOT NULL,
		type TEXT NOT NULL,
		lang TEXT NOT NULL,
		size BIGINT NOT NULL,
		sha256 TEXT NOT NULL,
		fields TEXT NOT NULL,
		steps TEXT NOT NULL,
		warnings TEXT NOT NULL,
		fail_kind TEXT NOT NULL,
		fail_reason TEXT NOT NULL
	);
	CREATE INDEX archive_documents_entry ON archive_documents (entry_id, seq);
	CREATE INDEX archive_documents_parent ON archive_documents (parent_id, seq);
	CREATE TABLE archive_pages (
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		number INTEGER NOT NULL,
		text TEXT NOT NULL,
		lang TEXT NOT NULL,
		ocr INTEGER NOT NULL,
		confidence DOUBLE PRECISION NOT NULL,
		low INTEGER NOT NULL,
		words TEXT NOT NULL,
		PRIMARY KEY (doc_id, number)
	);
	CREATE TABLE archive_events (
		id {{serial}},
		entry_id BIGINT NOT NULL REFERENCES archive_entries(id),
		at TEXT NOT NULL,
		who TEXT NOT NULL,
		action TEXT NOT NULL,
		origin TEXT NOT NULL
	);
	CREATE INDEX archive_events_entry ON archive_events (entry_id, id);`,
	// Accounts of the web zone (auth.Store), their collections, and the
	// audit log of views, searches and exports.
	`CREATE TABLE archive_users (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		role TEXT NOT NULL,
		pass_hash TEXT NOT NULL,
		totp_secret TEXT NOT NULL,
		totp_confirmed INTEGER NOT NULL DEFAULT 0,
		totp_step BIGINT NOT NULL DEFAULT 0,
		failures INTEGER NOT NULL DEFAULT 0,
		locked_until BIGINT NOT NULL DEFAULT 0,
		created TEXT NOT NULL
	);
	CREATE TABLE archive_grants (
		user_id TEXT NOT NULL REFERENCES archive_users(id) ON DELETE CASCADE,
		collection TEXT NOT NULL,
		PRIMARY KEY (user_id, collection)
	);
	CREATE TABLE archive_sessions (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES archive_users(id) ON DELETE CASCADE,
		kind TEXT NOT NULL,
		expires BIGINT NOT NULL,
		data TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE archive_keys (
		credential_id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES archive_users(id) ON DELETE CASCADE,
		credential TEXT NOT NULL
	);
	CREATE TABLE archive_audit (
		id {{serial}},
		at TEXT NOT NULL,
		who TEXT NOT NULL,
		action TEXT NOT NULL,
		detail TEXT NOT NULL
	);`,
	// Translations of pages, every version kept: made_by is "machine: apertium
	// 3.8.3 (apertium-eng-spa 0.8.1-2)" or "user: NAME", state draft or
	// reviewed, at the UTC time to the second.
	`CREATE TABLE archive_translations (
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		page INTEGER NOT NULL,
		lang TEXT NOT NULL,
		version INTEGER NOT NULL,
		text TEXT NOT NULL,
		made_by TEXT NOT NULL,
		machine INTEGER NOT NULL,
		state TEXT NOT NULL,
		at TEXT NOT NULL,
		PRIMARY KEY (doc_id, page, lang, version)
	);
	CREATE INDEX archive_translations_by ON archive_translations (doc_id, lang, made_by);`,
	// Reviews of translation versions (by whom, when), notes anchored to a
	// span of a page (offsets and the quote with its context, so that a
	// re-OCR re-finds them), their replies, tags on documents, and the
	// machine-translation batches the web zone runs.
	`CREATE TABLE archive_reviews (
		doc_id TEXT NOT NULL,
		page INTEGER NOT NULL,
		lang TEXT NOT NULL,
		version INTEGER NOT NULL,
		who TEXT NOT NULL,
		at TEXT NOT NULL,
		PRIMARY KEY (doc_id, page, lang, version),
		FOREIGN KEY (doc_id, page, lang, version) REFERENCES archive_translations (doc_id, page, lang, version) ON DELETE CASCADE
	);
	CREATE TABLE archive_notes (
		id {{serial}},
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		page INTEGER NOT NULL,
		start_at INTEGER NOT NULL,
		end_at INTEGER NOT NULL,
		quote TEXT NOT NULL,
		before_text TEXT NOT NULL,
		after_text TEXT NOT NULL,
		lost INTEGER NOT NULL DEFAULT 0,
		body TEXT NOT NULL,
		author TEXT NOT NULL,
		at TEXT NOT NULL
	);
	CREATE INDEX archive_notes_doc ON archive_notes (doc_id, page, id);
	CREATE TABLE archive_note_replies (
		id {{serial}},
		note_id BIGINT NOT NULL REFERENCES archive_notes(id) ON DELETE CASCADE,
		body TEXT NOT NULL,
		author TEXT NOT NULL,
		at TEXT NOT NULL
	);
	CREATE INDEX archive_note_replies_note ON archive_note_replies (note_id, id);
	CREATE TABLE archive_tags (
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		tag TEXT NOT NULL,
		PRIMARY KEY (doc_id, tag)
	);
	CREATE TABLE archive_translate_jobs (
		collection TEXT PRIMARY KEY REFERENCES archive_collections(name),
		lang TEXT NOT NULL,
		engine TEXT NOT NULL,
		who TEXT NOT NULL,
		state TEXT NOT NULL,
		total INTEGER NOT NULL DEFAULT 0,
		done INTEGER NOT NULL DEFAULT 0,
		failed INTEGER NOT NULL DEFAULT 0,
		message TEXT NOT NULL DEFAULT '',
		started TEXT NOT NULL,
		ended TEXT NOT NULL DEFAULT ''
	);`,
	// Redaction: each user's pending marks on a document, and every
	// redacted copy made (its marks, who, when, the copy's SHA-256 under
	// DIR/redacted/, the verification report, passed or not), and every
	// export bundle written (of the original or of a passed copy).
	`CREATE TABLE archive_redaction_drafts (
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES archive_users(id) ON DELETE CASCADE,
		marks TEXT NOT NULL,
		PRIMARY KEY (doc_id, user_id)
	);
	CREATE TABLE archive_redactions (
		id TEXT PRIMARY KEY,
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		original_sha256 TEXT NOT NULL,
		marks TEXT NOT NULL,
		who TEXT NOT NULL,
		at TEXT NOT NULL,
		state TEXT NOT NULL,
		sha256 TEXT NOT NULL DEFAULT '',
		pages INTEGER NOT NULL DEFAULT 0,
		burned INTEGER NOT NULL DEFAULT 0,
		report TEXT NOT NULL DEFAULT '',
		boxed TEXT NOT NULL DEFAULT '',
		reason TEXT NOT NULL DEFAULT '',
		finished TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX archive_redactions_doc ON archive_redactions (doc_id, at);
	CREATE TABLE archive_exports (
		id TEXT PRIMARY KEY,
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		redaction_id TEXT NOT NULL,
		pages TEXT NOT NULL,
		excerpt TEXT NOT NULL,
		lang TEXT NOT NULL,
		who TEXT NOT NULL,
		at TEXT NOT NULL,
		original_sha256 TEXT NOT NULL,
		pdf_sha256 TEXT NOT NULL,
		bundle_sha256 TEXT NOT NULL,
		slug TEXT NOT NULL
	);
	CREATE INDEX archive_exports_doc ON archive_exports (doc_id, at);`,
	// The day each security key was registered, shown on the account page
	// so its owner can tell the keys apart.
	`ALTER TABLE archive_keys ADD COLUMN created TEXT NOT NULL DEFAULT ''`,
	// A machine translation is held by one server at a time: its owner, a
	// lease it renews (Unix seconds; 0 once given back), and a cancel asked
	// from another server.
	`ALTER TABLE archive_translate_jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
	ALTER TABLE archive_translate_jobs ADD COLUMN lease BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE archive_translate_jobs ADD COLUMN cancel_asked INTEGER NOT NULL DEFAULT 0`,
	// The web's export bundles, built in the background: the form asked
	// (JSON), who, the state and why one failed, the process whose
	// temporary folder keeps the bundle (owner), its export record and
	// SHA-256.
	`CREATE TABLE archive_export_jobs (
		id TEXT PRIMARY KEY,
		doc_id TEXT NOT NULL REFERENCES archive_documents(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES archive_users(id) ON DELETE CASCADE,
		who TEXT NOT NULL,
		form TEXT NOT NULL,
		owner TEXT NOT NULL,
		state TEXT NOT NULL,
		reason TEXT NOT NULL DEFAULT '',
		export_id TEXT NOT NULL DEFAULT '',
		bundle_sha256 TEXT NOT NULL DEFAULT '',
		size BIGINT NOT NULL DEFAULT 0,
		slug TEXT NOT NULL DEFAULT '',
		at TEXT NOT NULL,
		finished TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX archive_export_jobs_state ON archive_export_jobs (state);`,
	// The process whose temporary folder renders a redaction (its owner),
	// so that one gone can be told from another server still making it.
	`ALTER TABLE archive_redactions ADD COLUMN owner TEXT NOT NULL DEFAULT ''`,
	// The status lists failed documents and low-confidence pages: without
	// these it read every page (its text first, since low comes after it),
	// 10 ms for a thousand PDFs and a second for a hundred thousand, at
	// every refresh of the status page and at the end of every ingest.
	`CREATE INDEX archive_pages_low ON archive_pages (doc_id, number) WHERE low = 1;
	CREATE INDEX archive_documents_failed ON archive_documents (entry_id) WHERE fail_reason <> ''`,
}

// openDB opens the archive database: PostgreSQL when dsn is set, else
// DIR/archive.db.
func openDB(ctx context.Context, dir, dsn string) (*db, error) {
	d := &db{postgres: dsn != ""}
	var err error
	if d.postgres {
		d.sql, err = sql.Open("pgx", dsn)
	} else {
		path := filepath.Join(dir, DBFile)
		f, ferr := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if ferr != nil {
			return nil, fmt.Errorf("archive: %w", ferr)
		}
		f.Close()
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=temp_store(MEMORY)&_txlock=immediate&_pragma=synchronous("
		if d.sql, err = sql.Open("sqlite", dsn+"FULL)"); err == nil {
			d.claims, err = sql.Open("sqlite", dsn+"NORMAL)")
		}
	}
	if d.claims == nil {
		d.claims = d.sql
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := d.sql.PingContext(ctx); err != nil {
		d.close()
		return nil, fmt.Errorf("archive: database: %w", err)
	}
	if d.postgres {
		// The archive's plaintext never shares a database with the
		// dropbox's and newsroom's rows.
		var newsroom bool
		if err := d.sql.QueryRowContext(ctx, `SELECT to_regclass('items') IS NOT NULL OR to_regclass('schema_migrations') IS NOT NULL`).Scan(&newsroom); err != nil {
			d.close()
			return nil, fmt.Errorf("archive: database: %w", err)
		}
		if newsroom {
			d.close()
			return nil, errors.New("archive: this database holds the newsroom's tables; the archive holds plaintext and needs a database of its own (CREATE DATABASE archive)")
		}
	}
	if err := d.migrate(ctx); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// migrate applies pending migrations in one transaction, under an advisory
// lock on PostgreSQL so that workers starting together do not race.
func (d *db) migrate(ctx context.Context) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	defer tx.Rollback()
	if d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7411)`); err != nil {
			return fmt.Errorf("archive: migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS archive_schema (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM archive_schema`).Scan(&v); err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	serial := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if d.postgres {
		serial = "BIGSERIAL PRIMARY KEY"
	}
	// A restore loads an older snapshot into the schema it was taken at
	// (store.AtSchema), then opens the archive again to upgrade it.
	for i := v; i < store.SchemaLimit(ctx, len(migrations)); i++ {
		for _, stmt := range strings.Split(strings.ReplaceAll(migrations[i], "{{serial}}", serial), ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("archive: migrate to %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO archive_schema (version) VALUES (?)`), i+1); err != nil {
			return fmt.Errorf("archive: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	return nil
}
