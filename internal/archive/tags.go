package archive

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"confide/internal/search"
)

// maxTags bounds the tags of one document.
const maxTags = 64

// normTag is a tag as stored and searched: trimmed, lower case, inner
// white space as one hyphen, so that "tag:" finds it as typed.
func normTag(tag string) (string, error) {
	t := strings.Join(strings.FieldsFunc(strings.ToLower(clean(tag)), unicode.IsSpace), "-")
	switch {
	case t == "":
		return "", &InputError{"a tag needs at least one letter or digit"}
	case len(t) > 64:
		return "", &InputError{"a tag is at most 64 bytes"}
	case strings.ContainsAny(t, `":()`):
		return "", &InputError{`a tag has no quotes, colons or brackets (the search's tag: filter could not name it)`}
	}
	return t, nil
}

// Tags returns a document's tags, sorted.
func (a *Archive) Tags(ctx context.Context, docID string) ([]string, error) {
	var out []string
	err := a.each(ctx, `SELECT tag FROM archive_tags WHERE doc_id = ? ORDER BY tag`, []any{docID}, func(r *sql.Rows) error {
		var t string
		err := r.Scan(&t)
		out = append(out, t)
		return err
	})
	return out, err
}

// tagsOf returns the tags of each of ids that has any, sorted: one query
// for a batch of documents being indexed, where Tags would be one each.
func (a *Archive) tagsOf(ctx context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT doc_id, tag FROM archive_tags WHERE doc_id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `) ORDER BY doc_id, tag`
		err := a.each(ctx, q, args, func(r *sql.Rows) error {
			var id, t string
			err := r.Scan(&id, &t)
			out[id] = append(out[id], t)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddTag tags a document and reindexes it, so that search's tag: filter
// finds it (through its translations and notes too); it returns the tag as
// stored.
func (a *Archive) AddTag(ctx context.Context, docID, tag string) (string, error) {
	t, err := normTag(tag)
	if err != nil {
		return "", err
	}
	var n int
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_tags WHERE doc_id = ?`), docID).Scan(&n); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	if n >= maxTags {
		return "", &InputError{fmt.Sprintf("a document has at most %d tags", maxTags)}
	}
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_tags (doc_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`, docID, t); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return t, a.reindex(ctx, docID)
}

// RemoveTag takes a tag off a document and reindexes it.
func (a *Archive) RemoveTag(ctx context.Context, docID, tag string) error {
	if _, err := a.db.exec(ctx, a.db.sql, `DELETE FROM archive_tags WHERE doc_id = ? AND tag = ?`, docID, tag); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return a.reindex(ctx, docID)
}

// reindex indexes a document again from its rows (its pages, its tags),
// with its translations and notes, and commits the index.
func (a *Archive) reindex(ctx context.Context, docID string) error {
	d, err := a.Show(ctx, docID)
	if err != nil {
		return err
	}
	tags, err := a.Tags(ctx, docID)
	if err != nil {
		return err
	}
	if len(d.Pages) > 0 {
		pages := make([]string, len(d.Pages))
		for i, p := range d.Pages {
			pages[i] = p.Text
		}
		if err := a.eng.Add(search.Doc{ID: d.ID, Collection: d.Collection, Lang: d.Language, Type: d.Type, Tags: tags, Pages: pages}); err != nil {
			return fmt.Errorf("archive: index %s: %w", d.Path, err)
		}
	}
	notes, err := a.Notes(ctx, docID)
	if err != nil {
		return err
	}
	if err := a.addNotesDoc(ctx, d, notes); err != nil {
		return err
	}
	for lang := range d.Translations {
		if err := a.IndexTranslations(ctx, []string{docID}, lang); err != nil {
			return err
		}
	}
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return fmt.Errorf("archive: index commit: %w", err)
	}
	return nil
}
