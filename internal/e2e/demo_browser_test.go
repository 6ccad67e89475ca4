package e2e

import (
	"fmt"
	"image/jpeg"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/chromedp"
)

// TestBrowserDemoFirstSteps is a newcomer's first steps on the demo site in
// Chromium with JavaScript off: the "Tell us in confidence" page shows the
// running demo dropbox (and says a real deployment shows its onion), its
// link opens the dropbox; registering says which folder holds the mail; the
// mailed link lands on a page that says the address is verified and the
// reader signed in; the page advertises the Atom feed.
func TestBrowserDemoFirstSteps(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t)
	site := srv.urls["site"]
	ctx := newBrowser(t)
	b := tab{t, ctx, srv}
	do, text, click := b.do, b.text, b.click
	do(chromedp.Navigate(site + "/dropbox"))
	if got := text(`#demo-dropbox`); got != srv.urls["dropbox"] {
		t.Fatalf("demo dropbox address %q, want %q", got, srv.urls["dropbox"])
	}
	if !strings.Contains(text(`#demo-dropbox-note`), "A real deployment shows its onion address") {
		t.Fatal("no word about the onion address of a real deployment")
	}
	feed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('link[rel="alternate"][type="application/atom+xml"]') || {}).href || ""`))
	if err != nil || feed != site+"/feed.atom" {
		t.Fatalf("feed link %q %v", feed, err)
	}
	shot(t, ctx, "site-dropbox-demo")
	// On a narrow screen the demo banner's words keep the page's margin,
	// as the rest of the page does, instead of running to the edges.
	for _, width := range []int64{400, 800} {
		if inset := contentInset(t, ctx, width, `#demo-banner`); inset < 12 {
			t.Errorf("at %d px the demo banner lets its text come %.1f px from the edge", width, inset)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	click(`#demo-dropbox a`)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasPrefix(loc, srv.urls["dropbox"]) {
		t.Fatalf("the link went to %s", loc)
	}

	do(chromedp.Navigate(site + "/register"))
	if !strings.Contains(text(`#passmin`), "At least 12 characters") {
		t.Fatal("the passphrase minimum is not stated")
	}
	do(chromedp.SendKeys(css(`#email`), "newcomer@example.org"), chromedp.SendKeys(css(`#name`), "Nina"),
		chromedp.SendKeys(css(`#passphrase`), "a long newcomer passphrase"))
	click(`form[action="/register"] button`)
	outbox := filepath.Join(n.data, "outbox")
	if !strings.Contains(text(`#outbox`), "The message is a file in "+outbox) {
		t.Fatalf("the outbox folder is not named: %q", text(`#outbox`))
	}
	shot(t, ctx, "site-register-demo")
	mail := newestMail(t, outbox)
	if !regexp.MustCompile(`(?m)^From: .+\r$`).Match(mail) || !regexp.MustCompile(`(?m)^Date: \w{3}, \d\d \w{3} \d{4} 00:00:00 \+0000\r$`).Match(mail) {
		t.Fatalf("mail headers: %q", mail)
	}
	link := regexp.MustCompile(`http://\S+/verify\?token=[A-Za-z0-9_-]+`).FindString(string(mail))
	if link == "" {
		t.Fatalf("no link in %q", mail)
	}
	do(chromedp.Navigate(link))
	if !strings.Contains(text(`#notice`), "Your address is verified and you are signed in") || !strings.Contains(text(`.account`), "Nina") {
		t.Fatal("the verify link does not say it worked")
	}
	shot(t, ctx, "site-verified-demo")
}

// newestMail is the last message written to an outbox folder (names sort
// by the time they were written).
func newestMail(t testing.TB, outbox string) []byte {
	t.Helper()
	ents, _ := os.ReadDir(outbox)
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("nothing in the outbox")
	}
	b, err := os.ReadFile(filepath.Join(outbox, names[len(names)-1]))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBrowserDemoArchive is a newcomer's first search in the demo's
