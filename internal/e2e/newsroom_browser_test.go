package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/chromedp"
)

// TestBrowserNewsroom drives the newsroom in headless Chromium with
// JavaScript disabled (it may use script, but must not need it): first
// sign-in with the QR code, the inbox, a reply, a deletion, admin actions.
func TestBrowserNewsroom(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--message-file", "/etc/hostname", "/etc/os-release")
			ctx := newBrowser(t)
			base := srv.urls["newsroom"]
			b := tab{t, ctx, srv}
			do, text, click := b.do, b.text, b.click
			do(chromedp.Navigate(base+"/"),
				chromedp.SendKeys(css(`#name`), n.user),
				chromedp.SendKeys(css(`#passphrase`), n.pass))
			click(`form[action="/login"] button`)
			if secret := text(`#secret`); secret != n.totp {
				t.Fatalf("setup shows %q", secret)
			}
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('img').naturalWidth === 240`)); err != nil || !ok {
				t.Fatal("the QR code image did not load")
			}
			shot(t, ctx, "newsroom-setup-"+backend)
			code, _ := seal.TOTPCode(n.totp, time.Now())
			do(chromedp.SendKeys(css(`#code`), code))
			click(`form[action="/setup"] button`)
			if !strings.Contains(text(`table.inbox`), "1") {
				t.Fatal("the inbox shows no source")
			}
			shot(t, ctx, "newsroom-inbox-"+backend)
			click(`table.inbox a`)
			do(chromedp.SendKeys(css(`#reply`), "We received it. Thank you."))
			click(`form[action$="/replies"] button`)
			rows := text(`table.items`)
			if !strings.Contains(rows, "Reply") || strings.Count(rows, "\n") < 3 {
				t.Fatalf("reply not listed: %q", rows)
			}
			if sent := text(`#reply-sent`); !strings.Contains(sent, "Reply sent") {
				t.Fatalf("no sent notice after a reply: %q", sent)
			}
			if sum := text(`h1 + p`); !strings.HasPrefix(sum, "1 message, 1 file, 1 reply,") {
				t.Fatalf("summary without real plural forms: %q", sum)
			}
			if main := text(`main`); strings.Contains(main, "`") || !strings.Contains(text(`#read`), "go install ./cmd/confide") {
				t.Fatalf("reading on the workstation is not explained with commands, or backticks show: %q", main)
			}
			checkWorkingLayout(t, ctx, `form[action$="/items"] p button`, true)
			// The demo (SQLite here) decrypts for the demo journalist, labelled;
			// a real newsroom (PostgreSQL here, no demo) cannot.
			demo, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#demo-read') !== null`))
			if err != nil || demo != (backend == "sqlite") {
				t.Fatalf("demo shortcut shown: %v (%v), want it only in the demo", demo, err)
			}
			if demo {
				host, _ := os.ReadFile("/etc/hostname")
				if !strings.Contains(text(`#demo-read`), "Demo-only") || !strings.Contains(text(`.demo-plain`), strings.TrimSpace(string(host))) ||
					!strings.Contains(text(`a.demo-open`), "os-release") || !strings.Contains(text(`#read`), "--identity "+n.key) {
					t.Fatalf("demo shortcut: %q / %q", text(`#demo-read`), text(`table.items`))
				}
			}
			chromedp.Run(ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0) || true`))
			shot(t, ctx, "newsroom-source-top-"+backend)
			page, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			page, _, _ = strings.Cut(page, "?")
			do(chromedp.Navigate(page + "?lang=ru"))
			if sum := text(`h1 + p`); !strings.HasPrefix(sum, "1 сообщение, 1 файл, 1 ответ,") {
				t.Fatalf("Russian summary without its plural forms: %q", sum)
			}
			checkWorkingLayout(t, ctx, `form[action$="/items"] p button`, true)
			shot(t, ctx, "newsroom-source-ru-"+backend)
			do(chromedp.Navigate(page + "?lang=en"))
			shot(t, ctx, "newsroom-source-"+backend)
			do(chromedp.Click(css(`#i1`)))
			click(`button[value="delete"]`)
			if strings.Contains(text(`table.items`), "Message") {
				t.Fatal("the deleted message is still listed")
			}
			// Admin: add a journalist, reset their second factor, remove them.
			do(chromedp.Navigate(base + "/"))
			checkWorkingLayout(t, ctx, `nav.card > *`, true)
			// The source's pages keep the simple reading column.
			do(chromedp.Navigate(srv.urls["dropbox"] + "/"))
			if w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('main').getBoundingClientRect().width`)); err != nil || w > 760 {
				t.Fatalf("the dropbox's column is %v px wide (%v), want the narrow one", w, err)
			}
			do(chromedp.Navigate(base + "/admin"))
			coded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll('main code')].some(c => c.textContent === 'confide keygen')`))
			if main := text(`main`); err != nil || strings.Contains(main, "`") || !coded {
				t.Fatalf("admin help shows backticks or no code span (%v): %q", err, main)
			}
			checkWorkingLayout(t, ctx, `table.people tbody tr:first-child td:last-child button`, false)
			shot(t, ctx, "newsroom-admin-"+backend)
			out, _ := exec.Command("age-keygen").CombinedOutput()
			recipient := strings.TrimPrefix(strings.Split(string(out), "\n")[0], "Public key: ")
			do(chromedp.SendKeys(css(`#newname`), "carl"), chromedp.SendKeys(css(`#newrecipient`), recipient))
			click(`form[action="/admin/journalists"] button`)
			if pass := text(`#passphrase`); len(strings.Fields(pass)) != 7 {
				t.Fatalf("new passphrase %q", pass)
			}
			do(chromedp.Navigate(base + "/admin"))
			if !strings.Contains(text(`table.people`), "carl") {
				t.Fatal("carl not listed")
			}
			click(`#j-carl button[value="2fa"]`)
			if !strings.HasPrefix(text(`#totp`), "otpauth://totp/") {
				t.Fatal("no new second factor shown")
			}
			do(chromedp.Navigate(base + "/admin"))
			click(`#j-carl form[action$="/remove"] button`)
			if strings.Contains(text(`table.people`), "carl") {
				t.Fatal("carl not removed")
			}
			do(chromedp.Navigate(base + "/admin/audit"))
			if log := text(`table.audit`); !strings.Contains(log, "add journalist") || !strings.Contains(log, "remove journalist") || !strings.Contains(log, "reply") {
				t.Fatalf("audit: %q", log)
			}
			do(chromedp.Navigate(base + "/"))
			click(`form[action="/logout"] button`)
			if _, err := chromedp.Run(ctx, chromedp.Text(css(`#passphrase`))); err != nil {
				t.Fatal("logout did not lead to the sign-in page")
			}
		})
	}
}

