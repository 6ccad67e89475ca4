package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"confide/internal/store"
)

// ExportRecord is one bundle exported from the archive: of which document,
// which redacted copy (none: the original's pages), which pages or
// excerpt, by whom and when, and the SHA-256 of the original, of the PDF
// the bundle publishes and of the bundle itself.
type ExportRecord struct {
	ID          string `json:"id"`
	DocID       string `json:"doc_id"`
	RedactionID string `json:"redaction_id,omitempty"` // "" for an unredacted export
	Pages       string `json:"pages"`                  // "1-3", or "" for all
	Excerpt     string `json:"excerpt,omitempty"`
	Lang        string `json:"lang,omitempty"` // the translation carried
	Who         string `json:"who"`
	At          string `json:"at"` // UTC to the second
	Original    string `json:"original_sha256"`
	PDF         string `json:"pdf_sha256"`
	Bundle      string `json:"bundle_sha256"`
	Slug        string `json:"slug"`
}

// Exports returns a document's exports, oldest first.
func (a *Archive) Exports(ctx context.Context, docID string) ([]ExportRecord, error) {
	var out []ExportRecord
	err := a.each(ctx, `SELECT id, doc_id, redaction_id, pages, excerpt, lang, who, at, original_sha256, pdf_sha256, bundle_sha256, slug
		FROM archive_exports WHERE doc_id = ? ORDER BY at, id`, []any{docID}, func(r *sql.Rows) error {
		var e ExportRecord
		if err := r.Scan(&e.ID, &e.DocID, &e.RedactionID, &e.Pages, &e.Excerpt, &e.Lang, &e.Who, &e.At, &e.Original, &e.PDF, &e.Bundle, &e.Slug); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Source says what an export published: a redacted copy or the
// original's pages.
func (e *ExportRecord) Source() string {
	if e.RedactionID != "" {
		return "redacted copy " + e.RedactionID
	}
	return "the original's pages"
}

// PageRange is the pages exported, as given ("all" for every page).
func (e *ExportRecord) PageRange() string {
	if e.Pages == "" {
		return "all"
	}
	return e.Pages
}

// recordExport stores an export and its custody event.
func (a *Archive) recordExport(ctx context.Context, e *ExportRecord) error {
	e.ID, e.At = store.NewID(), now()
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_exports (id, doc_id, redaction_id, pages, excerpt, lang, who, at, original_sha256, pdf_sha256, bundle_sha256, slug)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.DocID, e.RedactionID, e.Pages, clean(e.Excerpt), e.Lang, clean(e.Who), e.At, e.Original, e.PDF, e.Bundle, e.Slug); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return a.RecordEvent(ctx, e.DocID, fmt.Sprintf("export %s by %s: bundle %q of %s, pages %s; bundle sha256 %s, published PDF sha256 %s", e.ID, e.Who, e.Slug, e.Source(), e.PageRange(), e.Bundle, e.PDF))
}

// ParsePages reads a page range: "3" or "2-5".
func ParsePages(s string) (from, to int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if from, err = strconv.Atoi(strings.TrimSpace(a)); err != nil || from < 1 {
		return 0, 0, errors.New("not a page number or a range such as 2-5")
	}
	to = from
	if ok {
		if to, err = strconv.Atoi(strings.TrimSpace(b)); err != nil || to < from {
			return 0, 0, errors.New("not a page number or a range such as 2-5")
		}
	}
	return from, to, nil
}
