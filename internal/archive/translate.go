package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"confide/internal/search"
)

// Translation states.
const (
	Draft    = "draft"
	Reviewed = "reviewed"
)

// TranslationVersion is one version of a page's translation.
type TranslationVersion struct {
	Version int    `json:"version"`
	Text    string `json:"text"`
	By      string `json:"by"`      // "machine: apertium 3.8.3 (…)" or "user: NAME"
	Machine bool   `json:"machine"` // machine output, to be labelled as such
	State   string `json:"state"`   // draft or reviewed
	At      string `json:"at"`      // UTC, to the second
	// ReviewedBy and ReviewedAt say who marked it reviewed in the web
	// zone, and when (UTC, to the second).
	ReviewedBy string `json:"reviewed_by,omitempty"`
	ReviewedAt string `json:"reviewed_at,omitempty"`
}

// PageText is a page to translate: its document, number, language and text.
type PageText struct {
	DocID string
	Path  string
	Page  int
	Lang  string
	Text  string
	entry int64
}

// Key is the page's key in a batch ("DOCID/3").
func (p PageText) Key() string { return fmt.Sprintf("%s/%d", p.DocID, p.Page) }

// translationID is the search document of a document's translation into
// lang: a sibling of the original's, so that it is analysed in its own
// language, with the same page numbers.
func translationID(docID, lang string) string { return docID + "~" + lang }

// splitTranslationID is the inverse of translationID.
func splitTranslationID(id string) (docID, lang string, ok bool) {
	return strings.Cut(id, "~")
}

// Untranslated lists the pages of a collection with text whose language is
// not to (and is from or unknown, when from is set), leaving out those that already
// have a translation into to made by by; skipped counts those.
func (a *Archive) Untranslated(ctx context.Context, collection, from, to, by string) (pages []PageText, skipped int, err error) {
	var n int
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_collections WHERE name = ?`), collection).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("archive: %w", err)
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("%w: no collection %q (archive status lists them)", ErrNotFound, collection)
	}
	err = a.each(ctx, `SELECT d.id, d.path, p.number, p.lang, p.text, d.entry_id,
		EXISTS (SELECT 1 FROM archive_translations t WHERE t.doc_id = d.id AND t.page = p.number AND t.lang = ? AND t.made_by = ?)
		FROM archive_pages p JOIN archive_documents d ON d.id = p.doc_id JOIN archive_entries e ON e.id = d.entry_id
		WHERE e.collection = ? AND p.lang <> ? AND (? = '' OR p.lang = ? OR p.lang = '') AND p.text <> ''
		ORDER BY d.path, p.number`, []any{to, by, collection, to, from, from}, func(r *sql.Rows) error {
		var p PageText
		var done bool
		if err := r.Scan(&p.DocID, &p.Path, &p.Page, &p.Lang, &p.Text, &p.entry, &done); err != nil {
			return err
		}
		if done {
			skipped++
			return nil
		}
		if strings.TrimSpace(p.Text) != "" {
			pages = append(pages, p)
		}
		return nil
	})
	return pages, skipped, err
}

// AddTranslation stores a new version of a page's translation into lang
// and returns its number. The search index is brought up to date by
// IndexTranslations.
func (a *Archive) AddTranslation(ctx context.Context, docID string, page int, lang, text, by string, machine bool, state string) (int, error) {
	return a.addTranslation(ctx, docID, page, lang, text, by, machine, state, -1)
}

// StaleError is SaveTranslation's answer when the page's translation moved
// on since the version the editor started from: nothing was saved.
type StaleError struct {
	Base   int                // the version the edit started from (0: none)
	Latest TranslationVersion // the version saved meanwhile
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("archive: the translation was saved as version %d by %s since version %d, which this edit started from; nothing was saved", e.Latest.Version, e.Latest.By, e.Base)
}

// SaveTranslation stores a human's version of a page's translation (a
// draft by "user: NAME"), made from version base (0: from nothing). When
// another version was saved since base, nothing is stored and the answer
// is a *StaleError, so that no one's edit silently replaces another's.
func (a *Archive) SaveTranslation(ctx context.Context, docID string, page int, lang, text, user string, base int) (int, error) {
	if strings.TrimSpace(text) == "" {
		return 0, &InputError{"the translation is empty; nothing was saved"}
	}
	return a.addTranslation(ctx, docID, page, lang, text, "user: "+user, false, Draft, base)
}

// addTranslation stores a version; base >= 0 is the version the new one
// must follow.
func (a *Archive) addTranslation(ctx context.Context, docID string, page int, lang, text, by string, machine bool, state string, base int) (int, error) {
	if state != Draft && state != Reviewed {
		return 0, fmt.Errorf("archive: translation state %q is neither draft nor reviewed", state)
	}
	if err := checkLang(lang); err != nil {
		return 0, err
	}
	tx, err := a.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_pages WHERE doc_id = ? AND number = ?`), docID, page).Scan(&n); err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: document %s has no page %d", ErrNotFound, docID, page)
	}
	var v int
	if err := tx.QueryRowContext(ctx, a.db.q(`SELECT COALESCE(MAX(version), 0) + 1 FROM archive_translations WHERE doc_id = ? AND page = ? AND lang = ?`), docID, page, lang).Scan(&v); err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	if base >= 0 && v != base+1 {
		return 0, a.stale(ctx, docID, page, lang, base)
	}
	// ON CONFLICT: two saves from the same version at once (PostgreSQL
	// reads both before either writes) store one; the other is stale.
	res, err := a.db.exec(ctx, tx, `INSERT INTO archive_translations (doc_id, page, lang, version, text, made_by, machine, state, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		docID, page, lang, v, clean(text), clean(by), boolInt(machine), state, now())
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		tx.Rollback()
		if base < 0 {
			return 0, fmt.Errorf("archive: version %d of the %s translation of page %d was stored meanwhile", v, lang, page)
		}
		return 0, a.stale(ctx, docID, page, lang, base)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	return v, nil
}

// checkLang refuses what cannot be a language code (and would break the
// "DOCID~LANG" search documents or a URL).
func checkLang(lang string) error {
	if lang == "" || len(lang) > 16 || strings.ContainsFunc(lang, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') }) {
		return &InputError{fmt.Sprintf("%q is not a language code", lang)}
	}
	return nil
}

// stale builds the StaleError of an edit started from base.
func (a *Archive) stale(ctx context.Context, docID string, page int, lang string, base int) error {
	vs, err := a.Translations(ctx, docID, lang)
	if err != nil {
		return err
	}
	e := &StaleError{Base: base}
	if l := vs[page]; len(l) > 0 {
		e.Latest = l[len(l)-1]
	}
	return e
}

// ErrOwnReview refuses a review of a version by the user who made it.
var ErrOwnReview = errors.New("archive: a translation is reviewed by someone other than who made it")

// ReviewTranslation marks version of a page's translation into lang
// reviewed by reviewer, with the time. Only the latest version is
// reviewed (an older one gets a *StaleError), and never by the user who
// made it (ErrOwnReview). Reviewing it again changes nothing.
func (a *Archive) ReviewTranslation(ctx context.Context, docID string, page int, lang string, version int, reviewer string) error {
	tx, err := a.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	var latest int
	var by string
	err = tx.QueryRowContext(ctx, a.db.q(`SELECT version, made_by FROM archive_translations WHERE doc_id = ? AND page = ? AND lang = ? ORDER BY version DESC LIMIT 1`), docID, page, lang).Scan(&latest, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: page %d has no %s translation", ErrNotFound, page, lang)
	}
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if version != latest {
		tx.Rollback()
		return a.stale(ctx, docID, page, lang, version)
	}
	if by == "user: "+reviewer {
		return ErrOwnReview
	}
	res, err := a.db.exec(ctx, tx, `INSERT INTO archive_reviews (doc_id, page, lang, version, who, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, docID, page, lang, version, clean(reviewer), now())
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return nil
	}
	if _, err := a.db.exec(ctx, tx, `UPDATE archive_translations SET state = ? WHERE doc_id = ? AND page = ? AND lang = ? AND version = ?`, Reviewed, docID, page, lang, version); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// Translations returns every version of a document's translations into
