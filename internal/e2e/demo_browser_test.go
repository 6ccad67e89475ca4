package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

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
