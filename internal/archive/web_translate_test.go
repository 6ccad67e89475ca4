package archive

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/auth/authtest"
	"confide/internal/translate"
)

// threeParagraphs is a Russian page of three paragraphs.
const threeParagraphs = "Первый абзац о деле номер семь.\n\nВторой абзац: дело номер семь\nзакрыто.\n\nТретий абзац без перевода."

// withPage adds a three-paragraph page to the zone's "kgb" collection.
func (z *webZone) withPage(t *testing.T) string {
	p := write(t, t.TempDir(), "three.txt", []byte(threeParagraphs))
	ingestAll(t, z.a, "kgb", p)
	return DocID("kgb", "three.txt")
}

// The whole path of a page's translation in the web zone: a machine draft
// beside the original, taken by a translator, saved, a stale save caught,
// reviewed by another user only; who may do what; search finds it.
func TestWebTranslationEditReview(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		z := newWebZone(t, c)
		id := z.withPage(t)
		tanya := z.user(t, "tanya", RoleTranslator, "kgb")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		ivan := z.user(t, "ivan", RoleTranslator, "gulag")
		const by = "machine: stub 1.0"
		if _, err := z.a.AddTranslation(ctx, id, 1, "en", "First paragraph about case seven.\n\nSecond paragraph: case seven closed.", by, true, Draft); err != nil {
			t.Fatal(err)
		}
		if err := z.a.IndexTranslations(ctx, []string{id}, "en"); err != nil {
			t.Fatal(err)
		}
		doc := "/documents/" + id
		// A search hit through the machine draft says it is machine output.
		if _, sp := ann.get("/search?q=paragraph"); !strings.Contains(sp, `matched its translation:en (<span class="machine">machine output</span>)`) {
			t.Fatalf("machine output in search: %s", sp)
		}
		// Side by side, aligned by paragraph, the third unpaired but shown,
		// the draft labelled machine output.
		res, page := tanya.get(doc)
		if res.StatusCode != 200 {
			t.Fatalf("document %d", res.StatusCode)
		}
		rows := regexp.MustCompile(`(?s)<tr><td class="orig">(.*?)</td><td class="tr" lang="en">(.*?)</td></tr>`).FindAllStringSubmatch(page, -1)
		if len(rows) != 3 || rows[0][1] != "Первый абзац о деле номер семь." || rows[0][2] != "First paragraph about case seven." ||
			rows[1][1] != "Второй абзац: дело номер семь закрыто." || rows[2][1] != "Третий абзац без перевода." || rows[2][2] != "" {
			t.Fatalf("side by side: %q", rows)
		}
		if !strings.Contains(page, "machine draft (machine output, not reviewed)") || !strings.Contains(page, `<span class="machine">machine output</span>`) || strings.Contains(page, `id="review"`) == false {
			t.Fatalf("machine label: %s", page)
		}
		// Without the grant: not found, reading or writing.
		for _, p := range []string{doc, doc + "/pages/1/translation?lang=en"} {
			if res, _ := ivan.get(p); res.StatusCode != http.StatusNotFound {
				t.Fatalf("ungranted GET %s: %d", p, res.StatusCode)
			}
		}
		_, ipage := ivan.get("/")
		if res, _ := ivan.post(doc+"/pages/1/translation", ipage, url.Values{"lang": {"en"}, "base": {"1"}, "p": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("ungranted save: %d", res.StatusCode)
		}
		// The editor takes the machine draft as its start.
		res, ed := tanya.get(doc + "/pages/1/translation?lang=en")
		if res.StatusCode != 200 || !strings.Contains(ed, `name="base" value="1"`) || !strings.Contains(ed, ">First paragraph about case seven.</textarea>") ||
			strings.Count(ed, `name="p"`) != 3 || !strings.Contains(ed, "<strong>machine output</strong>") {
			t.Fatalf("editor %d: %s", res.StatusCode, ed)
		}
		mine := url.Values{"lang": {"en"}, "base": {"1"}, "p": {"First paragraph, on file seven.", "Second paragraph: file seven is closed.", "Third paragraph, untranslated before."}}
		// A forged form stores nothing.
		forged := url.Values{"csrf": {strings.Repeat("x", 43)}}
		for k, v := range mine {
			forged[k] = v
		}
		if res, _ := tanya.post(doc+"/pages/1/translation", "", forged); res.StatusCode != http.StatusForbidden {
			t.Fatalf("forged save: %d", res.StatusCode)
		}
		if vs, _ := z.a.Translations(ctx, id, "en"); len(vs[1]) != 1 {
			t.Fatalf("a forged form saved: %+v", vs)
		}
		res, _ = tanya.post(doc+"/pages/1/translation", ed, mine)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != doc+"?page=1&lang=en#translation" {
			t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		vs, _ := z.a.Translations(ctx, id, "en")
		if len(vs[1]) != 2 || vs[1][1].By != "user: tanya" || vs[1][1].Machine || vs[1][1].State != Draft ||
			vs[1][1].Text != "First paragraph, on file seven.\n\nSecond paragraph: file seven is closed.\n\nThird paragraph, untranslated before." {
			t.Fatalf("saved: %+v", vs[1])
		}
		if !z.audited(t, "tanya", "translate page", "three.txt page 1 into en") {
			t.Fatal("the save is not audited")
		}
		// The index has the new text, not the machine draft's.
		if r, _ := z.a.Search(ctx, "untranslated", "kgb", 10); len(r.Hits) != 1 || r.Hits[0].ID != id || r.Hits[0].Matched != "translation:en" {
			t.Fatalf("search the saved version: %+v", r)
		}
		if r, _ := z.a.Search(ctx, "about", "kgb", 10); r.Total != 0 {
			t.Fatalf("the machine draft is still indexed: %+v", r)
		}
		if _, sp := ann.get("/search?q=untranslated"); !strings.Contains(sp, "matched its translation:en</span>") {
			t.Fatalf("the search page does not say what matched: %s", sp)
		}
		// Ann edited from version 1 too: her save is refused, her text kept.
		_, aed := ann.get(doc + "/pages/1/translation?lang=en")
		theirs := url.Values{"lang": {"en"}, "base": {"1"}, "p": {"Ann's first paragraph.", "", "Ann's third."}}
		res, conflict := ann.post(doc+"/pages/1/translation", aed, theirs)
		if res.StatusCode != http.StatusConflict || !strings.Contains(conflict, "Someone saved version 2") || !strings.Contains(conflict, ">Ann&#39;s first paragraph.</textarea>") ||
			!strings.Contains(conflict, ">Ann&#39;s third.</textarea>") || !strings.Contains(conflict, `name="base" value="2"`) || !strings.Contains(conflict, "file seven is closed") {
			t.Fatalf("stale save %d: %s", res.StatusCode, conflict)
		}
		if vs, _ := z.a.Translations(ctx, id, "en"); len(vs[1]) != 2 {
			t.Fatalf("a stale save was stored: %+v", vs[1])
		}
		// The maker cannot review her own version; another user can.
		_, page = tanya.get(doc + "?lang=en")
		if strings.Contains(page, `id="review"`) || !strings.Contains(page, "you made this version") || !strings.Contains(page, "human draft, not reviewed") {
			t.Fatalf("own version's page: %s", page)
		}
		if res, body := tanya.post(doc+"/pages/1/translation/review", page, url.Values{"lang": {"en"}, "version": {"2"}}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "someone else reviews it") {
			t.Fatalf("own review: %d", res.StatusCode)
		}
		_, page = ann.get(doc + "?lang=en")
		if res, body := ann.post(doc+"/pages/1/translation/review", page, url.Values{"lang": {"en"}, "version": {"1"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Version 2 was saved by user: tanya") {
			t.Fatalf("review of an old version: %d", res.StatusCode)
		}
		if res, _ := ann.post(doc+"/pages/1/translation/review", page, url.Values{"lang": {"en"}, "version": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("review: %d", res.StatusCode)
		}
		today := time.Now().UTC().Format("2006-01-02")
		_, page = tanya.get(doc + "?lang=en")
		if !strings.Contains(page, "human, reviewed by ann on "+today) || !strings.Contains(page, "made by tanya") || !z.audited(t, "ann", "review translation", "version 2") {
			t.Fatalf("reviewed page: %s", page)
		}
		// Every version is viewable; the old one is the machine's, labelled.
		if !strings.Contains(page, `href="`+doc+`?page=1&amp;lang=en&amp;v=1#translation"`) {
			t.Fatalf("history: %s", page)
		}
		_, old := tanya.get(doc + "?page=1&lang=en&v=1")
		if !strings.Contains(old, "First paragraph about case seven.") || !strings.Contains(old, "machine draft (machine output") || !strings.Contains(old, "version 1 of 2") ||
			!strings.Contains(old, "only the latest is reviewed") {
			t.Fatalf("version 1: %s", old)
		}
		// With ?lang=none the plain text is back.
		if _, plain := tanya.get(doc + "?lang=none"); !strings.Contains(plain, `<pre id="page-text">`) || strings.Contains(plain, `id="side-by-side"`) {
			t.Fatalf("original only: %s", plain)
		}
		// A translator translates but does not export or batch-translate.
		_, cpage := tanya.get("/collections/kgb")
		if res, body := tanya.post("/collections/kgb/translate", cpage, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "journalist or an admin") {
			t.Fatalf("translator's batch: %d", res.StatusCode)
		}
	})
}

// Notes in the margin, their words marked, with replies; a quote that is
// on the page twice is chosen from a list; what was typed is never lost;
// the collection lists its notes; tags filter search.
func TestWebNotesAndTags(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		id := z.withPage(t)
		tanya := z.user(t, "tanya", RoleTranslator, "kgb")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		ivan := z.user(t, "ivan", RoleJournalist, "gulag")
		doc := "/documents/" + id
		_, page := tanya.get(doc)
		// "дело номер семь" is in two paragraphs (once across a line
		// break): the user is asked which.
		res, body := tanya.post(doc+"/pages/1/notes", page, url.Values{"quote": {"номер семь"}, "body": {"Which prosecutor signed this?"}})
		if res.StatusCode != http.StatusConflict || strings.Count(body, `name="occurrence"`) != 2 || !strings.Contains(body, ">Which prosecutor signed this?</textarea>") {
			t.Fatalf("ambiguous quote %d: %s", res.StatusCode, body)
		}
		res, _ = tanya.post(doc+"/pages/1/notes", body, url.Values{"quote": {"номер семь"}, "occurrence": {"2"}, "body": {"Which prosecutor signed this?"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), doc+"?page=1#note-") {
			t.Fatalf("note: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, body = tanya.post(doc+"/pages/1/notes", page, url.Values{"quote": {"не на странице"}, "body": {"Kept text"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not on this page") || !strings.Contains(body, ">Kept text</textarea>") || !strings.Contains(body, `value="не на странице"`) {
			t.Fatalf("missing quote %d: %s", res.StatusCode, body)
		}
		notes, err := z.a.Notes(context.Background(), id)
		if err != nil || len(notes) != 1 {
			t.Fatalf("notes %+v %v", notes, err)
		}
		nid := notes[0].ID
		// In the margin, the words marked in the text (the second
		// occurrence, in the second paragraph's line).
		_, page = ann.get(doc)
		if !regexp.MustCompile(`Второй абзац: дело <mark id="anchor-\d+"><a href="#note-\d+">номер семь</a></mark>\nзакрыто`).MatchString(page) ||
			!strings.Contains(page, `<aside class="notes"`) || !strings.Contains(page, "Which prosecutor signed this?") {
			t.Fatalf("margin: %s", page)
		}
		if res, _ := ann.post("/notes/"+itoa64(nid)+"/replies", page, url.Values{"body": {"Prosecutor Rudenko, see the ledger."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", res.StatusCode)
		}
		if res, body := ann.post("/notes/"+itoa64(nid)+"/replies", page, url.Values{"body": {"   "}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "the reply is empty") {
			t.Fatalf("empty reply: %d", res.StatusCode)
		}
		_, ipage := ivan.get("/")
		if res, _ := ivan.post("/notes/"+itoa64(nid)+"/replies", ipage, url.Values{"body": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("ungranted reply: %d", res.StatusCode)
		}
		if res, _ := ivan.post(doc+"/pages/1/notes", ipage, url.Values{"quote": {"абзац"}, "body": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("ungranted note: %d", res.StatusCode)
		}
		// With a translation shown, the words are marked in the paragraph.
		if _, err := z.a.AddTranslation(context.Background(), id, 1, "en", "One.\n\nTwo.\n\nThree.", "machine: stub 1.0", true, Draft); err != nil {
			t.Fatal(err)
		}
		_, page = ann.get(doc + "?lang=en")
		if !regexp.MustCompile(`<td class="orig">Второй абзац: дело <mark id="anchor-\d+"><a href="#note-\d+">номер семь</a></mark> закрыто.</td>`).MatchString(page) ||
			!strings.Contains(page, "Prosecutor Rudenko") {
			t.Fatalf("marked in the side-by-side view: %s", page)
		}
		// A note's words find the document, and the page says so.
		if _, sp := ann.get("/search?q=Rudenko"); !strings.Contains(sp, "three.txt</a>") || !strings.Contains(sp, "matched its notes") {
			t.Fatalf("note search: %s", sp)
		}
		if _, sp := ivan.get("/search?q=Rudenko"); strings.Contains(sp, "three.txt") {
			t.Fatal("an ungranted user finds the note")
		}
		// The collection lists its notes.
		if _, cp := tanya.get("/collections/kgb"); !strings.Contains(cp, "Notes (1)") || !strings.Contains(cp, "three.txt, page 1") || !strings.Contains(cp, "1 reply") {
			t.Fatalf("collection notes: %s", cp)
		}
		if !z.audited(t, "tanya", "add note", "three.txt page 1") || !z.audited(t, "ann", "reply to note", "three.txt") {
			t.Fatal("notes not audited")
		}
		// A re-read page without the words: the note stays in the margin,
		// marked lost, and nothing is marked in the text.
		if _, err := z.a.db.exec(context.Background(), z.a.db.sql, `UPDATE archive_pages SET text = ? WHERE doc_id = ?`, "Первый абзац.\n\nВторой абзац: дело закрыто.", id); err != nil {
			t.Fatal(err)
		}
		_, lost := ann.get(doc + "?lang=none")
		if !strings.Contains(lost, "Anchor lost") || !strings.Contains(lost, "Which prosecutor signed this?") || strings.Contains(lost, `<mark id="anchor-`) {
			t.Fatalf("lost anchor: %s", lost)
		}
		if _, cp := tanya.get("/collections/kgb"); !strings.Contains(cp, "(anchor lost)") {
			t.Fatalf("collection's lost anchor: %s", cp)
		}
		if _, err := z.a.db.exec(context.Background(), z.a.db.sql, `UPDATE archive_pages SET text = ? WHERE doc_id = ?`, threeParagraphs, id); err != nil {
			t.Fatal(err)
		}
		// Tags: added, filtering search, removed.
		_, page = tanya.get(doc)
		if res, _ := tanya.post(doc+"/tags", page, url.Values{"tag": {"Case Seven"}, "page": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("tag: %d", res.StatusCode)
		}
		if res, body := tanya.post(doc+"/tags", page, url.Values{"tag": {"a:b"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no quotes, colons") {
			t.Fatalf("bad tag: %d", res.StatusCode)
		}
		_, page = ann.get(doc)
		if !strings.Contains(page, `<a href="/search?q=tag%3Acase-seven">case-seven</a>`) {
			t.Fatalf("tags on the page: %s", page)
		}
		if _, sp := ann.get("/search?q=" + url.QueryEscape("абзац tag:case-seven")); !strings.Contains(sp, "three.txt</a>") || strings.Contains(sp, "a.txt</a>") {
			t.Fatalf("tag filter: %s", sp)
		}
		if res, _ := ann.post(doc+"/tags/remove", page, url.Values{"tag": {"case-seven"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("untag: %d", res.StatusCode)
		}
		if _, sp := ann.get("/search?q=tag:case-seven"); !strings.Contains(sp, `id="total">0 documents`) {
			t.Fatalf("removed tag: %s", sp)
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// stubEngine translates ru→en by prefixing "EN:"; while gate is set each
// call waits on it (or on its context, unless deaf: an engine that
// answers after its caller gave up).
type stubEngine struct {
	mu    sync.Mutex
	gate  chan struct{}
	calls int
	deaf  bool
}

func (e *stubEngine) Name() string            { return "stub" }
func (e *stubEngine) Version() string         { return "1.0" }
func (e *stubEngine) Pairs() []translate.Pair { return []translate.Pair{{From: "ru", To: "en"}} }
func (e *stubEngine) setGate(g chan struct{}) { e.mu.Lock(); e.gate = g; e.mu.Unlock() }
func (e *stubEngine) callCount() int          { e.mu.Lock(); defer e.mu.Unlock(); return e.calls }
func (e *stubEngine) Translate(ctx context.Context, from, to string, ps []string) ([]string, error) {
	e.mu.Lock()
	e.calls++
	g, deaf := e.gate, e.deaf
	e.mu.Unlock()
	if g != nil && deaf {
		<-g
	} else if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = "EN: " + p
	}
	return out, nil
}

// serve runs a web zone with cfg over an open archive.
func serve(t *testing.T, a *Archive, cfg ServerConfig) (*Server, *webZone) {
	cfg.Params = authtest.Params
	srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	return srv, &webZone{a: a, ts: ts}
}

// waitBatch waits for the collection's batch to reach state.
func waitBatch(t *testing.T, a *Archive, collection, state string) *Batch {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, err := a.batch(context.Background(), collection)
		if err != nil {
			t.Fatal(err)
		}
		if b != nil && b.State == state {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch of %s: %+v, want %s", collection, b, state)
		}
	}
}

// A batch from the web: started by a journalist, one per collection,
// progress on the collection page (which reloads itself), cancellable,
// resumed by the next server after a stop, and never translating a page
// twice.
func TestWebBatchTranslate(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		c.Who = "operator" // who runs the process, not who started the batch
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t), write(t, t.TempDir(), "three.txt", []byte(threeParagraphs)))
		eng := &stubEngine{}
		gate := make(chan struct{})
		eng.setGate(gate)
		srv, z := serve(t, a, ServerConfig{Engines: []translate.Engine{eng}})
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		res, cp := ann.get("/collections/kgb")
		if !strings.Contains(cp, `<option value="stub">stub (into en)</option>`) || res.Header.Get("Refresh") != "" {
			t.Fatalf("batch form: %s", cp)
		}
		if res, body := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"de"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "stub translates into en, not into") {
			t.Fatalf("a language the engine lacks: %d", res.StatusCode)
		}
		if res, _ := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", res.StatusCode)
		}
		if res, body := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "is running") {
			t.Fatalf("a second batch: %d", res.StatusCode)
		}
		res, cp = ann.get("/collections/kgb")
		if res.Header.Get("Refresh") != "5" || !strings.Contains(cp, "<strong>running</strong>") || !strings.Contains(cp, `id="batch-cancel"`) || strings.Contains(cp, `id="batch-form"`) {
			t.Fatalf("running batch %v: %s", res.Header, cp)
		}
		// Cancelled while the engine works: nothing half-stored.
		if res, _ := ann.post("/collections/kgb/translate/cancel", cp, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		waitBatch(t, a, "kgb", BatchCancelled)
		if !z.audited(t, "ann", "batch translation started", "kgb into en with stub") || !z.audited(t, "ann", "batch translation cancelled", "kgb") {
			t.Fatal("the batch is not audited")
		}
		// Started again and stopped with the server: the next server goes on.
		_, cp = ann.get("/collections/kgb")
		if res, _ := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start again: %d", res.StatusCode)
		}
		srv.Close()
		if b := waitBatch(t, a, "kgb", BatchRunning); !strings.Contains(b.Message, "stopped with the server") {
			t.Fatalf("after a stop: %+v", b)
		}
		eng.setGate(nil)
		close(gate)
		_, z2 := serve(t, a, ServerConfig{Engines: []translate.Engine{eng}})
		b := waitBatch(t, a, "kgb", BatchDone)
		pages, _, err := a.Untranslated(ctx, "kgb", "", "en", "")
		if err != nil {
			t.Fatal(err)
		}
		if b.Done != len(pages) || b.Done == 0 || b.Failed != 0 || !strings.Contains(b.Message, "translated") {
			t.Fatalf("resumed batch: %+v (%d pages)", b, len(pages))
		}
		three := DocID("kgb", "three.txt")
		vs, _ := a.Translations(ctx, three, "en")
		if len(vs[1]) != 1 || !vs[1][0].Machine || vs[1][0].By != "machine: stub 1.0" || !strings.HasPrefix(vs[1][0].Text, "EN: Первый абзац") {
			t.Fatalf("machine draft: %+v", vs)
		}
		// Custody names who started the batch, as the audit log does.
		cu, err := a.Custody(ctx, three)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(cu.Events, func(e Event) bool { return strings.HasPrefix(e.Action, "machine-translated to en") }); i < 0 || cu.Events[i].Who != "ann" {
			t.Fatalf("custody of the batch: %+v", cu.Events)
		}
		// Again: every page is done already, none translated twice.
		ann2 := z2.user(t, "bob", RoleAdmin)
		_, cp = ann2.get("/collections/kgb")
		if !strings.Contains(cp, "<strong>done</strong>") || !strings.Contains(cp, "resumed after a restart") {
			t.Fatalf("done: %s", cp)
		}
		calls := eng.callCount()
		if res, _ := ann2.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a third run: %d", res.StatusCode)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if b, _ := a.batch(ctx, "kgb"); b.State == BatchDone && strings.Contains(b.Message, "translated 0 pages") {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("third run: %+v", b)
			}
		}
		if eng.callCount() != calls {
			t.Fatal("pages already translated went to the engine again")
		}
		if vs, _ := a.Translations(ctx, three, "en"); len(vs[1]) != 1 {
			t.Fatalf("a page translated twice: %+v", vs)
		}
	})
}
