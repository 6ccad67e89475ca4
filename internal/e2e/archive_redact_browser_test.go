package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/bundle"
	"confide/internal/seal"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// addArchiveUser adds an account with the binary and returns its
// passphrase and TOTP secret, as printed once.
func addArchiveUser(t *testing.T, data string, db []string, name, role, collections string) (pass, secret string) {
	t.Helper()
	out := run(t, slices.Concat([]string{"archive", "user", "add", name, "--data", data, "--role", role, "--collections", collections}, db)...)
	p := regexp.MustCompile(`(?m)^passphrase: (.+)$`).FindStringSubmatch(out)
	uri := regexp.MustCompile(`(?m)^totp: (\S+)$`).FindStringSubmatch(out)
	if p == nil || uri == nil {
		t.Fatalf("user add printed %q", out)
	}
	u, err := url.Parse(uri[1])
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(p[1]), u.Query().Get("secret")
}

// archiveTab serves the archive and opens Chromium on it, JavaScript off,
// at a journalist's screen size (wide enough for a page image beside its
// text), downloads going to the folder returned.
func archiveTab(t *testing.T, data string, db []string) (tab, string, string) {
	t.Helper()
	srv, base := startArchive(t, data, db)
	ctx := newBrowser(t)
	downloads := t.TempDir()
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	return tab{t, ctx, srv}, base, downloads
}

// makeCopy makes the copy from the redaction page and reloads the copy's
// page until it says the copy is verified; it returns the report.
func (b tab) makeCopy() string {
	b.t.Helper()
	b.click(`#make-copy`)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Second) {
		if st := b.text(`#state`); strings.Contains(st, "Verified.") {
			return b.text(`#report`)
		} else if time.Now().After(deadline) || !strings.Contains(st, "Making the copy") {
			b.t.Fatalf("redaction state %q\n%s", st, b.srv.stderr.String())
		}
		b.do(chromedp.Reload())
	}
}

// downloadBundle submits the export page, which queues the bundle and
// goes to its job's page; that page reloads itself (a Refresh header, no
// script) until the bundle is ready, then its link is clicked and
// Chromium's download awaited; it returns the bundle's bytes.
func (b tab) downloadBundle(file string) []byte {
	b.t.Helper()
	b.do(chromedp.Click(css(`#make-bundle`), chromedp.NodeVisible))
	state := ""
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		// Read between the page's own reloads: one under way is an error
		// to read again after.
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		st, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname.startsWith('/exports/') && document.querySelector('#state') ? document.querySelector('#state').innerText : ''`))
		cancel()
		if err == nil && st != "" {
			state = st
		}
		if strings.Contains(state, "Ready.") {
			break
		}
		if strings.Contains(state, "Nothing was exported") || strings.Contains(state, "No longer kept") || time.Now().After(deadline) {
			b.t.Fatalf("the export's page says %q (%v)\n%s", state, err, b.srv.stderr.String())
		}
	}
	b.do(chromedp.Click(css(`#download`), chromedp.NodeVisible))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		raw, err := os.ReadFile(file)
		if err == nil {
			if _, _, err = bundle.Read(bytes.NewReader(raw), nil, func(bundle.Member, io.Reader) error { return nil }); err == nil {
				return raw
			}
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(file))
			b.t.Fatalf("no bundle downloaded: %v %v\n%s", err, entries, b.srv.stderr.String())
		}
	}
}

