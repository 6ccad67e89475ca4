package e2e

import (
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/translate/translatetest"

	"github.com/chromedp/chromedp"
)

// signIn signs a user in for the first time (passphrase, then the code
// from the setup page), starting at path; it lands on the collections.
func (b tab) signIn(base, path, name, pass, secret string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+path), chromedp.SendKeys(css(`#name`), name), chromedp.SendKeys(css(`#passphrase`), pass))
	b.click(`form[action="/login"] button`)
	code, _ := seal.TOTPCode(secret, time.Now())
	b.do(chromedp.SendKeys(css(`#code`), code))
	b.click(`form[action="/setup"] button`)
}

// TestBrowserArchiveTranslation: in Chromium with JavaScript off, a
// Russian page machine-translated by `archive translate` (against
// translatetest's local LibreTranslate stand-in) is shown beside its original; a translator
// takes the machine draft, edits and saves it; a journalist, signed in
// after her, reviews it and adds a note, which shows in the margin with
// its words marked.
func TestBrowserArchiveTranslation(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "trove")
		writeFile(t, filepath.Join(root, "fond17", "protokol.txt"), []byte("Протокол заседания комиссии.\n\nДело номер семь закрыто по приказу прокурора.\n\nАрхивы переданы в фонд."))
		run(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "fond17", "--no-ocr"}, db, []string{root})...)
		// translatetest's stand-in for a LibreTranslate server (the same
		// HTTP protocol, not LibreTranslate itself).
		libre := translatetest.Libre(map[string]string{"протокол": "Minutes", "заседания": "of the meeting", "комиссии": "of the commission", "дело": "Case",
			"номер": "number", "семь": "seven", "закрыто": "closed", "по": "by", "приказу": "order", "прокурора": "of the prosecutor",
			"архивы": "Archives", "переданы": "transferred", "в": "to", "фонд": "the fond"}, "")
		t.Cleanup(libre.Close)
		lt := libre.URL
		run(t, slices.Concat([]string{"archive", "translate", "--data", data, "--collection", "fond17", "--to", "en", "--engine", lt}, db)...)
		tpass, tsecret := addArchiveUser(t, data, db, "tanya", "translator", "fond17")
		apass, asecret := addArchiveUser(t, data, db, "ann", "journalist", "fond17")

		srv, base := startArchive(t, data, slices.Concat(db, []string{"--translate-url", lt}))
		ctx := newBrowser(t)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		b := tab{t, ctx, srv}
		b.signIn(base, "/search?q="+url.QueryEscape("прокурора"), "tanya", tpass, tsecret)
		b.do(chromedp.SendKeys(css(`#q`), "prosecutor"))
		b.click(`form[action="/search"] button`)
		if hits := b.text(`ol.hits`); !strings.Contains(hits, "protokol.txt") || !strings.Contains(hits, "matched its translation:en") {
			t.Fatalf("an English search: %q", hits)
		}
		b.click(`ol.hits a.hit-path`)
		if st := b.text(`#translation-state`); !strings.Contains(st, "machine draft (machine output, not reviewed)") || !strings.Contains(st, "libretranslate") {
			t.Fatalf("machine draft: %q", st)
		}
		if row := b.text(`#side-by-side tbody tr:nth-child(2)`); !strings.Contains(row, "Дело номер семь закрыто") || !strings.Contains(row, "Case number seven closed by order of the prosecutor.") {
			t.Fatalf("side by side: %q", row)
		}
		shot(t, ctx, "archive-translation-machine-"+filepath.Base(t.Name()))
		b.click(`#edit-translation`)
		b.do(chromedp.Clear(css(`#p2`)), chromedp.SendKeys(css(`#p2`), "File number seven was closed on the prosecutor's order."))
		shot(t, ctx, "archive-translation-editor-"+filepath.Base(t.Name()))
		b.click(`#save-translation`)
		if st := b.text(`#translation-state`); !strings.Contains(st, "human draft, not reviewed") || !strings.Contains(st, "made by tanya") || !strings.Contains(st, "version 2 of 2") {
			t.Fatalf("after saving: %q", st)
		}
		if tr := b.text(`#side-by-side`); !strings.Contains(tr, "File number seven was closed on the prosecutor's order.") || !strings.Contains(tr, "Minutes of the meeting") {
			t.Fatalf("saved translation: %q", tr)
		}
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#review') === null`)); err != nil || !ok {
			t.Fatal("the translator is offered to review her own version")
		}
		b.click(`nav form[action="/logout"] button`)

		b.signIn(base, "/", "ann", apass, asecret)
		b.do(chromedp.Navigate(base + "/search?q=" + url.QueryEscape("прокурора")))
		b.click(`ol.hits a.hit-path`)
		b.click(`#review`)
		today := time.Now().UTC().Format("2006-01-02")
		if st := b.text(`#translation-state`); !strings.Contains(st, "reviewed by ann on "+today) || !strings.Contains(st, "made by tanya") {
			t.Fatalf("after review: %q", st)
		}
		b.do(chromedp.SendKeys(css(`#note-quote`), "приказу прокурора"), chromedp.SendKeys(css(`#note-body`), "Which prosecutor? Check the 1956 ledger."))
		b.click(`form.addnote button`)
		if note := b.text(`#notes`); !strings.Contains(note, "приказу прокурора") || !strings.Contains(note, "Which prosecutor? Check the 1956 ledger.") || !strings.Contains(note, "ann") {
			t.Fatalf("margin: %q", note)
		}
		if m := b.text(`#side-by-side mark`); m != "приказу прокурора" {
			t.Fatalf("marked words: %q", m)
		}
		// The notes are in the margin, to the right of the text.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const t = document.querySelector('#side-by-side').getBoundingClientRect(), n = document.querySelector('#notes').getBoundingClientRect(); return n.left >= t.right && n.top < t.bottom })()`)); err != nil || !ok {
			t.Fatalf("the notes are not beside the text (%v)", err)
		}
		shot(t, ctx, "archive-translation-reviewed-"+filepath.Base(t.Name()))
		b.do(chromedp.Navigate(base + "/collections/fond17"))
		if st := b.text(`main`); !strings.Contains(st, "Notes (1)") || !strings.Contains(st, "protokol.txt, page 1") {
			t.Fatalf("collection page: %q", st)
		}
		shot(t, ctx, "archive-translation-collection-"+filepath.Base(t.Name()))
	})
}
