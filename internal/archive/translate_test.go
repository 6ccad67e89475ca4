package archive

import (
	"context"
	"errors"
	"testing"
)

// Every version of a translation is kept, with who made it and its state;
// the latest is what search finds, through the original, and a page
// already translated by a machine version is not listed again for it.
func TestTranslationsVersionsAndSearch(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		dir := t.TempDir()
		p := write(t, dir, "note.txt", []byte("Справка из архива о деле семь."))
		ingestAll(t, a, "kgb", p)
		id := DocID("kgb", "note.txt")
		const by = "machine: stub 1.0"
		pages, _, err := a.Untranslated(ctx, "kgb", "", "en", by)
		if err != nil || len(pages) != 1 || pages[0].DocID != id || pages[0].Page != 1 || pages[0].Lang != "ru" {
			t.Fatalf("untranslated: %+v, %v", pages, err)
		}
		if v, err := a.AddTranslation(ctx, id, 1, "en", "A certificate from the archive about case seven.", by, true, Draft); err != nil || v != 1 {
			t.Fatalf("first version: %d, %v", v, err)
		}
		if v, err := a.AddTranslation(ctx, id, 1, "en", "A note from the archive on file seven.", "user: bob", false, Reviewed); err != nil || v != 2 {
			t.Fatalf("second version: %d, %v", v, err)
		}
		if _, err := a.AddTranslation(ctx, id, 2, "en", "x", "user: bob", false, Draft); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a page the document lacks: %v", err)
		}
		if _, err := a.AddTranslation(ctx, id, 1, "en", "x", "user: bob", false, "final"); err == nil {
			t.Fatal("an unknown state was stored")
		}
		vs, err := a.Translations(ctx, id, "en")
		if err != nil || len(vs[1]) != 2 {
			t.Fatalf("versions: %+v, %v", vs, err)
		}
		if v := vs[1][0]; !v.Machine || v.By != by || v.State != Draft || v.At == "" {
			t.Fatalf("machine draft: %+v", v)
		}
		if v := vs[1][1]; v.Machine || v.By != "user: bob" || v.State != Reviewed {
			t.Fatalf("reviewed version: %+v", v)
		}
		if pages, skipped, _ := a.Untranslated(ctx, "kgb", "", "en", by); len(pages) != 0 || skipped != 1 {
			t.Fatalf("translated by the same machine: %d listed, %d skipped", len(pages), skipped)
		}
		if pages, _, _ := a.Untranslated(ctx, "kgb", "", "en", "machine: stub 2.0"); len(pages) != 1 {
			t.Fatalf("another version: %d listed", len(pages))
		}
		if err := a.IndexTranslations(ctx, []string{id}, "en"); err != nil {
			t.Fatal(err)
		}
		d, err := a.Show(ctx, id)
		if err != nil || len(d.Translations["en"][1]) != 2 || d.Translations["en"][1][1].Text != "A note from the archive on file seven." {
			t.Fatalf("show: %+v, %v", d.Translations, err)
		}
		// The latest version is indexed, not the machine draft.
		res, err := a.Search(ctx, "note", "kgb", 10)
		if err != nil || len(res.Hits) != 1 || res.Total != 1 {
			t.Fatalf("search: %+v, %v", res, err)
		}
		if h := res.Hits[0]; h.ID != id || h.Path != "note.txt" || h.Matched != "translation:en" || h.Language != "ru" || h.Page != 1 {
			t.Fatalf("hit: %+v", h)
		}
		if res, _ := a.Search(ctx, "certificate", "kgb", 10); res.Total != 0 {
			t.Fatalf("an old version is still found: %+v", res)
		}
		// Found by both texts: one hit.
		res, err = a.Search(ctx, "архива OR archive", "kgb", 10)
		if err != nil || len(res.Hits) != 1 || res.Total != 1 || res.Hits[0].ID != id {
			t.Fatalf("both texts: %+v, %v", res, err)
		}
		if res, _ := a.Search(ctx, "справка", "kgb", 10); len(res.Hits) != 1 || res.Hits[0].Matched != "original" {
			t.Fatalf("original: %+v", res)
		}
	})
}

// A document that a re-run no longer makes takes its translations, rows
// and search documents, with it.
func TestRerunRemovesStaleTranslations(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		ingestAll(t, a, "kgb", trove(t))
		var entry int64
		if err := a.db.sql.QueryRow(a.db.q(`SELECT id FROM archive_entries WHERE path = 'trove/letters.zip'`)).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		ghost := DocID("kgb", "trove/letters.zip/ghost.txt")
		if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_documents (id, entry_id, parent_id, path, seq, gen, type, lang, size, sha256, fields, steps, warnings, fail_kind, fail_reason)
			VALUES (?, ?, '', 'trove/letters.zip/ghost.txt', 9, 0, 'text', 'ru', 1, '', '{}', '[]', '[]', '', '')`, ghost, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_pages (doc_id, number, text, lang, ocr, confidence, low, words) VALUES (?, 1, 'призрачные архивы', 'ru', 0, 0, 0, '[]')`, ghost); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AddTranslation(ctx, ghost, 1, "en", "ghostly archives", "user: ann", false, Draft); err != nil {
			t.Fatal(err)
		}
		if err := a.IndexTranslations(ctx, []string{ghost}, "en"); err != nil {
			t.Fatal(err)
		}
		if res, err := a.eng.Search(ctx, mustQuery(t, "ghostly")); err != nil || res.Total != 1 {
			t.Fatalf("the planted translation is not found: %+v %v", res, err)
		}
		if _, err := a.Reprocess(ctx, "kgb"); err != nil {
			t.Fatal(err)
		}
		if err := a.Work(ctx, WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM archive_translations WHERE doc_id = ?`, ghost); n != 0 {
			t.Fatal("the stale translation survived a re-run")
		}
		if res, err := a.eng.Search(ctx, mustQuery(t, "ghostly")); err != nil || res.Total != 0 {
			t.Fatalf("the stale translation is still indexed: %+v %v", res, err)
		}
	})
}
