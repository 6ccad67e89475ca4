package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestSecurityKeySignIn registers a (virtual) FIDO2 security key in
// Chromium and signs in with it instead of a TOTP code, on both backends.
func TestSecurityKeySignIn(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			// WebAuthn needs a host name, not an IP: localhost is a secure context.
			base := strings.Replace(srv.urls["newsroom"], "127.0.0.1", "localhost", 1)
			ctx := browserWithKey(t)
			b := tab{t, ctx, srv}
			do, text := b.do, b.text
			signIn := func(code string) {
				t.Helper()
				do(chromedp.Navigate(base+"/login"), chromedp.SendKeys(css(`#name`), n.user), chromedp.SendKeys(css(`#passphrase`), n.pass))
				if code != "" {
					do(chromedp.SendKeys(css(`#code`), code))
				}
				if _, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/login"] button`), chromedp.NodeVisible)); err != nil {
					t.Fatal(err)
				}
			}
			signIn("")
			code, _ := seal.TOTPCode(n.totp, time.Now())
			do(chromedp.SendKeys(css(`#code`), code))
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/setup"] button`), chromedp.NodeVisible)); err != nil {
				t.Fatal(err)
			}
			do(chromedp.Navigate(base+"/account"), chromedp.Click(css(`#add-key`), chromedp.NodeVisible), chromedp.WaitVisible(css(`#status`)))
			if st := text(`#status`); !strings.Contains(st, "was added") || !strings.Contains(text(`#keys`), "1") {
				t.Fatalf("registration: %q / %q\n%s", st, text(`#keys`), srv.stderr.String())
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/logout"] button`), chromedp.NodeVisible)); err != nil {
				t.Fatal(err)
			}
			// Passphrase, no code: the key step, then the inbox.
			signIn("")
			if !strings.Contains(text(`h1`), "security key") {
				t.Fatalf("no key step: %q", text(`h1`))
			}
			do(chromedp.Navigate(base + "/"))
			if h := text(`h1`); !strings.Contains(h, "Sign in") {
				t.Fatalf("a half-way session reached %q", h)
			}
			signIn("")
			do(chromedp.Click(css(`#use-key`), chromedp.NodeVisible))
			waitPath(t, ctx, "/")
			if h := text(`h1`); h != "Sources" {
				t.Fatalf("after the key: %q\n%s", h, srv.stderr.String())
			}
			shot(t, ctx, "newsroom-key-"+backend)
		})
	}
}

// browserWithKey is a browser with script and a virtual FIDO2 security
// key that answers at once.
func browserWithKey(t *testing.T) context.Context {
	t.Helper()
	ctx := newBrowserWithScript(t)
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportUsb,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// waitPath waits until the page's path is path.
func waitPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if p, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); p == path {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