// archive, in Chromium with JavaScript off: sign in as the printed demo
// user (passphrase, then the code from the QR page), see the banner that
// says a real archive runs on its own, follow the sample
// collection's status until its ingest is done, search "архивы": the hits
// include the scanned page's document and are found through several
// inflected forms, each highlighted; the scan's page shows its image beside
// its OCR text. Started again, the demo doubles nothing.
func TestBrowserDemoArchive(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t)
	base := srv.urls["archive"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("archive address %q", base)
	}
	creds, err := os.ReadFile(filepath.Join(n.data, "demo", "archive-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pass := regexp.MustCompile(`(?m)^passphrase: (.+)$`).FindSubmatch(creds)
	uri := regexp.MustCompile(`(?m)^totp: (\S+)$`).FindSubmatch(creds)
	if pass == nil || uri == nil || !strings.Contains(srv.stdout.String(), "archive passphrase: "+string(pass[1])) {
		t.Fatalf("credentials %q, printed %q", creds, srv.stdout.String())
	}
	u, err := url.Parse(string(uri[1]))
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("secret")
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	b := tab{t, ctx, srv}
	do, text, click := b.do, b.text, b.click
	do(chromedp.Navigate(base+"/"), chromedp.SendKeys(css(`#name`), "demo"), chromedp.SendKeys(css(`#passphrase`), string(pass[1])))
	click(`form[action="/login"] button`)
	if got := text(`#secret`); got != secret {
		t.Fatalf("setup shows %q, want %q", got, secret)
	}
	code, _ := seal.TOTPCode(secret, time.Now())
	do(chromedp.SendKeys(css(`#code`), code))
	click(`form[action="/setup"] button`)
	if h := text(`main h1`); h != "Collections" {
		t.Fatalf("after setup: %q", h)
	}
	if got := text(`#demo-banner`); !strings.Contains(got, "A real archive holds plaintext and runs on its own (confide archive serve)") {
		t.Fatalf("the demo archive's banner: %q", got)
	}
	// The sample's status, live, until OCR is done.
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		do(chromedp.Navigate(base + "/collections/sample"))
		st := text(`main`)
		if strings.Contains(st, " files done, 0 queued, 0 running, 0 failed") && strings.Contains(st, "Failures (0)") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sample is not done: %q\n%s", st, srv.stderr.String())
		}
	}
	// The OCR setting rus+eng is one word: it never breaks across lines.
	for _, width := range []int64{400, 800, 1280} {
		if lines := textLines(t, ctx, width, `#ocr-lang`); lines != 1 {
			t.Errorf("at %d px the OCR setting %q takes %d lines", width, text(`#ocr-lang`), lines)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "demo-archive-collection")
	do(chromedp.Navigate(base + "/"))
	do(chromedp.SendKeys(css(`#q`), "архивы"))
	click(`form[action="/search"] button`)
	total := text(`#total`)
	m := regexp.MustCompile(`^([0-9]+) documents`).FindStringSubmatch(total)
	if m == nil {
		t.Fatalf("search: %q", total)
	}
	if n, _ := strconv.Atoi(m[1]); n < 10 {
		t.Fatalf("архивы finds %d documents", n)
	}
	if hits := text(`ol.hits`); !strings.Contains(hits, "trove/fond-114/opis-4/scan-1953.jpg") {
		t.Fatalf("no hit for the scanned page: %q", hits)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...new Set([...document.querySelectorAll('ol.hits mark')].map(m => m.textContent.toLowerCase()))].sort().join(' ')`))
	if err != nil || len(strings.Fields(marks)) < 4 {
		t.Fatalf("highlighted forms %q (%v): want four inflections at least", marks, err)
	}
	shot(t, ctx, "demo-archive-search")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('ol.hits a.hit-path')].find(a => a.textContent.endsWith('/scan-1953.jpg')).getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	click(`ol.hits a[href="` + href + `"]`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('#page-image'); return i !== null && i.complete && i.naturalWidth === 1000 })()`)); err == nil && ok {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the scan's image did not load (%v)", err)
		}
	}
	if txt := text(`#page-text`); !strings.Contains(txt, "о состоянии архивов") {
		t.Fatalf("the scan's OCR text %q", txt)
	}
	shot(t, ctx, "demo-archive-scan")
	phoneWidth(t, b, base, strings.TrimPrefix(href, base))

	// Again: the session still holds (the archive keeps it), and the
	// sample is there once.
	srv.stop()
	again := n.start(t)
	if strings.Contains(again.stdout.String(), "files queued") {
		t.Fatalf("the second start queued the sample again: %s", again.stdout.String())
	}
	do(chromedp.Navigate(again.urls["archive"] + "/search?q=" + url.QueryEscape("архивы")))
	if got := text(`#total`); got != total {
		t.Fatalf("after a restart %q, before %q", got, total)
	}
}

