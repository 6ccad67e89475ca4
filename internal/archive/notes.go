package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"confide/internal/search"
)

// Limits of what a note holds.
const (
	maxQuote   = 500   // bytes of the quoted words
	maxNote    = 10000 // bytes of a note's or a reply's text
	contextLen = 40    // bytes of text kept on each side of the quote
)

// Note is a note on a span of a page's text. The span is kept twice: as
// byte offsets into the page's text and as the quoted words with some
// text before and after, so that after a re-OCR moves the offsets the
// note is found again by its words (see anchor); Lost says the words are
// no longer on the page, and the note is kept all the same.
type Note struct {
	ID         int64
	DocID      string
	Page       int
	Start, End int // byte offsets into the page's text, as last found
	Quote      string
	Before     string // text just before the quote when it was made
	After      string // text just after it
	Lost       bool
	Body       string
	Author     string
	At         string // UTC, to the second
	Replies    []Reply
	// Path and Collection are the document's, in a collection's list.
	Path, Collection string
}

// Reply is an answer to a note.
type Reply struct {
	Body, Author, At string
}

// Occurrence is one place where a quote is on a page, with the text
// around it, for the user to choose from.
type Occurrence struct {
	N                    int // from 1
	Before, Quote, After string
}

// AmbiguousError is AddNote's answer when the quote is on the page more
// than once and no occurrence was chosen: nothing was stored.
type AmbiguousError struct{ Choices []Occurrence }

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("archive: the words are on this page %d times; choose which one the note is about", len(e.Choices))
}

// InputError is a user's input the archive refuses, with the reason to
// show them; nothing was stored.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return "archive: " + e.Msg }

// ErrQuoteNotFound is AddNote's answer for words the page does not hold.
var ErrQuoteNotFound error = &InputError{"these words are not on this page; copy them from the page's text (line breaks and spaces may differ)"}