// TestBrowserRedactAndExport: in Chromium with JavaScript off, a
// journalist marks a word of the page and a term, draws a box with two
// clicks on the page image, makes the redacted copy, reads its
// verification report and exports it; the bundle downloaded reads back
// with internal/bundle's Reader and holds none of what was marked.
func TestBrowserRedactAndExport(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "trove")
		pdf, err := os.ReadFile(filepath.Join("testdata", "opis.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, "fond17", "opis.pdf"), pdf)
		run(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "fond17", "--no-ocr"}, db, []string{root})...)
		var found struct{ Hits []struct{ ID, Path string } }
		if err := json.Unmarshal([]byte(run(t, slices.Concat([]string{"archive", "search", "--data", data, "--json"}, db, []string{"опись"})...)), &found); err != nil || len(found.Hits) != 1 {
			t.Fatalf("search: %v %+v", err, found)
		}
		id := found.Hits[0].ID
		pass, secret := addArchiveUser(t, data, db, "ann", "journalist", "fond17")

		b, base, downloads := archiveTab(t, data, db)
		ctx, srv := b.ctx, b.srv
		do, text, click := b.do, b.text, b.click
		do(chromedp.Navigate(base+"/documents/"+id), chromedp.SendKeys(css(`#name`), "ann"), chromedp.SendKeys(css(`#passphrase`), pass))
		click(`form[action="/login"] button`)
		code, _ := seal.TOTPCode(secret, time.Now())
		do(chromedp.SendKeys(css(`#code`), code))
		click(`form[action="/setup"] button`)
		do(chromedp.Navigate(base + "/documents/" + id))
		click(`#publish-links a[href$="/redact"]`)
		shot(t, ctx, "archive-redact-start-"+filepath.Base(t.Name()))

		// A word of the page's text, checked; a term, typed.
		do(chromedp.Click(css(`input[name="word"][value="2.0"]`), chromedp.NodeVisible)) // "Секретно."
		click(`form button[name="do"][value="words"]`)
		do(chromedp.SendKeys(css(`#term`), "1991"))
		click(`form button[name="do"][value="term"]`)
		if terms := text(`#terms`); !strings.Contains(terms, "Секретно") || !strings.Contains(terms, "1991") {
			t.Fatalf("terms: %q", terms)
		}
		// Two clicks on the image (the size the window shows): the box's
		// corners, in the page's pixels.
		imageAt := func(fx, fy float64) (float64, float64) {
			r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const b = [...document.querySelectorAll('#canvas input[type=image]')].find(i => i.offsetWidth > 0).getBoundingClientRect(); return [b.left, b.top, b.width, b.height] })()`))
			if err != nil || len(r) != 4 {
				t.Fatalf("the page image: %v %v", err, r)
			}
			return r[0] + r[2]*fx, r[1] + r[3]*fy
		}
		clickAt := func(x, y float64) {
			t.Helper()
			resp, err := chromedp.RunResponse(ctx, chromedp.MouseClickXY(x, y))
			if err != nil || resp.Status != 200 {
				t.Fatalf("click on the image: %v %v\n%s", err, resp, srv.stderr.String())
			}
		}
		// The heading line, "Опись фонда 17", is in the top third.
		clickAt(imageAt(0.02, 0.05))
		if note := text(`#corner-note`); !strings.Contains(note, "opposite corner") {
			t.Fatalf("after the first click: %q", note)
		}
		clickAt(imageAt(0.5, 0.33))
		if rects, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#canvas .redact-canvas')].find(v => v.offsetWidth > 0).querySelectorAll('svg.overlay rect.box').length`)); err != nil || rects != 1 {
			t.Fatalf("%d boxes drawn (%v)", rects, err)
		}
		if boxes := text(`#boxes`); !strings.Contains(boxes, "page 1:") {
			t.Fatalf("boxes: %q", boxes)
		}
		if scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`)); err != nil || scripts != 0 {
			t.Fatalf("the redact page has %d scripts", scripts)
		}
		shot(t, ctx, "archive-redact-"+filepath.Base(t.Name()))

		if report := b.makeCopy(); strings.Contains(report, "FAIL") || !strings.Contains(report, "OCR") || !strings.Contains(report, "metadata") {
			t.Fatalf("report: %q", report)
		}
		shot(t, ctx, "archive-redaction-"+filepath.Base(t.Name()))
		// At a phone's width the copy's pages fit the window (and so do the
		// redaction and export pages).
		copyPage, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{copyPage, "/documents/" + id + "/redact", "/documents/" + id + "/export"} {
			do(chromedp.Navigate(base + p))
			if over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || over > 0 {
				t.Errorf("at 400 px %s is %d px wider than the window (%v)", p, over, err)
			}
			fullShot(t, ctx, "archive-redaction-400-"+filepath.Base(t.Name())+strings.ReplaceAll(p, "/", "_"))
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		do(chromedp.Navigate(base + copyPage))

		click(`#export`)
		do(chromedp.SendKeys(css(`#quote`), "архивы передали эти документы"))
		shot(t, ctx, "archive-export-"+filepath.Base(t.Name()))
		raw := b.downloadBundle(filepath.Join(downloads, "opis.bundle"))
		files := map[string][]byte{}
		m, _, err := bundle.Read(bytes.NewReader(raw), nil, func(f bundle.Member, r io.Reader) error {
			files[f.Name], err = io.ReadAll(r)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.PDF == nil || !m.PDF.Redacted || !m.PDF.Verified || m.Excerpt == nil || m.Excerpt.Quote != "архивы передали эти документы" {
			t.Fatalf("manifest %+v", m)
		}
		for _, word := range []string{"Секретно", "1991"} {
			if bytes.Contains(files["page-1.txt"], []byte(word)) {
				t.Errorf("the published text holds %q: %s", word, files["page-1.txt"])
			}
		}
		if bytes.Contains(raw, []byte("ann")) && bytes.Contains(raw, []byte(`"ann"`)) {
			t.Error("the bundle names the journalist")
		}
		do(chromedp.Navigate(base + "/documents/" + id))
		if cu := text(`#custody-exports`); !strings.Contains(cu, "opis") || !strings.Contains(cu, "redacted copy") {
			t.Fatalf("custody: %q", cu)
		}
	})
}
