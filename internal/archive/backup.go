package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"confide/internal/search"
	"confide/internal/store"
)

// searchTable is pgsearch's table in the archive's PostgreSQL database.
const searchTable = "archive_search"

// DumpSchema describes the archive's database for a backup: every
// archive_* table its migrations made, read from the database itself, so a
// table a later migration adds is carried with no change here. The search
// engine's table is left out: the index is derived from the rows, and a
// restore rebuilds it (RebuildIndex) for whichever engine the target uses.
// So are the web's export jobs (exportJobsTable): a job's bundle lives
// only in its process's temporary folder, which no backup carries, so a
// restored job could only say it was interrupted; the exports themselves
// are in archive_exports, custody and the audit log.
func (a *Archive) DumpSchema() store.Schema { return a.db.dumpSchema() }

// exportJobsTable holds the web's export jobs, which backups leave out.
const exportJobsTable = "archive_export_jobs"

func (d *db) dumpSchema() store.Schema {
	return store.Schema{DB: d.sql, Postgres: d.postgres, Versions: "archive_schema", Latest: len(migrations),
		Dumped: func(t string) bool {
			return strings.HasPrefix(t, "archive_") && t != searchTable && t != exportJobsTable
		},
		Refs: []store.Ref{{Table: "archive_originals", Query: `SELECT sha256 FROM archive_originals ORDER BY sha256`},
			{Table: "archive_redactions", Query: `SELECT DISTINCT sha256 FROM archive_redactions WHERE sha256 <> '' ORDER BY sha256`}}}
}

// OriginalFile is where the original with that SHA-256 lives in the data
// folder dir.
func OriginalFile(dir, sum string) string { return filepath.Join(dir, "originals", sum[:2], sum) }

// RedactedFile is where the redacted copy with that SHA-256 lives in the
// data folder dir.
func RedactedFile(dir, sum string) string { return filepath.Join(dir, "redacted", sum[:2], sum) }

// OriginalReferenced reports whether the archive's rows name an original.
func (a *Archive) OriginalReferenced(ctx context.Context, sum string) (bool, error) {
	return a.referenced(ctx, `SELECT COUNT(*) FROM archive_originals WHERE sha256 = ?`, sum)
}

// RedactedReferenced reports whether the archive's rows name a redacted
// copy.
func (a *Archive) RedactedReferenced(ctx context.Context, sum string) (bool, error) {
	return a.referenced(ctx, `SELECT COUNT(*) FROM archive_redactions WHERE sha256 = ?`, sum)
}

func (a *Archive) referenced(ctx context.Context, query, sum string) (bool, error) {
	var n int
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(query), sum).Scan(&n); err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	return n > 0, nil
}

// reindexBatch is how many documents RebuildIndex adds between commits.
const reindexBatch = 1000

// RebuildIndex adds every document with pages, the latest version of
// every translation and each document's notes, all with their tags, to an
// empty index (a restored archive's), as the workers, IndexTranslations
// and AddNote had, in the queue's order (which breaks ties between equal
// scores as a single worker did), and commits it. It returns the number of
// search documents added.
func (a *Archive) RebuildIndex(ctx context.Context) (int, error) {
	if a.eng == nil {
		return 0, errors.New("archive: opened for its rows only: cannot index")
	}
	// Tags are read first: a query inside the pages' would wait on
	// SQLite's one connection.
	tags := map[string][]string{}
	err := a.each(ctx, `SELECT doc_id, tag FROM archive_tags ORDER BY doc_id, tag`, nil, func(r *sql.Rows) error {
		var id, tag string
		err := r.Scan(&id, &tag)
		tags[id] = append(tags[id], tag)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	var cur *search.Doc
	add := func() error {
		if cur == nil {
			return nil
		}
		cur.Tags = tags[cur.ID]
		if err := a.eng.Add(*cur); err != nil {
			return fmt.Errorf("archive: index %s: %w", cur.ID, err)
		}
		cur = nil
		if n++; n%reindexBatch == 0 {
			return a.commits.commit(a.eng.Commit)
		}
		return nil
	}
	err = a.each(ctx, `SELECT d.id, e.collection, d.lang, d.type, p.text FROM archive_pages p
		JOIN archive_documents d ON d.id = p.doc_id JOIN archive_entries e ON e.id = d.entry_id
		ORDER BY d.entry_id, d.seq, d.id, p.number`, nil, func(r *sql.Rows) error {
		var d search.Doc
		var text string
		if err := r.Scan(&d.ID, &d.Collection, &d.Lang, &d.Type, &text); err != nil {
			return err
		}
		if cur != nil && cur.ID != d.ID {
			if err := add(); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &d
		}
		cur.Pages = append(cur.Pages, text)
		return nil
	})
	if err == nil {
		err = add()
	}
	if err != nil {
		return n, err
	}
	byLang := map[string][]string{}
	var langs []string
	err = a.each(ctx, `SELECT DISTINCT lang, doc_id FROM archive_translations ORDER BY lang, doc_id`, nil, func(r *sql.Rows) error {
		var lang, id string
		if err := r.Scan(&lang, &id); err != nil {
			return err
		}
		if byLang[lang] == nil {
			langs = append(langs, lang)
		}
		byLang[lang] = append(byLang[lang], id)
		return nil
	})
	if err != nil {
		return n, err
	}
	for _, lang := range langs {
		if err := a.IndexTranslations(ctx, byLang[lang], lang); err != nil {
			return n, err
		}
		n += len(byLang[lang])
	}
	var noted []string
	err = a.each(ctx, `SELECT DISTINCT doc_id FROM archive_notes ORDER BY doc_id`, nil, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		noted = append(noted, id)
		return err
	})
	if err != nil {
		return n, err
	}
	for _, id := range noted {
		d, err := a.doc(ctx, id)
		if err != nil {
			return n, err
		}
		notes, err := a.Notes(ctx, id)
		if err != nil {
			return n, err
		}
		if err := a.addNotesDoc(ctx, d, notes); err != nil {
			return n, err
		}
		n++
	}
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return n, fmt.Errorf("archive: index commit: %w", err)
	}
	return n, nil
}