// quotePattern matches quote in a text whatever white space stands
// between its words: OCR and PDFs break lines where the reader does not.
func quotePattern(quote string) *regexp.Regexp {
	words := strings.Fields(quote)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// occurrences are the spans of text that match quote.
func occurrences(text, quote string) [][]int {
	if strings.TrimSpace(quote) == "" {
		return nil
	}
	return quotePattern(quote).FindAllStringIndex(text, 100)
}

// around is up to contextLen bytes before and after text[s:e], cut at
// rune boundaries.
func around(text string, s, e int) (before, after string) {
	b := max(s-contextLen, 0)
	for b < s && !utf8.RuneStart(text[b]) {
		b++
	}
	f := min(e+contextLen, len(text))
	for f > e && f < len(text) && !utf8.RuneStart(text[f]) {
		f--
	}
	return text[b:s], text[e:f]
}

// squash collapses white space, so that contexts compare across re-OCRs
// that break lines elsewhere.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// anchor finds a note's span in a page's (maybe re-OCRed) text: where it
// was, if the quote is still there; else the occurrence of the quote whose
// surroundings best match the note's context (the nearest to the old
// offsets on a tie); ok is false when the quote is not on the page.
func anchor(text string, n Note) (s, e int, ok bool) {
	if n.Start >= 0 && n.End <= len(text) && n.Start < n.End && squash(text[n.Start:n.End]) == squash(n.Quote) {
		return n.Start, n.End, true
	}
	best, bestScore, bestDist := -1, -1, 0
	all := occurrences(text, n.Quote)
	for i, m := range all {
		before, after := around(text, m[0], m[1])
		score := commonSuffix(squash(before), squash(n.Before)) + commonPrefix(squash(after), squash(n.After))
		dist := m[0] - n.Start
		if dist < 0 {
			dist = -dist
		}
		if score > bestScore || score == bestScore && dist < bestDist {
			best, bestScore, bestDist = i, score, dist
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	return all[best][0], all[best][1], true
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// pageText is the text of a page of a document.
func (a *Archive) pageText(ctx context.Context, docID string, page int) (string, error) {
	var text string
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT text FROM archive_pages WHERE doc_id = ? AND number = ?`), docID, page).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: document %s has no page %d", ErrNotFound, docID, page)
	}
	if err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return text, nil
}

// AddNote stores a note by author on the words quote of a page. When
// the words are there more than once, occurrence (from 1) says which;
// without it the answer is an *AmbiguousError listing them. The note is
// indexed for search at once.
func (a *Archive) AddNote(ctx context.Context, docID string, page int, quote string, occurrence int, body, author string) (Note, error) {
	quote, body = strings.TrimSpace(clean(quote)), strings.TrimSpace(clean(body))
	switch {
	case quote == "":
		return Note{}, &InputError{"a note needs the words it is about; copy them from the page's text"}
	case len(quote) > maxQuote:
		return Note{}, &InputError{fmt.Sprintf("a note is about at most %d bytes of text; quote fewer words", maxQuote)}
	case body == "":
		return Note{}, &InputError{"the note is empty"}
	case len(body) > maxNote:
		return Note{}, &InputError{fmt.Sprintf("a note holds at most %d bytes", maxNote)}
	}
	text, err := a.pageText(ctx, docID, page)
	if err != nil {
		return Note{}, err
	}
	all := occurrences(text, quote)
	if len(all) == 0 {
		return Note{}, ErrQuoteNotFound
	}
	if occurrence < 1 || occurrence > len(all) {
		if len(all) > 1 {
			e := &AmbiguousError{}
			for i, m := range all {
				before, after := around(text, m[0], m[1])
				e.Choices = append(e.Choices, Occurrence{N: i + 1, Before: before, Quote: text[m[0]:m[1]], After: after})
			}
			return Note{}, e
		}
		occurrence = 1
	}
	m := all[occurrence-1]
	n := Note{DocID: docID, Page: page, Start: m[0], End: m[1], Quote: text[m[0]:m[1]], Body: body, Author: author, At: now()}
	n.Before, n.After = around(text, m[0], m[1])
	err = a.db.sql.QueryRowContext(ctx, a.db.q(`INSERT INTO archive_notes (doc_id, page, start_at, end_at, quote, before_text, after_text, body, author, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), docID, page, n.Start, n.End, n.Quote, n.Before, n.After, n.Body, n.Author, n.At).Scan(&n.ID)
	if err != nil {
		return Note{}, fmt.Errorf("archive: %w", err)
	}
	return n, a.indexNotes(ctx, docID)
}

// AddReply stores author's reply to a note and indexes it; it returns the
// note's document.
func (a *Archive) AddReply(ctx context.Context, noteID int64, body, author string) (string, error) {
	body = strings.TrimSpace(clean(body))
	if body == "" {
		return "", &InputError{"the reply is empty"}
	}
	if len(body) > maxNote {
		return "", &InputError{fmt.Sprintf("a reply holds at most %d bytes", maxNote)}
	}
	docID, err := a.noteDoc(ctx, noteID)
	if err != nil {
		return "", err
	}
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_note_replies (note_id, body, author, at) VALUES (?, ?, ?, ?)`, noteID, body, author, now()); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return docID, a.indexNotes(ctx, docID)
}

// noteDoc is the document a note is on.
func (a *Archive) noteDoc(ctx context.Context, noteID int64) (string, error) {
	var docID string
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT doc_id FROM archive_notes WHERE id = ?`), noteID).Scan(&docID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: no note %d", ErrNotFound, noteID)
	}
	if err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return docID, nil
}

// NoteDocument is the document a note is on, for checking who may read it.
func (a *Archive) NoteDocument(ctx context.Context, noteID int64) (*Document, error) {
	id, err := a.noteDoc(ctx, noteID)
	if err != nil {
		return nil, err
	}
	return a.doc(ctx, id)
}

// Notes returns a document's notes, by page and then oldest first, with
// their replies, each anchored again to its page's current text (a move
// or a loss is stored, so the collection's list says the same).
func (a *Archive) Notes(ctx context.Context, docID string) ([]Note, error) {
	return a.notes(ctx, `n.doc_id = ?`, docID, 0)
}

// MaxListedNotes bounds the notes a collection's list shows.
const MaxListedNotes = 1000

// CollectionNotes returns the notes on a collection's documents, as Notes
// does, by document path and page: the first MaxListedNotes.
func (a *Archive) CollectionNotes(ctx context.Context, collection string) ([]Note, error) {
	return a.notes(ctx, `e.collection = ?`, collection, MaxListedNotes)
}

// notes are the notes where holds, the first limit of them (0: all).
func (a *Archive) notes(ctx context.Context, where string, arg any, limit int) ([]Note, error) {
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []Note
	texts := []string{}
	err := a.each(ctx, `SELECT n.id, n.doc_id, n.page, n.start_at, n.end_at, n.quote, n.before_text, n.after_text, n.lost, n.body, n.author, n.at,
		d.path, e.collection, COALESCE(p.text, '')
		FROM archive_notes n JOIN archive_documents d ON d.id = n.doc_id JOIN archive_entries e ON e.id = d.entry_id
		LEFT JOIN archive_pages p ON p.doc_id = n.doc_id AND p.number = n.page
		WHERE `+where+` ORDER BY d.path, n.page, n.id`+lim, []any{arg}, func(r *sql.Rows) error {
		var n Note
		var lost int
		var text string
		if err := r.Scan(&n.ID, &n.DocID, &n.Page, &n.Start, &n.End, &n.Quote, &n.Before, &n.After, &lost, &n.Body, &n.Author, &n.At, &n.Path, &n.Collection, &text); err != nil {
			return err
		}
		n.Lost = lost == 1
		out = append(out, n)
		texts = append(texts, text)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		n := &out[i]
		s, e, ok := anchor(texts[i], *n)
		if ok == !n.Lost && (!ok || s == n.Start && e == n.End) {
			continue
		}
		if ok {
			n.Start, n.End = s, e
		}
		n.Lost = !ok
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_notes SET start_at = ?, end_at = ?, lost = ? WHERE id = ?`, n.Start, n.End, boolInt(n.Lost), n.ID); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := map[int64]*Note{}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	err = a.each(ctx, `SELECT r.note_id, r.body, r.author, r.at FROM archive_note_replies r JOIN archive_notes n ON n.id = r.note_id
		JOIN archive_documents d ON d.id = n.doc_id JOIN archive_entries e ON e.id = d.entry_id WHERE `+where+` ORDER BY r.id`, []any{arg}, func(r *sql.Rows) error {
		var id int64
		var rp Reply
		if err := r.Scan(&id, &rp.Body, &rp.Author, &rp.At); err != nil {
			return err
		}
		if n := byID[id]; n != nil {
			n.Replies = append(n.Replies, rp)
		}
		return nil
	})
	return out, err
}

// notesID is the search document of a document's notes: one per
// document, a page per page, so that a hit on a note finds the page.
func notesID(docID string) string { return docID + "#notes" }

// indexNotes indexes a document's notes (their words, text and replies)
// as its notes' search document, and commits the index.
func (a *Archive) indexNotes(ctx context.Context, docID string) error {
	d, err := a.doc(ctx, docID)
	if err != nil {
		return err
	}
	notes, err := a.Notes(ctx, docID)
	if err != nil {
		return err
	}
	if err := a.addNotesDoc(ctx, d, notes); err != nil {
		return err
	}
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return fmt.Errorf("archive: index commit: %w", err)
	}
	return nil
}

// addNotesDoc adds (or, without notes, deletes) a document's notes'
// search document, uncommitted.
func (a *Archive) addNotesDoc(ctx context.Context, d *Document, notes []Note) error {
	if len(notes) == 0 {
		if err := a.eng.Delete(notesID(d.ID)); err != nil && !errors.Is(err, search.ErrNotFound) {
			return fmt.Errorf("archive: index: %w", err)
		}
		return nil
	}
	var pages []string
	for _, n := range notes {
		for len(pages) < n.Page {
			pages = append(pages, "")
		}
		var b strings.Builder
		b.WriteString(pages[n.Page-1])
		fmt.Fprintf(&b, "%s\n%s\n", n.Quote, n.Body)
		for _, r := range n.Replies {
			b.WriteString(r.Body + "\n")
		}
		pages[n.Page-1] = b.String()
	}
	tags, err := a.Tags(ctx, d.ID)
	if err != nil {
		return err
	}
	if err := a.eng.Add(search.Doc{ID: notesID(d.ID), Collection: d.Collection, Type: d.Type, Tags: tags, Pages: pages}); err != nil {
		return fmt.Errorf("archive: index the notes on %s: %w", d.Path, err)
	}
	return nil
}
