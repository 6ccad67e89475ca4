package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBrowserArchive: a small trove ingested by the binary, then in
// Chromium with JavaScript off: the first sign-in with the QR code, a
// search for "архивы", a document with its page image beside its text,
// and the original downloaded, byte for byte.
func TestBrowserArchive(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "trove")
		pdf, err := os.ReadFile(filepath.Join("testdata", "opis.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, "fond17", "opis.pdf"), pdf)
		writeFile(t, filepath.Join(root, "fond17", "spravka.txt"), []byte("Справка: эти архивы были закрыты до 1991 года."))
		run(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "fond17", "--no-ocr"}, db, []string{root})...)
		pass, secret := addArchiveUser(t, data, db, "ann", "journalist", "fond17")

		srv, base := startArchive(t, data, db)
		ctx := newBrowser(t)
		downloads := t.TempDir()
		if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
			t.Fatal(err)
		}
		// A journalist's screen: wide enough for the image beside its text.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		b := tab{t, ctx, srv}
		do, text, click := b.do, b.text, b.click
		do(chromedp.Navigate(base+"/search?q="+url.QueryEscape("архивы")),
			chromedp.SendKeys(css(`#name`), "ann"),
			chromedp.SendKeys(css(`#passphrase`), pass))
		click(`form[action="/login"] button`)
		if got := text(`#secret`); got != secret {
			t.Fatalf("setup shows %q, want %q", got, secret)
		}
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('main img').naturalWidth === 240`)); err != nil || !ok {
			t.Fatal("the QR code image did not load")
		}
		code, _ := seal.TOTPCode(secret, time.Now())
		do(chromedp.SendKeys(css(`#code`), code))
		click(`form[action="/setup"] button`)
		if h := text(`main h1`); h != "Collections" {
			t.Fatalf("after setup: %q", h)
		}
		do(chromedp.SendKeys(css(`#q`), "архивы"))
		click(`form[action="/search"] button`)
		if total := text(`#total`); !strings.HasPrefix(total, "2 documents") {
			t.Fatalf("search: %q", total)
		}
		if marks := text(`ol.hits`); !strings.Contains(marks, "архивы") || !strings.Contains(marks, "opis.pdf") {
			t.Fatalf("hits: %q", marks)
		}
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll('ol.hits mark').length >= 2`)); err != nil || !ok {
			t.Fatal("the matches are not highlighted")
		}
		shot(t, ctx, "archive-search-"+filepath.Base(t.Name()))
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('ol.hits a.hit-path')].find(a => a.textContent.endsWith('/opis.pdf')).getAttribute('href')`))
		if err != nil {
			t.Fatalf("no hit for opis.pdf: %v", err)
		}
		click(`ol.hits a[href="` + href + `"]`)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('#page-image'); return i !== null && i.complete && i.naturalWidth > 500 })()`)); err == nil && ok {
				break
			} else if time.Now().After(deadline) {
				shot(t, ctx, "archive-document-"+filepath.Base(t.Name()))
				t.Fatalf("the page image did not load (%v)\n%s", err, srv.stderr.String())
			}
		}
		if txt := text(`#page-text`); !strings.Contains(txt, "Государственные архивы передали") {
			t.Fatalf("page text %q", txt)
		}
		// Image and text side by side, not stacked.
		shot(t, ctx, "archive-document-"+filepath.Base(t.Name()))
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('#page-image').getBoundingClientRect(), p = document.querySelector('#page-text').getBoundingClientRect(); return p.left >= i.right && p.top < i.bottom })()`)); err != nil || !ok {
			t.Fatalf("the page image and its text are not side by side (%v)", err)
		}
		// At 800 px the page fits, the custody table (a SHA-256 in its
		// events) included.
		if over := overflow(t, ctx, 800, "main > *"); over != "" {
			t.Errorf("at 800 px the document page does not fit: %s", over)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		shot(t, ctx, "archive-document-"+filepath.Base(t.Name()))
		do(chromedp.Click(css(`#download`), chromedp.NodeVisible))
		got := filepath.Join(downloads, "opis.pdf")
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if b, err := os.ReadFile(got); err == nil && bytes.Equal(b, pdf) {
				break
			} else if time.Now().After(deadline) {
				entries, _ := os.ReadDir(downloads)
				t.Fatalf("no download of the original: %v %v", err, entries)
			}
		}
		do(chromedp.Navigate(base + "/collections/fond17"))
		if st := text(`main`); !strings.Contains(st, "2 files done, 0 queued, 0 running, 0 failed") || !strings.Contains(st, "Failures (0)") {
			t.Fatalf("collection page: %q", st)
		}
		shot(t, ctx, "archive-collection-"+filepath.Base(t.Name()))
		// The audit log is for admins: a journalist is refused it.
		do(chromedp.Navigate(base + "/audit"))
		if msg := text(`main`); !strings.Contains(msg, "Your role does not allow this") {
			t.Fatalf("audit page for a journalist: %q", msg)
		}
	})
}

// startArchive runs `confide archive serve` on a free loopback port, with
// extra flags, and returns it with its base URL; what it printed before is
// in its stdout.
func startArchive(t *testing.T, data string, db []string, extra ...string) (*server, string) {
	t.Helper()
	cmd := exec.Command(binary, slices.Concat([]string{"archive", "serve", "--data", data, "--listen", "127.0.0.1:0"}, db, extra)...)
	stdout, _ := cmd.StdoutPipe()
	s := &server{t: t, cmd: cmd, urls: map[string]string{}, data: data, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(s.stdout, sc.Text())
			if m := regexp.MustCompile(`^archive: (http://127\.0\.0\.1:[0-9]+)/`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return s, a
	case <-time.After(30 * time.Second):
		s.cmd.Process.Signal(syscall.SIGTERM)
		t.Fatalf("archive serve printed no address\n%s", s.stderr.String())
	}
	return nil, ""
}