// lang, by page number, oldest version first.
func (a *Archive) Translations(ctx context.Context, docID, lang string) (map[int][]TranslationVersion, error) {
	out := map[int][]TranslationVersion{}
	err := a.each(ctx, `SELECT t.page, t.version, t.text, t.made_by, t.machine, t.state, t.at, COALESCE(r.who, ''), COALESCE(r.at, '')
		FROM archive_translations t LEFT JOIN archive_reviews r ON r.doc_id = t.doc_id AND r.page = t.page AND r.lang = t.lang AND r.version = t.version
		WHERE t.doc_id = ? AND t.lang = ? ORDER BY t.page, t.version`,
		[]any{docID, lang}, func(r *sql.Rows) error {
			var page, machine int
			var t TranslationVersion
			if err := r.Scan(&page, &t.Version, &t.Text, &t.By, &machine, &t.State, &t.At, &t.ReviewedBy, &t.ReviewedAt); err != nil {
				return err
			}
			t.Machine = machine == 1
			out[page] = append(out[page], t)
			return nil
		})
	return out, err
}

// IndexTranslations indexes the latest version of every page's
// translation into lang of each document, as one search document per
// document and language that points back to the original (see Search),
// and commits the index.
func (a *Archive) IndexTranslations(ctx context.Context, docIDs []string, lang string) error {
	for _, id := range docIDs {
		d, err := a.doc(ctx, id)
		if err != nil {
			return err
		}
		var pages int
		if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT COALESCE(MAX(number), 0) FROM archive_pages WHERE doc_id = ?`), id).Scan(&pages); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		vs, err := a.Translations(ctx, id, lang)
		if err != nil {
			return err
		}
		text := make([]string, pages)
		any := false
		for n, list := range vs {
			if n >= 1 && n <= pages && len(list) > 0 {
				text[n-1] = list[len(list)-1].Text
				any = true
			}
		}
		sid := translationID(id, lang)
		if !any {
			if err := a.eng.Delete(sid); err != nil && !errors.Is(err, search.ErrNotFound) {
				return fmt.Errorf("archive: index: %w", err)
			}
			continue
		}
		tags, err := a.Tags(ctx, id)
		if err != nil {
			return err
		}
		if err := a.eng.Add(search.Doc{ID: sid, Collection: d.Collection, Lang: lang, Type: d.Type, Tags: tags, Pages: text}); err != nil {
			return fmt.Errorf("archive: index the %s translation of %s: %w", lang, d.Path, err)
		}
	}
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return fmt.Errorf("archive: index commit: %w", err)
	}
	return nil
}

// RecordTranslated adds a custody event to the entry of each page's
// document: who (a web batch's user; "" is the operator) translated how
// many of its pages, with what.
func (a *Archive) RecordTranslated(ctx context.Context, pages []PageText, who, action string) error {
	if who == "" {
		who = a.c.Who
	}
	count := map[int64]int{}
	var order []int64
	for _, p := range pages {
		if count[p.entry] == 0 {
			order = append(order, p.entry)
		}
		count[p.entry]++
	}
	tx, err := a.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	for _, e := range order {
		if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_events (entry_id, at, who, action, origin) VALUES (?, ?, ?, ?, '{}')`,
			e, now(), who, clean(fmt.Sprintf("%s: %d pages", action, count[e]))); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// RootOriginal returns where the original file a root document was ingested
// from is stored, and its SHA-256; a document inside another (a zip
// member, an attachment) has no original of its own and is refused.
func (a *Archive) RootOriginal(ctx context.Context, id string) (path, sum string, err error) {
	d, err := a.doc(ctx, id)
	if err != nil {
		return "", "", err
	}
	if d.Parent != "" {
		return "", "", fmt.Errorf("archive: document %s (%s) is inside another document; only a file ingested as itself has an original to redact", id, d.Path)
	}
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT sha256 FROM archive_entries WHERE id = ?`), d.entry).Scan(&sum); err != nil {
		return "", "", fmt.Errorf("archive: %w", err)
	}
	return a.originalPath(sum), sum, nil
}

// Who is the operator recorded in custody events.
func (a *Archive) Who() string { return a.c.Who }

// TmpDir is this process's own temporary folder inside the data folder,
// removed by Close.
func (a *Archive) TmpDir() string { return a.tmp }

// RecordEvent adds a custody event to the file document id came from.
func (a *Archive) RecordEvent(ctx context.Context, id, action string) error {
	d, err := a.doc(ctx, id)
	if err != nil {
		return err
	}
	return a.event(ctx, a.db.sql, d.entry, action)
}

// event records action in the custody of entry, through ex (the pool or
// a transaction the action's own record is written in).
func (a *Archive) event(ctx context.Context, ex execer, entry int64, action string) error {
	if _, err := a.db.exec(ctx, ex, `INSERT INTO archive_events (entry_id, at, who, action, origin) VALUES (?, ?, ?, ?, '{}')`, entry, now(), a.c.Who, clean(action)); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// unindexTranslations takes a document's translations and notes out of
// the index.
func (a *Archive) unindexTranslations(ctx context.Context, docID string) error {
	all, err := a.allTranslations(ctx, docID)
	if err != nil {
		return err
	}
	for l := range all {
		if err := a.eng.Delete(translationID(docID, l)); err != nil && !errors.Is(err, search.ErrNotFound) {
			return fmt.Errorf("archive: index: %w", err)
		}
	}
	// Its notes go with it too.
	if err := a.eng.Delete(notesID(docID)); err != nil && !errors.Is(err, search.ErrNotFound) {
		return fmt.Errorf("archive: index: %w", err)
	}
	return nil
}

// allTranslations is every translation of a document, by language; nil
// when it has none.
func (a *Archive) allTranslations(ctx context.Context, docID string) (map[string]map[int][]TranslationVersion, error) {
	var langs []string
	err := a.each(ctx, `SELECT DISTINCT lang FROM archive_translations WHERE doc_id = ? ORDER BY lang`, []any{docID}, func(r *sql.Rows) error {
		var l string
		if err := r.Scan(&l); err != nil {
			return err
		}
		langs = append(langs, l)
		return nil
	})
	if err != nil || len(langs) == 0 {
		return nil, err
	}
	out := map[string]map[int][]TranslationVersion{}
	for _, l := range langs {
		if out[l], err = a.Translations(ctx, docID, l); err != nil {
			return nil, err
		}
	}
	return out, nil
}
