package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/bundle/bundletest"
	"confide/internal/seal"

	"github.com/chromedp/chromedp"
)

const citingStory = `---
title: The bridge that was never repaired
slug: bridge
standfirst: A letter asked for the money; the contractor got it.
author: {name: Anna Petrova}
---
In March the department wrote to the ministry.

{{< excerpt ministry-letter >}}

The letter is [published in full](/documents/ministry-letter).
`

// TestBrowserDocumentAndCitingStory publishes a bundle as the archive
// exports one and a story quoting its excerpt, then reads both in Chromium
// with JavaScript off: the story shows the quote, its translation and a
// link; the document page shows each page's image beside its text and
// translation, the citation with both SHA-256, the PDF and the story.
func TestBrowserDocumentAndCitingStory(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			dir := t.TempDir()
			bundleFile, storyPath := filepath.Join(dir, "ministry-letter.bundle"), filepath.Join(dir, "bridge.md")
			os.WriteFile(bundleFile, bundletest.Bytes(t, bundletest.Options{Slug: "ministry-letter", Pages: 2}), 0o600)
			os.WriteFile(storyPath, []byte(citingStory), 0o600)
			db := []string{"--data", n.data}
			if n.db != "" {
				db = append(db, "--db", n.db)
			}
			if out := run(t, append([]string{"document", "publish", bundleFile}, db...)...); !strings.Contains(out, "published /documents/ministry-letter (2 pages)") {
				t.Fatalf("document publish: %s", out)
			}
			run(t, append([]string{"article", "publish", storyPath}, db...)...)
			srv := n.start(t)
			site := srv.urls["site"]
			ctx := newBrowser(t)
			b := tab{t, ctx, srv}
			b.do(chromedp.Navigate(site + "/stories/bridge"))
			if q := b.text(`figure.citation blockquote[lang="ru"]`); q != bundletest.Excerpt {
				t.Errorf("quote %q", q)
			}
			if q := b.text(`figure.citation blockquote.translation`); q != bundletest.ExcerptTranslation {
				t.Errorf("translation %q", q)
			}
			if p := b.text(`figure.citation .provenance`); !strings.Contains(p, "reviewed by a person on 2026-11-30") {
				t.Errorf("provenance %q", p)
			}
			fullShot(t, ctx, "document-story")
			b.click(`figure.citation figcaption a[href="/documents/ministry-letter"]`)
			cite := b.text(`#citation`)
			for _, want := range []string{"river-trove", "trove/letters/ministry-letter.pdf", "1–2", strings.Repeat("5e", 32), "Download the PDF"} {
				if !strings.Contains(cite, want) {
					t.Errorf("citation lacks %q: %s", want, cite)
				}
			}
			if row := b.text(`#page-1 table.aligned tbody tr:nth-child(2)`); !strings.Contains(row, bundletest.Excerpt) || !strings.Contains(row, bundletest.ExcerptTranslation) {
				t.Errorf("page 1's second row is not the paragraph beside its translation: %q", row)
			}
			if s := b.text(`#stories`); !strings.Contains(s, "The bridge that was never repaired") {
				t.Errorf("the citing story is not listed: %q", s)
			}
			// The image the page shows and the PDF it offers are the bundle's bytes.
			img, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`#page-2 img`), "src"))
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`#citation a[download]`), "href"))
			if err != nil {
				t.Fatal(err)
			}
			// The image sits beside the text, left of it and level with it.
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('#page-1 img'), p = document.querySelector('#page-1 table.aligned').getBoundingClientRect(); const r = i.getBoundingClientRect(); return i.complete && i.naturalWidth === 240 && p.left >= r.right && p.top < r.bottom })()`)); err != nil || !ok {
				t.Errorf("page 1's image is not loaded beside its text (%v)", err)
			}
			if got := fetch(t, site+img.Value, ""); !bytes.Equal(got, bundletest.PageImage(2)) {
				t.Error("page 2's image is not the bundle's")
			}
			got := fetch(t, site+pdf.Value, `attachment; filename="ministry-letter.pdf"`)
			if sum := sha256.Sum256(got); !strings.Contains(cite, hex.EncodeToString(sum[:])) || !bytes.HasPrefix(got, []byte("%PDF-")) {
				t.Error("the PDF downloaded is not the one whose SHA-256 the citation gives")
			}
			fullShot(t, ctx, "document-page")
			// On narrow screens the page fits the window.
			for _, width := range []int64{800, 400} {
				if over := overflow(t, ctx, width, "article.document"); over != "" {
					t.Errorf("at %d px the document page does not fit: %s", width, over)
				}
				fullShot(t, ctx, fmt.Sprintf("document-page-%d", width))
			}
		})
	}
}

// overflow sets the window's width and says what of the elements under
// sel reaches within 12 px of either edge, or that the page scrolls
// sideways; "" when it all fits.
func overflow(t *testing.T, ctx context.Context, width int64, sel string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatal(err)
	}
	over, err := chromedp.Run(ctx, chromedp.Evaluate[string](`((sel) => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth > w) return 'the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + w;
		for (const e of document.querySelectorAll(sel + ', ' + sel + ' *')) {
			const r = e.getBoundingClientRect();
			if (r.width > 0 && (r.right > w - 12 || r.left < 12)) return e.tagName + '.' + e.className + ' spans ' + Math.round(r.left) + '–' + Math.round(r.right) + ' of ' + w;
		}
		return '';
	})(`+strconv.Quote(sel)+`)`))
	if err != nil {
		t.Fatal(err)
	}
	return over
}

// textLines sets the window's width and says how many lines the text of
// the element at sel takes.
func textLines(t *testing.T, ctx context.Context, width int64, sel string) int {
	t.Helper()
	return int(measure(t, ctx, width, sel, `const r = document.createRange(), tops = new Set();
		r.selectNodeContents(e);
		for (const q of r.getClientRects()) if (q.width > 0) tops.add(Math.round(q.top));
		return tops.size;`))
}

// contentInset sets the window's width and says how near to either edge
// of the window the element at sel lets its text go (its content box,
// inside its padding), in CSS pixels: whatever the words, none comes
// nearer.
func contentInset(t *testing.T, ctx context.Context, width int64, sel string) float64 {
	t.Helper()
	return measure(t, ctx, width, sel, `const b = e.getBoundingClientRect(), s = getComputedStyle(e), w = document.documentElement.clientWidth;
		return Math.min(b.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft), w - b.right + parseFloat(s.borderRightWidth) + parseFloat(s.paddingRight));`)
}

// measure sets the window's width and runs body, a function of the
// element e at sel, returning its number.
func measure(t *testing.T, ctx context.Context, width int64, sel, body string) float64 {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`((sel) => {
		const e = document.querySelector(sel);
		if (!e) return -1;
		`+body+`
	})(`+strconv.Quote(sel)+`)`))
	if err != nil || got < 0 {
		t.Fatalf("measuring %s: %v (%v)", sel, got, err)
	}
	return got
}

// fetch downloads a URL, checking its Content-Disposition.
func fetch(t *testing.T, url, disposition string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != disposition || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, resp.Header)
	}
	return b
}

// fullShot saves a screenshot of the whole page when SCREENSHOTS is set.
func fullShot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// TestBrowserNewsroomPublishesBundle publishes a bundle from the newsroom's
// stories page in Chromium with JavaScript off (the upload beside
// confide document publish), then reads it on the site.
func TestBrowserNewsroomPublishesBundle(t *testing.T) {
	n := setup(t, "sqlite")
	file := filepath.Join(t.TempDir(), "ledger.bundle")
	os.WriteFile(file, bundletest.Bytes(t, bundletest.Options{Slug: "ledger", Title: "The contractor's ledger", Pages: 3, Machine: true}), 0o600)
	srv := n.start(t)
	ctx := newBrowser(t)
	b := tab{t, ctx, srv}
	base := srv.urls["newsroom"]
	b.do(chromedp.Navigate(base+"/stories"), chromedp.SendKeys(css(`#name`), n.user), chromedp.SendKeys(css(`#passphrase`), n.pass))
	b.click(`form[action="/login"] button`)
	code, _ := seal.TOTPCode(n.totp, time.Now())
	b.do(chromedp.SendKeys(css(`#code`), code))
	b.click(`form[action="/setup"] button`)
	b.do(chromedp.Navigate(base+"/stories"), chromedp.SetUploadFiles(css(`#bundle`), []string{file}))
	b.click(`form[action="/documents"] button`)
	if msg := b.text(`#notice`); !strings.Contains(msg, "/documents/ledger") {
		t.Fatalf("no notice of the publication: %q", msg)
	}
	if row := b.text(`#d-ledger`); !strings.Contains(row, "The contractor's ledger") || !strings.Contains(row, "{{< excerpt ledger >}}") {
		t.Errorf("the documents list: %q", row)
	}
	fullShot(t, ctx, "document-newsroom")
	b.do(chromedp.Navigate(srv.urls["site"] + "/documents/ledger"))
	if p := b.text(`#page-3 .provenance`); !strings.Contains(p, "Machine translation") || !strings.Contains(p, "not reviewed by a person") {
		t.Errorf("page 3's machine translation is not labelled: %q", p)
	}
}
