package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"confide/internal/blob"
	"confide/internal/bundle"
	"confide/internal/bundle/bundletest"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/story"
)

// publishedFiles lists the folder's files (tmp/ excepted) with their modes.
func publishedFiles(t *testing.T, p *Published) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	filepath.WalkDir(p.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(p.root, path)
		info, _ := d.Info()
		if rel != "." {
			out[rel] = info.Mode()
		}
		return nil
	})
	return out
}

func (f *fixture) publish(o bundletest.Options) (bundle.Manifest, bool) {
	f.t.Helper()
	m, updated, err := f.pub.Publish(context.Background(), f.store, bytes.NewReader(bundletest.Bytes(f.t, o)))
	if err != nil {
		f.t.Fatal(err)
	}
	return m, updated
}

// checkDayTimes fails if a path's modification time, or a file's access
// time, is finer than a day (a folder's access time moves as this test
// lists it).
func checkDayTimes(t *testing.T, name string) {
	t.Helper()
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	if info.ModTime().Unix()%86400 != 0 || !info.IsDir() && st.Atim.Sec%86400 != 0 {
		t.Errorf("%s: modified %v, accessed %v: finer than a day", name, info.ModTime().UTC(), time.Unix(st.Atim.Sec, 0).UTC())
	}
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestDocumentPublishAndRepublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		m, updated := f.publish(bundletest.Options{Slug: "ministry-letter", Pages: 2})
		if updated || m.Slug != "ministry-letter" {
			t.Fatalf("first publish: %v %+v", updated, m)
		}
		d, err := f.store.DocumentBySlug(ctx, "ministry-letter")
		if err != nil || len(d.Files) != 7 {
			t.Fatalf("%+v %v", d, err)
		}
		// Each file is stored once under its SHA-256, 0600 in 0700 folders, dated midnight.
		_, files := bundletest.Sample(bundletest.Options{Slug: "ministry-letter", Pages: 2})
		for _, df := range d.Files {
			want := files[df.Name]
			if df.SHA256 != sum(want) || df.Size != int64(len(want)) {
				t.Errorf("%s: stored as %s/%d", df.Name, df.SHA256, df.Size)
			}
			fh, err := blob.OpenQuiet(filepath.Join(f.pub.root, df.SHA256[:2], df.SHA256))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(fh)
			fh.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: the file differs: %v", df.Name, err)
			}
		}
		// Serving a file leaves its access time at midnight too.
		pdf := docFiles(d)["document.pdf"]
		if r := f.browser().Get("/documents/ministry-letter/files/" + pdf.SHA256 + "/document.pdf"); r.Status != 200 {
			t.Fatalf("pdf: %d", r.Status)
		}
		if r := f.browser().Get("/documents/ministry-letter"); r.Status != 200 { // reads the texts
			t.Fatalf("document page: %d", r.Status)
		}
		for name, mode := range publishedFiles(t, f.pub) {
			if mode.IsDir() && mode.Perm() != 0o700 || !mode.IsDir() && mode.Perm() != 0o600 {
				t.Errorf("%s: mode %v", name, mode)
			}
			checkDayTimes(t, filepath.Join(f.pub.root, name))
		}
		checkDayTimes(t, f.pub.root)
		before := publishedFiles(t, f.pub)

		// Republishing the slug with corrected text replaces it in place: the
		// new text is served, the old text's files are gone, the images stay.
		m, updated = f.publish(bundletest.Options{Slug: "ministry-letter", Pages: 2, Title: "Letter to the ministry, corrected", TextVersion: " (исправлено)"})
		if !updated {
			t.Fatal("republishing did not say updated")
		}
		f.clock.Advance(time.Second) // past the page cache
		after := publishedFiles(t, f.pub)
		if old := filepath.Join(sum([]byte(bundletest.PageText(1)))[:2], sum([]byte(bundletest.PageText(1)))); before[old] == 0 || after[old] != 0 {
			t.Errorf("the old text's file: before %v, after %v", before[old], after[old])
		}
		if img := sum(bundletest.PageImage(1)); after[filepath.Join(img[:2], img)] == 0 {
			t.Error("the unchanged page image was removed")
		}
		list, _ := f.store.Documents(ctx)
		if len(list) != 1 || list[0].Title != m.Title {
			t.Fatalf("documents after republish: %+v", list)
		}
		page := f.browser().Get("/documents/ministry-letter")
		if !strings.Contains(page.Body, "(исправлено)") || !strings.Contains(page.Body, "Letter to the ministry, corrected") {
			t.Error("the document page does not show the republished version")
		}

		// Unpublishing removes the rows and every file.
		if err := f.pub.Unpublish(ctx, f.store, "ministry-letter"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)                          // past the page cache
		if left := publishedFiles(t, f.pub); len(left) != 1 { // tmp/
			t.Errorf("files left after unpublish: %v", left)
		}
		if r := f.browser().Get("/documents/ministry-letter"); r.Status != http.StatusNotFound {
			t.Errorf("an unpublished document answers %d", r.Status)
		}
	})
}