// TestBrowserNewsroomLock: in Chromium with JavaScript off, failed
// sign-ins show when the lock ends, and the journalist still gets in
// through the lock with the right passphrase and code.
func TestBrowserNewsroomLock(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t)
	ctx := newBrowser(t)
	base := srv.urls["newsroom"]
	b := tab{t, ctx, srv}
	do, text := b.do, b.text
	for range 5 {
		do(chromedp.Navigate(base+"/login"),
			chromedp.SendKeys(css(`#name`), n.user),
			chromedp.SendKeys(css(`#passphrase`), "a wrong guess"),
			chromedp.Click(css(`form[action="/login"] button`), chromedp.NodeVisible),
			chromedp.WaitVisible(css(`#login-error`)))
	}
	if name, err := chromedp.Run(ctx, chromedp.Value(css(`#name`))); err != nil || name != n.user {
		t.Fatalf("a failed sign-in left the name field %q (%v), want %q", name, err, n.user)
	}
	msg := text(`#login-error`)
	if !regexp.MustCompile(`locked until \d\d:\d\d UTC`).MatchString(msg) {
		t.Fatalf("the lock does not say when it ends: %q", msg)
	}
	shot(t, ctx, "newsroom-locked")
	// The right passphrase passes the lock (first sign-in: on to setup),
	// and the code then opens the inbox.
	do(chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`#name`), n.user),
		chromedp.SendKeys(css(`#passphrase`), n.pass))
	b.click(`form[action="/login"] button`)
	code, _ := seal.TOTPCode(n.totp, time.Now())
	do(chromedp.SendKeys(css(`#code`), code))
	b.click(`form[action="/setup"] button`)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != base+"/" {
		t.Fatalf("at %q, not the inbox, after signing in through the lock (%v)", loc, err)
	}
	if !strings.Contains(text(`body`), "Sources") {
		t.Fatal("the inbox is not shown after signing in through the lock")
	}
}

// checkWorkingLayout checks, on a 1280 px screen, that the newsroom page
// uses the width, that no date in a table wraps (and that there are dates
// when hasDates), and that the elements
// matched by row sit on one line rather than stacking.
func checkWorkingLayout(t *testing.T, ctx context.Context, row string, hasDates bool) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const main = document.querySelector('main').getBoundingClientRect().width;
		const dates = [...document.querySelectorAll('td')].filter(td => /^\d{4}-\d\d-\d\d$/.test(td.textContent.trim()));
		const wrapped = dates.filter(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length !== 1 || td.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(td).lineHeight); });
		const tops = new Set([...document.querySelectorAll(`+"`"+row+"`"+`)].filter(e => e.offsetParent).map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)));
		return main + " " + dates.length + " " + wrapped.length + " " + tops.size;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	var width float64
	var dates, wrapped, lines int
	fmt.Sscan(got, &width, &dates, &wrapped, &lines)
	if width < 1100 || (dates == 0) == hasDates || wrapped != 0 || lines != 1 {
		t.Fatalf("newsroom layout at 1280 px: main %.0f px wide, %d dates of which %d wrap, %q on %d lines (want ≥1100 px, no wrapping, one line)", width, dates, wrapped, row, lines)
	}
}
