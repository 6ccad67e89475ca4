package archive

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A note is anchored to its words: found again after a re-run, moved with
// them after a re-OCR that shifts the offsets (the right occurrence, by
// its context), marked lost when they are gone, and never dropped.
func TestNotesReanchor(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		dir := t.TempDir()
		p := write(t, dir, "note.txt", []byte("Дело номер семь закрыто.\nПозже дело номер семь открыли\nснова по приказу."))
		ingestAll(t, a, "kgb", p)
		id := DocID("kgb", "note.txt")

		if _, err := a.AddNote(ctx, id, 1, "нет такого", 0, "x", "ann"); !errors.Is(err, ErrQuoteNotFound) {
			t.Fatalf("words not on the page: %v", err)
		}
		var amb *AmbiguousError
		_, err := a.AddNote(ctx, id, 1, "номер семь", 0, "x", "ann")
		if !errors.As(err, &amb) || len(amb.Choices) != 2 || !strings.HasSuffix(amb.Choices[1].Before, "закрыто.\nПозже дело ") || amb.Choices[1].Quote != "номер семь" {
			t.Fatalf("two occurrences, none chosen: %v %+v", err, amb)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM archive_notes`); n != 0 {
			t.Fatalf("an ambiguous note was stored: %d", n)
		}
		// The second occurrence, typed across the line break with one space.
		n, err := a.AddNote(ctx, id, 1, "семь открыли снова", 0, "Reopened: by whose order?", "ann")
		if err != nil {
			t.Fatal(err)
		}
		if n.Quote != "семь открыли\nснова" || n.Before == "" || n.After != " по приказу." {
			t.Fatalf("note: %+v", n)
		}
		second, err := a.AddNote(ctx, id, 1, "номер семь", 2, "The same case again.", "bob")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := a.pageText(ctx, id, 1)
		if text[second.Start:second.End] != "номер семь" || second.Start < strings.Index(text, "Позже") {
			t.Fatalf("the second occurrence: %d-%d", second.Start, second.End)
		}
		if _, err := a.AddReply(ctx, n.ID, "The prosecutor's, see page 2.", "bob"); err != nil {
			t.Fatal(err)
		}
		// A re-run of the collection keeps the notes and their anchors.
		if _, err := a.Reprocess(ctx, "kgb"); err != nil {
			t.Fatal(err)
		}
		if err := a.Work(ctx, WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		notes, err := a.Notes(ctx, id)
		if err != nil || len(notes) != 2 || notes[0].Lost || len(notes[0].Replies) != 1 || notes[0].Replies[0].Author != "bob" {
			t.Fatalf("after a re-run: %+v %v", notes, err)
		}
		// A re-OCR that adds a line at the top and breaks lines elsewhere:
		// both notes follow their own words.
		reocr := "Архив КГБ, фонд 17.\nДело номер семь закрыто. Позже дело номер\nсемь открыли снова по приказу."
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_pages SET text = ? WHERE doc_id = ?`, reocr, id); err != nil {
			t.Fatal(err)
		}
		notes, err = a.Notes(ctx, id)
		if err != nil || len(notes) != 2 {
			t.Fatalf("after a re-OCR: %+v %v", notes, err)
		}
		for _, n := range notes {
			if n.Lost || squash(reocr[n.Start:n.End]) != squash(n.Quote) {
				t.Fatalf("not re-anchored: %+v (%q)", n, reocr[n.Start:n.End])
			}
		}
		if got := notes[1]; got.Start < strings.Index(reocr, "Позже") {
			t.Fatalf("the second note moved to the first occurrence: %d", got.Start)
		}
		if notes[0].Start == n.Start {
			t.Fatal("the offsets did not move: the test proves nothing")
		}
		// The stored offsets moved too, for the collection's list.
		var start int
		a.db.sql.QueryRow(a.db.q(`SELECT start_at FROM archive_notes WHERE id = ?`), n.ID).Scan(&start)
		if start != notes[0].Start {
			t.Fatalf("stored start %d, found %d", start, notes[0].Start)
		}
		// Words gone: the note is kept, marked lost.
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_pages SET text = ? WHERE doc_id = ?`, "Дело закрыто навсегда.", id); err != nil {
			t.Fatal(err)
		}
		all, err := a.CollectionNotes(ctx, "kgb")
		if err != nil || len(all) != 2 || !all[0].Lost || !all[1].Lost || all[0].Body != "Reopened: by whose order?" || all[0].Path != "note.txt" {
			t.Fatalf("lost anchors: %+v %v", all, err)
		}
	})
}

// Notes and tags are searchable: a note's words find the document (matched
// "notes"), tag: narrows to tagged documents, also through a translation.
func TestNotesAndTagsSearch(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		dir := t.TempDir()
		ingestAll(t, a, "kgb", write(t, dir, "one.txt", []byte("Справка из архива о деле семь.")),
			write(t, dir, "two.txt", []byte("Справка из архива о деле восемь.")))
		one, two := DocID("kgb", "one.txt"), DocID("kgb", "two.txt")
		if _, err := a.AddNote(ctx, one, 1, "деле семь", 0, "Compare with the prosecutor's ledger.", "ann"); err != nil {
			t.Fatal(err)
		}
		res, err := a.Search(ctx, "ledger", "kgb", 10)
		if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != one || res.Hits[0].Matched != "notes" || res.Hits[0].Page != 1 {
			t.Fatalf("note search: %+v %v", res, err)
		}
		n, _ := a.Notes(ctx, one)
		if _, err := a.AddReply(ctx, n[0].ID, "Ledger found in fond 17.", "bob"); err != nil {
			t.Fatal(err)
		}
		if res, _ := a.Search(ctx, "fond", "kgb", 10); len(res.Hits) != 1 || res.Hits[0].ID != one {
			t.Fatalf("a reply is not searchable: %+v", res)
		}
		if _, err := a.AddTag(ctx, two, "bad:tag"); err == nil {
			t.Fatal("a tag the filter cannot name was stored")
		}
		tag, err := a.AddTag(ctx, two, "  Case Eight ")
		if err != nil || tag != "case-eight" {
			t.Fatalf("tag %q %v", tag, err)
		}
		if res, _ := a.Search(ctx, "справка tag:case-eight", "kgb", 10); len(res.Hits) != 1 || res.Hits[0].ID != two {
			t.Fatalf("tag filter: %+v", res)
		}
		if _, err := a.AddTranslation(ctx, two, 1, "en", "A note from the archive on case eight.", "user: bob", false, Draft); err != nil {
			t.Fatal(err)
		}
		if err := a.IndexTranslations(ctx, []string{two}, "en"); err != nil {
			t.Fatal(err)
		}
		if res, _ := a.Search(ctx, "archive tag:case-eight", "kgb", 10); len(res.Hits) != 1 || res.Hits[0].Matched != "translation:en" {
			t.Fatalf("tag filter through a translation: %+v", res)
		}
		// Tags survive a re-run, in the rows and in the index.
		if _, err := a.Reprocess(ctx, "kgb"); err != nil {
			t.Fatal(err)
		}
		if err := a.Work(ctx, WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		if res, _ := a.Search(ctx, "справка tag:case-eight", "kgb", 10); len(res.Hits) != 1 || res.Hits[0].ID != two {
			t.Fatalf("tag filter after a re-run: %+v", res)
		}
		if err := a.RemoveTag(ctx, two, "case-eight"); err != nil {
			t.Fatal(err)
		}
		if res, _ := a.Search(ctx, "tag:case-eight", "kgb", 10); res.Total != 0 {
			t.Fatalf("a removed tag still finds: %+v", res)
		}
		if tags, _ := a.Tags(ctx, two); len(tags) != 0 {
			t.Fatalf("tags %v", tags)
		}
	})
}

// Human versions: a save from a stale version is refused with the latest
// named; a version is reviewed by another user only, and only the latest.
func TestTranslationEditAndReview(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		p := write(t, t.TempDir(), "note.txt", []byte("Справка из архива о деле семь."))
		ingestAll(t, a, "kgb", p)
		id := DocID("kgb", "note.txt")
		if _, err := a.AddTranslation(ctx, id, 1, "en", "Reference from archive about case seven.", "machine: stub 1.0", true, Draft); err != nil {
			t.Fatal(err)
		}
		v, err := a.SaveTranslation(ctx, id, 1, "en", "A note from the archive on case seven.", "tanya", 1)
		if err != nil || v != 2 {
			t.Fatalf("save: %d %v", v, err)
		}
		var stale *StaleError
		if _, err := a.SaveTranslation(ctx, id, 1, "en", "Bob's version.", "bob", 1); !errors.As(err, &stale) || stale.Latest.Version != 2 || stale.Latest.By != "user: tanya" {
			t.Fatalf("a save from version 1 after version 2: %v", err)
		}
		if _, err := a.SaveTranslation(ctx, id, 1, "en", "  ", "bob", 2); err == nil {
			t.Fatal("an empty translation was saved")
		}
		if err := a.ReviewTranslation(ctx, id, 1, "en", 2, "tanya"); !errors.Is(err, ErrOwnReview) {
			t.Fatalf("own review: %v", err)
		}
		if err := a.ReviewTranslation(ctx, id, 1, "en", 1, "bob"); !errors.As(err, &stale) {
			t.Fatalf("review of an old version: %v", err)
		}
		if err := a.ReviewTranslation(ctx, id, 1, "en", 2, "bob"); err != nil {
			t.Fatal(err)
		}
		vs, err := a.Translations(ctx, id, "en")
		if err != nil || len(vs[1]) != 2 {
			t.Fatalf("%+v %v", vs, err)
		}
		if r := vs[1][1]; r.State != Reviewed || r.ReviewedBy != "bob" || r.ReviewedAt == "" || r.Text != "A note from the archive on case seven." || r.Machine {
			t.Fatalf("reviewed version: %+v", r)
		}
		if m := vs[1][0]; m.State != Draft || !m.Machine || m.ReviewedBy != "" {
			t.Fatalf("the machine draft changed: %+v", m)
		}
		// A new version after a review is a draft again, to review again.
		if v, err := a.SaveTranslation(ctx, id, 1, "en", "A note from the archive on file seven.", "bob", 2); err != nil || v != 3 {
			t.Fatalf("save after review: %d %v", v, err)
		}
		vs, _ = a.Translations(ctx, id, "en")
		if vs[1][2].State != Draft || vs[1][1].State != Reviewed {
			t.Fatalf("states: %+v", vs[1])
		}
	})
}

// Saves from the same version at once: one is stored, every other one is
// told it is stale; no version is lost or doubled (PostgreSQL reads the
// latest version in each transaction before any writes).
func TestConcurrentSavesOneWins(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		p := write(t, t.TempDir(), "note.txt", []byte("Справка из архива о деле семь."))
		ingestAll(t, a, "kgb", p)
		id := DocID("kgb", "note.txt")
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				who := string(rune('a' + i))
				_, err := a.SaveTranslation(ctx, id, 1, "en", "Version by user "+who, "u"+who, 0)
				errs <- err
			}()
		}
		won := 0
		for range n {
			err := <-errs
			var stale *StaleError
			switch {
			case err == nil:
				won++
			case errors.As(err, &stale):
				if stale.Latest.Version != 1 {
					t.Errorf("stale against %+v", stale.Latest)
				}
			default:
				t.Errorf("save: %v", err)
			}
		}
		vs, err := a.Translations(ctx, id, "en")
		if err != nil || won != 1 || len(vs[1]) != 1 {
			t.Fatalf("%d saves won, %d versions stored (%v)", won, len(vs[1]), err)
		}
	})
}