// A bundle changed after export is refused, and nothing of it is kept:
// no row, no file, no staged copy, the published version untouched.
func TestDocumentTamperedBundleStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		f.publish(bundletest.Options{Slug: "kept"})
		before := publishedFiles(t, f.pub)
		good := bundletest.Bytes(t, bundletest.Options{Slug: "tampered", Pages: 3, TextVersion: " v2"})
		i := bytes.LastIndex(good, []byte("contractor"))
		bad := bytes.Clone(good)
		copy(bad[i:], "CONTRACTOR")
		_, _, err := f.pub.Publish(ctx, f.store, bytes.NewReader(bad))
		if !errors.Is(err, bundle.ErrInvalid) || !strings.Contains(err.Error(), "SHA256SUMS") {
			t.Fatalf("a tampered bundle: %v", err)
		}
		if _, err := f.store.DocumentBySlug(ctx, "tampered"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a tampered bundle's row: %v", err)
		}
		if after := publishedFiles(t, f.pub); len(after) != len(before) {
			t.Fatalf("files before %v, after %v", before, after)
		}
		// A republish of a known slug that fails leaves the old version.
		bad2 := bundletest.Bytes(t, bundletest.Options{Slug: "kept", TextVersion: " v2"})
		_, _, err = f.pub.Publish(ctx, f.store, bytes.NewReader(bad2[:len(bad2)-1500]))
		if !errors.Is(err, bundle.ErrInvalid) {
			t.Fatalf("a truncated bundle: %v", err)
		}
		if p := f.browser().Get("/documents/kept"); p.Status != 200 || strings.Contains(p.Body, " v2") {
			t.Fatalf("the published version changed: %d", p.Status)
		}
		if after := publishedFiles(t, f.pub); len(after) != len(before) {
			t.Fatalf("files before %v, after %v", before, after)
		}
	})
}

func TestDocumentPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		f.publish(bundletest.Options{Slug: "ministry-letter", Pages: 2})
		f.publish(bundletest.Options{Slug: "machine-letter", Machine: true, NoPDF: true, NoImage: true})
		d, _ := f.store.DocumentBySlug(ctx, "ministry-letter")
		byName := docFiles(d)
		pdf := byName["document.pdf"]
		p := f.browser().Get("/documents/ministry-letter")
		if p.Status != 200 {
			t.Fatalf("document page: %d", p.Status)
		}
		for _, want := range []string{
			`<h1>Letter to the ministry</h1>`,
			`<link rel="canonical" href="` + f.ts.URL + `/documents/ministry-letter">`,
			"<dd>river-trove</dd>", "<code>trove/letters/ministry-letter.pdf</code>", "<dd>1–2</dd>",
			strings.Repeat("5e", 32), pdf.SHA256,
			`href="/documents/ministry-letter/files/` + pdf.SHA256 + `/document.pdf" download`,
			`<img src="/documents/ministry-letter/files/` + byName["page-2.png"].SHA256 + `/page-2.png"`,
			"Redacted; the redacted copy passed verification",
			// The sample's redaction: one term found twice, one box, over
			// the copy's two pages; the checks it passed as published.
			`<span id="burned">2 occurrences of 1 term and 1 box burned on 2 pages.</span>`,
			`<span class="muted" id="verification">Cut from the archive&#39;s redacted copy ` + bundletest.Redaction + ` and verified again as published: every check passed (structure, metadata, text layer, OCR).</span>`,
			"Translation (user: tanya), reviewed by a person on 2026-11-30",
			// Paragraph-aligned: each original paragraph in the row of its translation.
			`<tr><td lang="ru">Прошу выделить средства на ремонт моста через реку.</td><td lang="en">I ask you to allocate funds for repairing the bridge over the river.</td></tr>`,
			`<tr><td lang="ru">Страница 2.</td><td lang="en">Page 2.</td></tr>`,
			"No published story cites this document yet.",
			// The excerpt's caption reads as a sentence, its page in brackets.
			"<figcaption>Quoted in our reporting (page 1)</figcaption>",
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("document page lacks %q", want)
			}
		}
		if strings.Contains(p.Body, "<script") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(strings.ReplaceAll(p.Body, `href="`+f.ts.URL+`/`, `href="/`)) {
			t.Error("the document page has a script or a third-party resource")
		}
		if p.Header.Get("Content-Security-Policy") == "" || p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("security headers: %v", p.Header)
		}
		// Machine output is labelled so.
		mp := f.browser().Get("/documents/machine-letter").Body
		for _, want := range []string{`<span class="machine">Machine translation</span> (machine: apertium 3.8.3 (rus-eng)), not reviewed by a person`, `class="machine-text"`} {
			if !strings.Contains(mp, want) {
				t.Errorf("machine page lacks %q", want)
			}
		}
		if strings.Contains(mp, "<img") || strings.Contains(mp, "Download the PDF") {
			t.Error("a document without image or PDF shows one")
		}
		if ru := f.browser().Get("/documents/machine-letter?lang=ru").Body; !strings.Contains(ru, "Машинный перевод") {
			t.Error("the Russian page does not label machine output")
		}
		if ru := f.browser().Get("/documents/ministry-letter?lang=ru").Body; !strings.Contains(ru, "<figcaption>Цитируется в нашем материале (страница 1)</figcaption>") {
			t.Error("the Russian excerpt caption does not read as a sentence")
		}
		ru := f.browser().Get("/documents/ministry-letter?lang=ru").Body
		if !strings.Contains(ru, `<span id="burned">Вымарано 2 вхождения 1 термина и 1 прямоугольник на 2 страницах.</span>`) {
			t.Error("the Russian page does not count the redaction in Russian")
		}
		if !strings.Contains(ru, `<span class="muted" id="verification">Взята из копии с изъятиями `+bundletest.Redaction+` в архиве и при публикации проверена ещё раз: все проверки пройдены (структура файла, метаданные, текстовый слой, распознавание (OCR)).</span>`) ||
			strings.Contains(ru, "verified") || strings.Contains(ru, "text layer") {
			t.Errorf("the Russian page does not give the verification in Russian: %s", between(ru, `<dt>Опубликованная копия</dt>`, `</dd>`))
		}

		// Files: the right type, nosniff, cached for ever under their hash, the PDF as a download.
		for name, typ := range map[string]string{"document.pdf": "application/pdf", "page-1.png": "image/png", "page-1.txt": "text/plain; charset=utf-8"} {
			df := byName[name]
			r := f.browser().Get("/documents/ministry-letter/files/" + df.SHA256 + "/" + name)
			if r.Status != 200 || sum([]byte(r.Body)) != df.SHA256 {
				t.Fatalf("%s: %d", name, r.Status)
			}
			if r.Header.Get("Content-Type") != typ || r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || r.Header.Get("Etag") != `"`+df.SHA256+`"` {
				t.Errorf("%s headers: %v", name, r.Header)
			}
			if cd := r.Header.Get("Content-Disposition"); (name == "document.pdf") != (cd == `attachment; filename="ministry-letter.pdf"`) {
				t.Errorf("%s: Content-Disposition %q", name, cd)
			}
		}
		// A file under another document's slug, another hash or name is not found.
		img := byName["page-1.png"].SHA256
		for _, path := range []string{"/documents/machine-letter/files/" + img + "/page-1.png", "/documents/ministry-letter/files/" + pdf.SHA256 + "/page-1.png",
			"/documents/ministry-letter/files/" + img + "/..%2f..%2fconfide.db", "/documents/nope", "/documents/nope/files/" + img + "/page-1.png"} {
			if r := f.browser().Get(path); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.Status)
			}
		}

		// The sitemap lists both documents.
		var sm struct {
			URLs []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(f.browser().Get("/sitemap.xml").Body), &sm); err != nil {
			t.Fatal(err)
		}
		var locs []string
		for _, u := range sm.URLs {
			if strings.Contains(u.Loc, "/documents/") {
				locs = append(locs, strings.TrimPrefix(u.Loc, f.ts.URL)+" "+u.LastMod)
			}
		}
		sort.Strings(locs)
		today := store.Today().Time().Format(time.DateOnly)
		if strings.Join(locs, ",") != "/documents/machine-letter "+today+",/documents/ministry-letter "+today {
			t.Errorf("sitemap documents %v", locs)
		}
	})
}

func TestStoryCitesDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		f.publish(bundletest.Options{Slug: "ministry-letter"})
		f.publish(bundletest.Options{Slug: "bare-letter", ExcerptNoTr: true, Title: "Bare letter"})
		body := "The letter asked for money.\n\n{{< excerpt ministry-letter >}}\n\nAnd another:\n\n{{< excerpt bare-letter >}}\n\n{{< document ministry-letter >}}\n\n```\n{{< excerpt not-a-citation >}}\n```\n"
		st, err := story.Parse(strings.NewReader("---\ntitle: The bridge\nslug: bridge\nauthor: {name: Anna}\ndate: 2026-11-01\n---\n"+body), f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := story.CheckCites(ctx, f.store, st.Body, 6); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SaveStory(ctx, st); err != nil {
			t.Fatal(err)
		}
		p := f.browser().Get("/stories/bridge").Body
		quote := `<figure class="citation excerpt">
<blockquote lang="ru" cite="/documents/ministry-letter"><p>` + bundletest.Excerpt + `</p></blockquote>
<blockquote class="translation" lang="en"><p>` + bundletest.ExcerptTranslation + `</p></blockquote>
<p class="provenance">Translation (user: tanya), reviewed by a person on 2026-11-30</p>
<figcaption><a href="/documents/ministry-letter">Letter to the ministry</a>, page 1 · river-trove</figcaption>
</figure>`
		if !strings.Contains(p, quote) {
			t.Errorf("the story page lacks the excerpt with its translation:\n%s", p)
		}
		bare := `<blockquote lang="ru" cite="/documents/bare-letter"><p>` + bundletest.Excerpt + `</p></blockquote>
<figcaption><a href="/documents/bare-letter">Bare letter</a>, page 1`
		if !strings.Contains(p, bare) {
			t.Errorf("the excerpt without translation is not a quote alone:\n%s", p)
		}
		if !strings.Contains(p, `<aside class="citation document card">`) || !strings.Contains(p, `<a href="/documents/ministry-letter"><strong>Letter to the ministry</strong></a>`) {
			t.Error("the document citation is missing")
		}
		if !strings.Contains(p, html.EscapeString("{{< excerpt not-a-citation >}}")) || strings.Contains(p, "CONFIDECITE") {
			t.Error("a shortcode in a code block was not left as code, or a token leaked")
		}
		// The document page lists the story; a draft citing it is not listed.
		draft := st
		draft.Slug, draft.Title, draft.State = "draft-bridge", "Draft bridge", store.StoryDraft
		f.store.SaveStory(ctx, draft)
		doc := f.browser().Get("/documents/ministry-letter").Body
		if !strings.Contains(doc, `<a href="/stories/bridge" lang="en">The bridge</a>`) || strings.Contains(doc, "Draft bridge") {
			t.Error("the document page does not list exactly the live citing story")
		}
		// A document unpublished after the story shows a visible note, not a hole.
		if err := f.pub.Unpublish(ctx, f.store, "bare-letter"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Second) // past the page cache
		if p := f.browser().Get("/stories/bridge").Body; !strings.Contains(p, "A document cited here is not published (any more): <code>bare-letter</code>") {
			t.Errorf("an unpublished citation is not marked:\n%s", p)
		}
		// Publishing a story citing an unknown document is refused, naming the line.
		err = story.CheckCites(ctx, f.store, "Intro.\n\n{{< excerpt nowhere >}}\n", 6)
		if !errors.Is(err, story.ErrFormat) || !strings.Contains(err.Error(), `line 9: no document "nowhere" is published`) {
			t.Errorf("unknown slug: %v", err)
		}
	})
}

// A bundle exported before the PDF's checks were fields said them in an
// English sentence: read into the fields, it is told in Russian too; a
// sentence of another form is shown as it is, marked as English.
func TestDocumentPageOlderBundle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.publish(bundletest.Options{Slug: "older-letter", Verification: "redacted copy 3f9a0c: 2 occurrences of 1 term and 1 box burned on 1 page; verified again as published, every check passed: structure, left-over data, OCR"})
		f.publish(bundletest.Options{Slug: "oldest-letter", Verification: "passed: pdftotext and OCR find none of 1 term"})
		older := f.browser().Get("/documents/older-letter?lang=ru").Body
		for _, want := range []string{`<span id="burned">Вымарано 2 вхождения 1 термина и 1 прямоугольник на 1 странице.</span>`,
			`<span class="muted" id="verification">Взята из копии с изъятиями 3f9a0c в архиве и при публикации проверена ещё раз: все проверки пройдены (структура файла, данные вне объектов, распознавание (OCR)).</span>`} {
			if !strings.Contains(older, want) {
				t.Errorf("an older bundle's Russian page lacks %q: %s", want, between(older, `<dt>Опубликованная копия</dt>`, `</dd>`))
			}
		}
		if oldest := f.browser().Get("/documents/oldest-letter?lang=ru").Body; !strings.Contains(oldest, `<span id="burned">Вымарано 2 вхождения 1 термина и 1 прямоугольник.</span><br><span class="muted" id="verification" lang="en">passed: pdftotext and OCR find none of 1 term</span>`) {
			t.Errorf("an older bundle's own sentence: %s", between(oldest, `<dt>Опубликованная копия</dt>`, `</dd>`))
		}
	})
}

// between is the part of s from the first from to the next to after it,
// for a failure message.
func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	in, _, _ := strings.Cut(after, to)
	return in
}
