package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// newBrowser starts Debian's Chromium headless with the flags this closed
// network needs, a fresh profile, and JavaScript disabled, as a source's Tor
// Browser at "Safest" would have it.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	ctx := newBrowserWithScript(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// newBrowserWithScript is the same browser with JavaScript on, for the one
// newsroom feature that needs it (security keys).
func newBrowserWithScript(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("chromium is required (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestBrowserSourceFlowWithoutJavaScript(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			ctx := newBrowser(t)
			dropbox := srv.urls["dropbox"]

			dir := t.TempDir()
			one := make([]byte, 1_500_000)
			rand.Read(one)
			two := []byte("Протокол заседания, 12 марта.\nSecond document, plain text.\n")
			f1, f2 := filepath.Join(dir, "ledger-2026.xlsx"), filepath.Join(dir, "протокол.txt")
			os.WriteFile(f1, one, 0o600)
			os.WriteFile(f2, two, 0o600)
			message := "The ledger shows payments to the contractor. Call me never; reply here."

			b := tab{t, ctx, srv}
			do, text, click := b.do, b.text, b.click
			do(chromedp.Navigate(dropbox + "/"))
			scripts, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.scripts.length + ":" + (typeof window.confideScriptRan)`))
			if err != nil {
				t.Fatal(err)
			}
			click(`a[href="/new"]`)
			codename := text(`#codename`)
			click(`form[action="/new"] button`)
			do(
				chromedp.SendKeys(css(`textarea#message`), message),
				chromedp.SetUploadFiles(css(`input#files`), []string{f1, f2}),
			)
			click(`form[action="/submit"] button`)
			confirm := text(`#sent`)
			if scripts != "0:undefined" {
				t.Fatalf("the page has scripts: %s", scripts)
			}
			if !regexp.MustCompile(`^([a-z-]+ ){6}[a-z-]+$`).MatchString(strings.TrimSpace(codename)) {
				t.Fatalf("codename %q", codename)
			}
			if !strings.Contains(confirm, "delivered to our journalists") {
				t.Fatalf("confirmation %q", confirm)
			}

			// Log out, then come back with the codename.
			click(`form[action="/logout"] button`)
			loggedOut := text(`#loggedout`)
			do(
				chromedp.Navigate(dropbox+"/login"),
				chromedp.SendKeys(css(`input#codename`), strings.TrimSpace(codename)),
			)
			click(`form[action="/login"] button`)
			inbox := text(`main`)
			if !strings.Contains(loggedOut, "New Identity") || !strings.Contains(inbox, "No replies yet") {
				t.Fatalf("logout %q / inbox %q", loggedOut, inbox)
			}
			shot(t, ctx, "dropbox-inbox-"+backend)

			// The stock age CLI recovers each file byte for byte (cut at
			// its manifest's size).
			found := map[string]bool{}
			for _, b := range blobs(t, n.data) {
				plain := n.ageRecover(t, b)
				switch {
				case bytes.Equal(plain, one):
					found["one"] = true
				case bytes.Equal(plain, two):
					found["two"] = true
				case string(plain) == message:
					found["message"] = true
				}
			}
			if len(found) != 3 {
				t.Fatalf("stock age recovered %v of message, one, two", found)
			}
			srv.stop()
			scanDataFolder(t, n, [][]byte{one[:64], two[:40], []byte(message[:30]), []byte("ledger-2026"), []byte("протокол"), []byte(strings.TrimSpace(codename))})
		})
	}
}

// css selects by CSS.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// tab drives the browser's page for one test: every step fails the test,
// with the server's log, if it goes wrong.
type tab struct {
	t   testing.TB
	ctx context.Context
	srv *server
}

func (b tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%v\n%s", err, b.srv.stderr.String())
	}
}

func (b tab) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(css(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v\n%s", sel, err, b.srv.stderr.String())
	}
	return v
}

// click follows a link or submits a form and waits for the page that
// answers, so no later step can read the page before it; that page must
// be a 200.
func (b tab) click(sel string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(css(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("click %s: %v\n%s", sel, err, b.srv.stderr.String())
	}
	if resp.Status != 200 {
		b.t.Fatalf("click %s: status %d", sel, resp.Status)
	}
}

// shot saves a screenshot for a person to look at when SCREENSHOTS is set.
func shot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// TestBrowserOversizedUpload checks that a source whose upload is over the
// limit sees a page saying so, not a reset connection, and that nothing
// was stored.
func TestBrowserOversizedUpload(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t, "--max-upload", "1048576")
			ctx := newBrowser(t)
			big := filepath.Join(t.TempDir(), "big.bin")
			os.WriteFile(big, bytes.Repeat([]byte("x"), 3<<20), 0o600)
			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(srv.urls["dropbox"] + "/new")}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/new"] button`), chromedp.NodeVisible)); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(css(`input#files`), []string{big})); err != nil {
				t.Fatal(err)
			}
			resp, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/submit"] button`), chromedp.NodeVisible))
			if err != nil {
				t.Fatalf("the browser got no page: %v", err)
			}
			body, err := chromedp.Run(ctx, chromedp.Text(css(`main`)))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != 413 || !strings.Contains(body, "too large to send in one go") {
				t.Fatalf("status %d, page %q", resp.Status, body)
			}
			if len(blobs(t, n.data)) != 0 {
				t.Fatal("something was stored")
			}
		})
	}
}
