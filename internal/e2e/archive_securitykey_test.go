package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/chromedp"
)

// TestArchiveSecurityKeySignIn registers a (virtual) security key on the
// archive's account page in Chromium and signs in with it instead of a
// code, on both backends: the shared script runs under the archive's own
// origin and the CSP of its key pages.
func TestArchiveSecurityKeySignIn(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "trove")
		writeFile(t, filepath.Join(root, "spravka.txt"), []byte("Справка: архивы."))
		run(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "fond17", "--no-ocr"}, db, []string{root})...)
		pass, secret := addArchiveUser(t, data, db, "ann", "journalist", "fond17")
		srv, base := startArchive(t, data, db)
		// WebAuthn needs a host name, not an IP: localhost is a secure context.
		base = strings.Replace(base, "127.0.0.1", "localhost", 1)
		ctx := browserWithKey(t)
		b := tab{t, ctx, srv}
		do, text, click := b.do, b.text, b.click
		signIn := func() {
			t.Helper()
			do(chromedp.Navigate(base+"/login"), chromedp.SendKeys(css(`#name`), "ann"), chromedp.SendKeys(css(`#passphrase`), pass))
			click(`form[action="/login"] button`)
		}
		signIn()
		code, _ := seal.TOTPCode(secret, time.Now())
		do(chromedp.SendKeys(css(`#code`), code))
		click(`form[action="/setup"] button`)
		click(`#account`)
		do(chromedp.Click(css(`#add-key`), chromedp.NodeVisible), chromedp.WaitVisible(css(`#status`)))
		if st := text(`#status`); !strings.Contains(st, "was added") || !strings.Contains(text(`#keys`), "1") || !strings.Contains(text(`#key-list`), "Remove") {
			t.Fatalf("registration: %q / %q\n%s", st, text(`#keys`), srv.stderr.String())
		}
		shot(t, ctx, "archive-account-"+filepath.Base(t.Name()))
		click(`form[action="/logout"] button`)
		// Passphrase, no code: the key step, then the collections.
		signIn()
		if h := text(`main h1`); !strings.Contains(h, "security key") {
			t.Fatalf("no key step: %q", h)
		}
		shot(t, ctx, "archive-key-"+filepath.Base(t.Name()))
		do(chromedp.Click(css(`#use-key`), chromedp.NodeVisible))
		waitPath(t, ctx, "/")
		if h := text(`main h1`); h != "Collections" {
			t.Fatalf("after the key: %q (%q)\n%s", h, text(`#key-status`), srv.stderr.String())
		}
	})
}
