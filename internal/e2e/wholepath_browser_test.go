package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/store/storetest"
	"confide/internal/translate/translatetest"

	"github.com/chromedp/chromedp"
)

// The whole path's document: a Russian interrogation record naming the
// investigator, whose last paragraph the story quotes.
const (
	wpName        = "Иванов"
	wpNameEn      = "Ivanov"
	wpQuote       = "Дело номер семь закрыто по приказу прокурора."
	wpTranslation = "Case number seven was closed on the prosecutor's order."
	wpSlug        = "case-seven"
)

// TestBrowserArchiveToStory is issue 12's whole path, walked as its users
// walk it, in Chromium with JavaScript off, each person in a browser of
// their own: a journalist machine-translates the archive's collection; a
// translator takes the machine draft of a Russian PDF's page, edits and
// saves it; the journalist reviews it, redacts the investigator's name
// (the copy made, its verification report read), exports a bundle of the
// copy with an excerpt (downloaded by Chromium), uploads it on the
// newsroom's Stories page (confide serve: another process, data folder and
// database) and publishes a story citing the excerpt in the newsroom's
// editor; a reader reads the story and the document page on the public
// site. The name is nowhere the reader can reach: not in either page, nor
// in the PDF's text layer (pdftotext), nor in the page image (tesseract).
// The CLI only ingests, adds the accounts (no page does either) and reads
// the custody as the issue asks (confide archive custody).
func TestBrowserArchiveToStory(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		backend := filepath.Base(t.Name())
		step := func(ctx context.Context, name string) { fullShot(t, ctx, "wholepath-"+backend+"-"+name) }
		today := time.Now().UTC().Format("2006-01-02")

		// 1. The archive, its own process and data folder: the PDF ingested,
		// a translator and a journalist.
		original, err := os.ReadFile(filepath.Join("testdata", "delo.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		originalSum := sha256.Sum256(original)
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "trove")
		writeFile(t, filepath.Join(root, "fond17", "delo.pdf"), original)
		run(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "fond17", "--no-ocr"}, db, []string{root})...)
		tpass, tsecret := addArchiveUser(t, data, db, "tanya", "translator", "fond17")
		apass, asecret := addArchiveUser(t, data, db, "ann", "journalist", "fond17")
		// translatetest's stand-in for a LibreTranslate server (the same
		// HTTP protocol, word by word; not LibreTranslate itself).
		libre := translatetest.Libre(map[string]string{"протокол": "Record", "допроса": "of the interrogation", "следователь": "Investigator",
			"иванов": wpNameEn, "допросил": "questioned", "свидетеля": "a witness", "в": "in", "марте": "March", "дело": "Case", "номер": "number",
			"семь": "seven", "закрыто": "closed", "по": "by", "приказу": "order", "прокурора": "of the prosecutor"}, "")
		t.Cleanup(libre.Close)
		j, base, downloads := archiveTab(t, data, slices.Concat(db, []string{"--translate-url", libre.URL}))

		// 2. The journalist starts the machine translation of the
		// collection; the translator takes the draft, edits and saves it;
		// the journalist reviews it.
		j.signIn(base, "/collections/fond17", "ann", apass, asecret)
		j.do(chromedp.Navigate(base + "/collections/fond17"))
		j.click(`#batch-form button`)
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
			st := j.text(`#batch-state`)
			if strings.Contains(st, "ended") {
				if !strings.Contains(st, "1 of 1 pages") || strings.Contains(st, "failed") {
					t.Fatalf("machine translation: %q", st)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("machine translation still %q", st)
			}
			j.do(chromedp.Navigate(base + "/collections/fond17"))
		}
		step(j.ctx, "01-machine-translation")

		tr := tab{t, newBrowser(t), j.srv}
		if err := chromedp.Do(tr.ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		tr.signIn(base, "/", "tanya", tpass, tsecret)
		tr.do(chromedp.Navigate(base + "/search?q=" + url.QueryEscape("прокурора")))
		tr.click(`ol.hits a.hit-path`)
		loc, err := chromedp.Run(tr.ctx, chromedp.Location())
		if err != nil || !strings.Contains(loc, "/documents/") {
			t.Fatalf("the search hit led to %q (%v)", loc, err)
		}
		id := strings.TrimPrefix(loc[strings.Index(loc, "/documents/"):], "/documents/")
		id, _, _ = strings.Cut(id, "?")
		if st := tr.text(`#translation-state`); !strings.Contains(st, "machine draft (machine output, not reviewed)") {
			t.Fatalf("machine draft: %q", st)
		}
		if row := tr.text(`#side-by-side tbody tr:nth-child(3)`); !strings.Contains(row, wpQuote) || !strings.Contains(row, "Case number seven closed by order of the prosecutor.") {
			t.Fatalf("side by side: %q", row)
		}
		step(tr.ctx, "02-machine-draft")
		tr.click(`#edit-translation`)
		tr.do(chromedp.Clear(css(`#p3`)), chromedp.SendKeys(css(`#p3`), wpTranslation))
		step(tr.ctx, "03-editor")
		tr.click(`#save-translation`)
		if st := tr.text(`#translation-state`); !strings.Contains(st, "human draft, not reviewed") || !strings.Contains(st, "made by tanya") {
			t.Fatalf("after saving: %q", st)
		}
		if row := tr.text(`#side-by-side tbody tr:nth-child(3)`); !strings.Contains(row, wpTranslation) {
			t.Fatalf("saved translation: %q", row)
		}
		step(tr.ctx, "04-saved")

		j.do(chromedp.Navigate(base + "/documents/" + id))
		j.click(`#review`)
		if st := j.text(`#translation-state`); !strings.Contains(st, "reviewed by ann on "+today) || !strings.Contains(st, "made by tanya") {
			t.Fatalf("after review: %q", st)
		}
		step(j.ctx, "05-reviewed")

		// 3. The journalist redacts the name, typed as a term, and reads
		// the copy's verification report.
		j.click(`#publish-links a[href$="/redact"]`)
		j.do(chromedp.SendKeys(css(`#term`), wpName))
		j.click(`form button[name="do"][value="term"]`)
		if terms := j.text(`#terms`); !strings.Contains(terms, wpName) {
			t.Fatalf("terms: %q", terms)
		}
		step(j.ctx, "06-redact")
		report := j.makeCopy()
		for _, check := range []string{"OCR", "metadata"} {
			if !strings.Contains(report, check) {
				t.Errorf("the report has no %s check: %q", check, report)
			}
		}
		if strings.Contains(report, "FAIL") || !strings.Contains(report, "PASS") {
			t.Fatalf("report: %q", report)
		}
		loc, err = chromedp.Run(j.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		rid := loc[strings.LastIndex(loc, "/")+1:]
		step(j.ctx, "07-verified")

		// 4. The export page: the copy, the reviewed translation with the
		// name masked as English spells it, the excerpt; Chromium
		// downloads the bundle.
		j.click(`#export`)
		if ok, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="redaction"][value="`+rid+`"]').checked`)); err != nil || !ok {
			t.Fatalf("the export page does not offer the copy %s checked (%v)", rid, err)
		}
		j.do(chromedp.SetValue(css(`#lang`), "en"), chromedp.SendKeys(css(`#quote`), wpQuote), chromedp.SendKeys(css(`#mask`), wpNameEn),
			chromedp.Clear(css(`#slug`)), chromedp.SendKeys(css(`#slug`), wpSlug), chromedp.SendKeys(css(`#title`), "Record of an interrogation, case seven"))
		step(j.ctx, "08-export")
		bundleFile := filepath.Join(downloads, wpSlug+".bundle")
		j.downloadBundle(bundleFile)

		// 5. The newsroom, confide serve with its own data folder and
		// database: the bundle uploaded on the Stories page, a story citing
		// its excerpt published from the editor.
		n := &newsroom{name: backend, data: filepath.Join(t.TempDir(), "newsroom")}
		if db != nil {
			n.db = storetest.PostgresDSN(t)
		}
		n.addAdmin(t)
		srv := start(t, "serve", n.data, n.db)
		nr := tab{t, newBrowser(t), srv}
		newsroomURL := srv.urls["newsroom"]
		nr.signIn(newsroomURL, "/stories", n.user, n.pass, n.totp)
		nr.do(chromedp.Navigate(newsroomURL+"/stories"), chromedp.SetUploadFiles(css(`#bundle`), []string{bundleFile}))
		nr.click(`form[action="/documents"] button`)
		if msg := nr.text(`#notice`); !strings.Contains(msg, "/documents/"+wpSlug) {
			t.Fatalf("no notice of the publication: %q", msg)
		}
		if row := nr.text(`#d-` + wpSlug); !strings.Contains(row, "Record of an interrogation, case seven") || !strings.Contains(row, "{{< excerpt "+wpSlug+" >}}") {
			t.Fatalf("the documents list: %q", row)
		}
		step(nr.ctx, "09-newsroom-documents")
		nr.do(chromedp.Navigate(newsroomURL+"/stories/new"), chromedp.SendKeys(css(`#title`), "The case that was closed on an order"),
			chromedp.SendKeys(css(`#slug`), "closed-case"), chromedp.SendKeys(css(`#author_name`), "Anna Petrova"),
			chromedp.SetValue(css(`#body`), "The prosecutor's office ended the investigation in one line.\n\n{{< excerpt "+wpSlug+" >}}\n\nThe record is [published in full](/documents/"+wpSlug+").\n"))
		step(nr.ctx, "10-editor")
		nr.click(`button[name="op"][value="publish"]`)
		if msg := nr.text(`#saved`); msg == "" {
			t.Fatal("the editor did not say the story was saved")
		}
		nr.do(chromedp.Navigate(newsroomURL + "/stories"))
		if row := nr.text(`#s-closed-case`); !strings.Contains(row, "The case that was closed on an order") || !strings.Contains(row, "Unpublish") {
			t.Fatalf("the story is not published: %q", row)
		}
		nr.do(chromedp.Navigate(newsroomURL + "/stories?lang=ru"))
		step(nr.ctx, "10a-stories-ru")
		nr.do(chromedp.Navigate(newsroomURL + "/stories/new?lang=ru"))
		step(nr.ctx, "10b-editor-ru")

		// 6. A reader: the story's quote, its reviewed translation and the
		// link; the document page's citation with both SHA-256; the name in
		// none of it.
		site := srv.urls["site"]
		rd := tab{t, newBrowser(t), srv}
		rd.do(chromedp.Navigate(site + "/stories/closed-case"))
		if q := rd.text(`figure.citation blockquote[lang="ru"]`); q != wpQuote {
			t.Errorf("quote %q", q)
		}
		if q := rd.text(`figure.citation blockquote.translation`); q != wpTranslation {
			t.Errorf("translation %q", q)
		}
		if p := rd.text(`figure.citation .provenance`); !strings.Contains(p, "reviewed by a person on "+today) || strings.Contains(p, "achine") {
			t.Errorf("provenance %q", p)
		}
		noName(t, "the story page", outerHTML(rd))
		step(rd.ctx, "11-story")
		rd.click(`figure.citation figcaption a[href="/documents/` + wpSlug + `"]`)
		cite := rd.text(`#citation`)
		for _, want := range []string{"fond17", "delo.pdf", hex.EncodeToString(originalSum[:]), "Redacted"} {
			if !strings.Contains(cite, want) {
				t.Errorf("citation lacks %q: %s", want, cite)
			}
		}
		if p := rd.text(`#page-1 .provenance`); !strings.Contains(p, "reviewed by a person on "+today) {
			t.Errorf("page 1's translation is not labelled reviewed: %q", p)
		}
		// Each paragraph of the copy's text beside its translation, the
		// name masked in both.
		if rows, err := chromedp.Run(rd.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#page-1 table.aligned tbody tr').length`)); err != nil || rows != 3 {
			t.Errorf("page 1 has %d rows, not the original's 3 paragraphs (%v)", rows, err)
		}
		if row := rd.text(`#page-1 table.aligned tbody tr:nth-child(2)`); !strings.Contains(row, "свидетеля в марте") || !strings.Contains(row, "Investigator ██████ questioned") {
			t.Errorf("page 1's second row: %q", row)
		}
		if row := rd.text(`#page-1 table.aligned tbody tr:nth-child(3)`); !strings.Contains(row, "приказу прокурора") || !strings.Contains(row, wpTranslation) {
			t.Errorf("page 1's third row is not the quoted paragraph beside its translation: %q", row)
		}
		if s := rd.text(`#stories`); !strings.Contains(s, "The case that was closed on an order") {
			t.Errorf("the citing story is not listed: %q", s)
		}
		noName(t, "the document page", outerHTML(rd))
		step(rd.ctx, "12-document")
		// In Russian, what the copy went through reads in Russian, as the
		// rest of the page does, not as the bundle's English.
		rd.do(chromedp.Navigate(site + "/documents/" + wpSlug + "?lang=ru"))
		if v := rd.text(`#verification`); !strings.Contains(v, "при публикации проверена ещё раз: все проверки пройдены (") || !strings.Contains(v, "текстовый слой") || regexp.MustCompile(`[a-z]{4}`).MatchString(strings.NewReplacer("pdfinfo", "", "mat2", "", "JavaScript", "", rid, "").Replace(v)) {
			t.Errorf("the Russian page's verification: %q", v)
		}
		if b := rd.text(`#burned`); !regexp.MustCompile(`^Вымарано .+ на [0-9]+ страниц[а-я]*\.$`).MatchString(b) {
			t.Errorf("the Russian page's redaction: %q", b)
		}
		step(rd.ctx, "12-document-ru")
		rd.do(chromedp.Navigate(site + "/documents/" + wpSlug))

		pdfLink, err := chromedp.Run(rd.ctx, chromedp.AttributeValue(css(`#citation a[download]`), "href"))
		if err != nil {
			t.Fatal(err)
		}
		pdf := fetch(t, site+pdfLink.Value, `attachment; filename="`+wpSlug+`.pdf"`)
		if sum := sha256.Sum256(pdf); !strings.Contains(cite, hex.EncodeToString(sum[:])) || sum == originalSum {
			t.Error("the PDF the site serves is not the one whose SHA-256 the citation gives")
		}
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "published.pdf"), pdf)
		layer := toolOutput(t, "pdftotext", "-enc", "UTF-8", filepath.Join(dir, "published.pdf"), "-")
		noName(t, "the published PDF's text layer", layer)
		if !strings.Contains(layer, "прокурора") {
			t.Errorf("the published PDF's text layer lost the rest of the page: %q", layer)
		}
		imgLink, err := chromedp.Run(rd.ctx, chromedp.AttributeValue(css(`#page-1 img`), "src"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "page-1.png"), fetch(t, site+imgLink.Value, ""))
		ocr := toolOutput(t, "tesseract", filepath.Join(dir, "page-1.png"), "-", "-l", "rus")
		noName(t, "the page image's OCR", ocr)
		if !strings.Contains(ocr, "прокурора") {
			t.Errorf("OCR does not read the page image, so it proves nothing: %q", ocr)
		}

		// The chain of custody names the copy and the export.
		custody := run(t, slices.Concat([]string{"archive", "custody", "--data", data}, db, []string{id})...)
		if !regexp.MustCompile(`(?m)^copy `+rid+`  .*1 terms; verified, copy sha256 [0-9a-f]{64}$`).MatchString(custody) ||
			!regexp.MustCompile(`(?m)^export [0-9a-f]+  .*bundle "`+wpSlug+`" of copy `+rid+`.*published PDF sha256 `+hex.EncodeToString(sha256Of(pdf))+`$`).MatchString(custody) {
			t.Errorf("custody:\n%s", custody)
		}
	})
}

// noName fails the test if what a reader can reach holds the redacted
// name in either language.
func noName(t *testing.T, where, s string) {
	t.Helper()
	for _, n := range []string{wpName, wpNameEn} {
		if strings.Contains(s, n) {
			t.Errorf("%s holds the redacted name %q", where, n)
		}
	}
}

// outerHTML is the page as the browser holds it.
func outerHTML(b tab) string {
	b.t.Helper()
	h, err := chromedp.Run(b.ctx, chromedp.OuterHTML(css(`html`)))
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

// toolOutput runs a program and returns its stdout.
func toolOutput(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