// phoneWidth checks that at a 400 px window, in English and in Russian,
// no archive page scrolls sideways (a wide table scrolls in its own box,
// images and the redaction canvas fit): the collections, the scan's and
// a PDF's pages, their redaction pages. At that width a box drawn with
// two clicks on the scan, shown smaller than its canvas, is where it was
// clicked, both in the image's own pixels and drawn over it.
func phoneWidth(t *testing.T, b tab, base, scan string) {
	t.Helper()
	ctx := b.ctx
	b.do(chromedp.Navigate(base + "/search?q=" + url.QueryEscape("архивы")))
	pdf, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = [...document.querySelectorAll('ol.hits a.hit-path')].find(a => a.textContent.endsWith('.pdf')); return a ? a.getAttribute('href') : '' })()`))
	if err != nil || pdf == "" {
		t.Fatalf("no PDF among the hits (%v): %q", err, b.text(`ol.hits`))
	}
	// A hit's link names its page: the documents' own addresses.
	scan, _, _ = strings.Cut(scan, "?")
	pdf, _, _ = strings.Cut(pdf, "?")
	pages := []string{"/", "/collections/sample", "/search?q=" + url.QueryEscape("архивы"), "/audit", scan, scan + "/redact", scan + "/export",
		pdf, pdf + "?page=2", pdf + "/redact", pdf + "/redact?page=2", pdf + "/export", pdf + "/pages/1/translation", "/account"}
	for _, lang := range []string{"en", "ru"} {
		b.do(chromedp.Navigate(base + "/?lang=" + lang))
		for _, width := range []int64{400, 800, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				b.do(chromedp.Navigate(base + p))
				if over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || over > 0 {
					t.Errorf("at %d px (%s) %s is %d px wider than the window (%v)", width, lang, p, over, err)
				}
				fullShot(t, ctx, fmt.Sprintf("archive-%d-%s-%s", width, lang, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p)))
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 900)); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(base + scan + "/redact"))
	shown := func() []float64 {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const i = [...document.querySelectorAll('#canvas input[type=image]')].find(i => i.offsetWidth > 0); i.scrollIntoView({block: 'center'}); const b = i.getBoundingClientRect(); return [b.left + i.clientLeft, b.top + i.clientTop, i.clientWidth, i.clientHeight] })()`))
		if err != nil || len(r) != 4 || r[2] <= 0 || r[2] > 400 {
			t.Fatalf("the page image shown at 400 px: %v %v", err, r)
		}
		return r
	}
	// In the window's pixels: the image, scrolled into the window.
	r := shown()
	clicks := [][2]float64{{0.1, 0.2}, {0.6, 0.7}}
	for _, f := range clicks {
		if resp, err := chromedp.RunResponse(ctx, chromedp.MouseClickXY(r[0]+r[2]*f[0], r[1]+r[3]*f[1])); err != nil || resp.Status != 200 {
			t.Fatalf("click on the image: %v %v", err, resp)
		}
		r = shown()
	}
	m := regexp.MustCompile(`([0-9]+),([0-9]+) – ([0-9]+),([0-9]+)`).FindStringSubmatch(b.text(`#boxes`))
	if m == nil {
		t.Fatalf("no box marked: %q", b.text(`#marks`))
	}
	// The scan's page units are its pixels: a displayed pixel is
	// width/shown of them, and a click is rounded to one.
	f, err := os.Open(filepath.Join("..", "archive", "sample", "trove", "fond-114", "opis-4", "scan-1953.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size, err := jpeg.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	uw, uh := float64(size.Width), float64(size.Height)
	r = shown()
	tol := 2 * uw / r[2]
	for i, want := range []float64{clicks[0][0] * uw, clicks[0][1] * uh, clicks[1][0] * uw, clicks[1][1] * uh} {
		if got, _ := strconv.ParseFloat(m[i+1], 64); math.Abs(got-want) > tol {
			t.Errorf("box %q: corner value %d is %.0f, clicked at %.0f (±%.0f)", m[0], i, got, want, tol)
		}
	}
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const b = [...document.querySelectorAll('#canvas .redact-canvas')].find(v => v.offsetWidth > 0).querySelector('rect.box').getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom] })()`))
	if err != nil || len(box) != 4 {
		t.Fatalf("the box drawn: %v %v", err, box)
	}
	for i, want := range []float64{r[0] + r[2]*clicks[0][0], r[1] + r[3]*clicks[0][1], r[0] + r[2]*clicks[1][0], r[1] + r[3]*clicks[1][1]} {
		if math.Abs(box[i]-want) > 3 {
			t.Errorf("the box is drawn at %v, clicked at %.0f for its edge %d", box, want, i)
		}
	}
	fullShot(t, ctx, "archive-400-redact-box")
	b.do(chromedp.Navigate(base + "/?lang=en"))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
}
