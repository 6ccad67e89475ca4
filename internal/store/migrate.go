package store

import (
	"context"
	"fmt"
	"strings"
)

// migrations are applied in order, each once, each in its own transaction.
// Append; never edit one that has shipped. {{serial}}, {{blob}} and
// {{nostats}} are filled from the dialect.
var migrations = []string{
	// 1: the dropbox.
	`CREATE TABLE settings (
		name  TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE journalists (
		id        TEXT PRIMARY KEY,
		name      TEXT NOT NULL UNIQUE,
		recipient TEXT NOT NULL,
		admin     INTEGER NOT NULL DEFAULT 0,
		created   BIGINT NOT NULL
	);
	CREATE TABLE sources (
		id          TEXT PRIMARY KEY,
		login_hash  {{blob}} NOT NULL UNIQUE,
		recipient   TEXT NOT NULL,
		designation TEXT NOT NULL UNIQUE,
		created_day BIGINT NOT NULL,
		active_day  BIGINT NOT NULL
	);
	CREATE TABLE submissions (
		id          TEXT PRIMARY KEY,
		source_id   TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
		created_day BIGINT NOT NULL
	);
	CREATE TABLE items (
		seq           {{serial}},
		id            TEXT NOT NULL UNIQUE,
		source_id     TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
		submission_id TEXT REFERENCES submissions(id) ON DELETE CASCADE,
		kind          TEXT NOT NULL,
		blob          TEXT NOT NULL,
		size          BIGINT NOT NULL,
		manifest      {{blob}} NOT NULL,
		created_day   BIGINT NOT NULL
	);
	CREATE INDEX items_source ON items (source_id, seq);
	CREATE INDEX items_blob ON items (blob);`,
	// 2: the newsroom.
	`ALTER TABLE journalists ADD COLUMN pass_hash TEXT NOT NULL DEFAULT '';
	ALTER TABLE journalists ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
	ALTER TABLE journalists ADD COLUMN totp_last BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE journalists ADD COLUMN totp_confirmed INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE journalists ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE journalists ADD COLUMN locked_until BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE sources ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE sources ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE sources ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
	ALTER TABLE sources ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE items ADD COLUMN author TEXT NOT NULL DEFAULT '';
	CREATE INDEX sources_activity ON sources (last_seq);
	CREATE INDEX sources_active_day ON sources (active_day);
	CREATE TABLE seen (
		journalist_id TEXT NOT NULL REFERENCES journalists(id) ON DELETE CASCADE,
		item_id       TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
		PRIMARY KEY (journalist_id, item_id)
	);
	CREATE TABLE journalist_sessions (
		token_hash    {{blob}} PRIMARY KEY,
		journalist_id TEXT NOT NULL REFERENCES journalists(id) ON DELETE CASCADE,
		kind          TEXT NOT NULL,
		expires       BIGINT NOT NULL
	);
	CREATE TABLE tombstones (
		seq       {{serial}},
		item_id   TEXT NOT NULL,
		source_id TEXT NOT NULL
	);
	CREATE TABLE audit (
		seq        {{serial}},
		at         BIGINT NOT NULL,
		journalist TEXT NOT NULL,
		action     TEXT NOT NULL,
		detail     TEXT NOT NULL
	);`,
	// 3: security keys (WebAuthn) as a second factor.
	`CREATE TABLE webauthn_credentials (
		id            TEXT PRIMARY KEY,
		journalist_id TEXT NOT NULL REFERENCES journalists(id) ON DELETE CASCADE,
		credential    TEXT NOT NULL,
		created       BIGINT NOT NULL
	);
	ALTER TABLE journalist_sessions ADD COLUMN data TEXT NOT NULL DEFAULT '';`,
	// 4: the public site: stories, readers, comments.
	`CREATE TABLE authors (
		slug TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		bio  TEXT NOT NULL
	);
	CREATE TABLE stories (
		id              TEXT PRIMARY KEY,
		slug            TEXT NOT NULL UNIQUE,
		title           TEXT NOT NULL,
		standfirst      TEXT NOT NULL,
		body            TEXT NOT NULL,
		pull_quotes     TEXT NOT NULL,
		author          TEXT NOT NULL,
		tags            TEXT NOT NULL,
		state           TEXT NOT NULL,
		published       BIGINT NOT NULL,
		updated         BIGINT NOT NULL,
		comments_closed INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX stories_published ON stories (state, published);
	CREATE TABLE story_tags (
		story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
		tag      TEXT NOT NULL,
		PRIMARY KEY (tag, story_id)
	);
	CREATE TABLE readers (
		id           TEXT PRIMARY KEY,
		email        TEXT NOT NULL UNIQUE,
		name         TEXT NOT NULL,
		pass_hash    TEXT NOT NULL,
		verified     INTEGER NOT NULL DEFAULT 0,
		banned       INTEGER NOT NULL DEFAULT 0,
		approved     INTEGER NOT NULL DEFAULT 0,
		failures     INTEGER NOT NULL DEFAULT 0,
		locked_until BIGINT NOT NULL DEFAULT 0,
		created      BIGINT NOT NULL
	);
	CREATE TABLE reader_tokens (
		token_hash {{blob}} PRIMARY KEY,
		reader_id  TEXT NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
		kind       TEXT NOT NULL,
		expires    BIGINT NOT NULL
	);
	CREATE TABLE comments (
		id        TEXT PRIMARY KEY,
		story_id  TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
		reader_id TEXT NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
		parent_id TEXT NOT NULL DEFAULT '',
		body      TEXT NOT NULL,
		state     TEXT NOT NULL,
		created   BIGINT NOT NULL,
		edited    BIGINT NOT NULL DEFAULT 0,
		reports   INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX comments_story ON comments (story_id, state, created);
	CREATE INDEX comments_state ON comments (state, created);`,
	// 5: the SHA-256 of each item's ciphertext, which the signed sync
	// lists so a workstation can check a download it cannot otherwise tie to
	// the item. NULL until computed (items stored before this migration).
	`ALTER TABLE items ADD COLUMN sha256 {{blob}};`,
	// 6: a tombstone keeps only the deleted item's ID, not its source; no
	// planner statistics sample a source's identifying columns (PostgreSQL's
	// ANALYZE would copy login hashes and designations into pg_statistic,
	// where deleting the source leaves them).
	`ALTER TABLE tombstones DROP COLUMN source_id;
	{{nostats}}`,
	// 7: no exact times where the feature needs none. Audit entries, readers
	// and security keys keep their day; session and reader-token expiries
	// their minute. Rows written before are coarsened too.
	`UPDATE audit SET at = at - at % 86400;
	UPDATE readers SET created = created - created % 86400;
	UPDATE webauthn_credentials SET created = created - created % 86400;
	UPDATE journalist_sessions SET expires = expires - expires % 60 + 60 WHERE expires % 60 <> 0;
	UPDATE reader_tokens SET expires = expires - expires % 60 + 60 WHERE expires % 60 <> 0`,
	// 8: each story's language, so an English story shown in a
	// Russian page is marked lang="en"; every story so far was English.
	`ALTER TABLE stories ADD COLUMN lang TEXT NOT NULL DEFAULT 'en'`,
	// 9: documents published on the site from the archive's bundles (their
	// manifest, public by definition, and the content-addressed files under
	// the data folder's published/), and which documents each story cites,
	// so a document's page lists its stories. Days only, like the rest.
	`CREATE TABLE documents (
		slug      TEXT PRIMARY KEY,
		title     TEXT NOT NULL,
		manifest  TEXT NOT NULL,
		published BIGINT NOT NULL,
		updated   BIGINT NOT NULL
	);
	CREATE TABLE document_files (
		slug   TEXT NOT NULL REFERENCES documents(slug) ON DELETE CASCADE,
		name   TEXT NOT NULL,
		sha256 TEXT NOT NULL,
		size   BIGINT NOT NULL,
		PRIMARY KEY (slug, name)
	);
	CREATE INDEX document_files_sha256 ON document_files (sha256);
	CREATE TABLE story_cites (
		story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
		doc_slug TEXT NOT NULL,
		PRIMARY KEY (story_id, doc_slug)
	);
	CREATE INDEX story_cites_doc ON story_cites (doc_slug)`,
}

// migrate applies every pending migration up to version upTo.
func (s *DB) migrate(ctx context.Context, upTo int) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if s.d.Name == "postgres" {
		// Several servers may start at once against one database.
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
			return fmt.Errorf("store: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(4242001)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: the database is at schema %d, newer than this binary's %d", have, len(migrations))
	}
	for v := have + 1; v <= upTo; v++ {
		text := migrations[v-1]
		for k, val := range s.d.Types {
			text = strings.ReplaceAll(text, "{{"+k+"}}", val)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		for _, stmt := range strings.Split(text, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version) VALUES (?)`), v); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return nil
}

// SchemaVersion reports the applied schema version.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, s.wrap("schema version", err)
}
