package site

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confide/internal/store/storetest"
	"confide/internal/web/webtest"
)

// Seen in headless Chromium: "/x/../\evil.example" was cleaned by the
// redirect into "/\evil.example", which the browser followed off the site.
func TestLoginRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.reader("v@example.org", "V")
	for _, next := range []string{`/x/../\evil.example`, `//evil.example`, `/\evil.example`, `/x/..//evil.example`} {
		r := f.browser().Post("/login?next="+url.QueryEscape(next), "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}, "next": {next}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("%q: login %d", next, r.Status)
		}
		if strings.HasPrefix(r.Loc, "//") || strings.Contains(r.Loc, `\`) || !strings.HasPrefix(r.Loc, "/") {
			t.Fatalf("next=%q sent the reader to %q", next, r.Loc)
		}
	}
	if r := f.browser().Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}, "next": {"/stories/river-money"}}); r.Loc != "/stories/river-money" {
		t.Fatalf("a local next was lost: %q", r.Loc)
	}
}

// A story page shows only the notices the site itself sends; any other
// ?notice= text is not put on the page.
func TestStoryShowsOnlyKnownNotices(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	b := f.browser()
	if r := b.Get("/stories/river-money?notice=reported"); !strings.Contains(r.Body, `id="notice"`) || !strings.Contains(r.Body, "The moderators will look") {
		t.Fatal("a known notice is not shown")
	}
	for _, n := range []string{"Your account is suspended, call +1 555 0100", "closed", "banned", "%s", "../site.login.failed"} {
		r := b.Get("/stories/river-money?notice=" + url.QueryEscape(n))
		if r.Status != 200 || strings.Contains(r.Body, `id="notice"`) || strings.Contains(r.Body, "555 0100") {
			t.Fatalf("notice %q reflected: %d", n, r.Status)
		}
	}
}

// Without --smtp, mail goes to the outbox folder only: the log names the
// file, never a live link.
func TestOutboxLogsNoLinks(t *testing.T) {
	var log bytes.Buffer
	o := Outbox{Dir: filepath.Join(t.TempDir(), "outbox"), Log: slog.New(slog.NewTextHandler(&log, nil))}
	link := "https://news.example/reset/confirm?token=SECRETTOKEN"
	if err := o.Send("v@example.org", "Reset", "Reset your passphrase:\n\n"+link+"\n"); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(o.Dir)
	if len(ents) != 1 {
		t.Fatalf("outbox: %v", ents)
	}
	p := filepath.Join(o.Dir, ents[0].Name())
	mail, _ := os.ReadFile(p)
	if fi, _ := os.Stat(p); !bytes.Contains(mail, []byte(link)) || fi.Mode().Perm() != 0o600 {
		t.Fatalf("outbox mail %v: %s", fi.Mode(), mail)
	}
	if strings.Contains(log.String(), "SECRETTOKEN") || !strings.Contains(log.String(), ents[0].Name()) {
		t.Fatalf("log: %s", log.String())
	}
}

// Served over HTTPS (by --site-url), every cookie is Secure and HSTS is
// sent; over plain HTTP neither, which would break a local site.
func TestSiteHTTPSCookies(t *testing.T) {
	for _, https := range []bool{false, true} {
		f := newFixture(t, storetest.Backends()[0])
		if https {
			f.srv.cfg.BaseURL = "https://news.example"
			f.ts.Config.Handler = f.srv.Handler()
		}
		f.reader("v@example.org", "V")
		b := f.browser()
		seen := map[string]bool{}
		webtest.CheckHTTPS(t, b.Get("/login?lang=ru").Header, https, seen)
		r := b.Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("https=%v: login %d", https, r.Status)
		}
		webtest.CheckHTTPS(t, r.Header, https, seen)
		if !seen["lang"] || !seen["site_csrf"] || !seen[readerCookie] {
			t.Fatalf("cookies seen: %v", seen)
		}
	}
}

// The same failures for a real address and an unknown one get the same
// status, words and lock time, so sign-in does not tell who has an
// account; the lock says when it ends, and a reset by mail gets through.
func TestReaderLockoutTellsNoAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.reader("v@example.org", "V")
		br := f.browser()
		tok := br.Get("/login").CSRF(t)
		try := func(email string) (int, string, string) {
			r := br.PostRaw("/login", url.Values{"csrf": {tok}, "email": {email}, "passphrase": {"wrong wrong wrong"}})
			return r.Status, strings.ReplaceAll(r.Body, email, "EMAIL"), r.Header.Get("Retry-After")
		}
		for i := 1; i <= 7; i++ {
			rs, rb, ra := try("v@example.org")
			us, ub, ua := try("nobody@example.org")
			if rs != us || rb != ub || ra != ua {
				t.Fatalf("try %d: a real address got %d %q, an unknown one %d %q", i, rs, ra, us, ua)
			}
			want := http.StatusUnauthorized
			if i >= 5 {
				want = http.StatusTooManyRequests
			}
			if rs != want {
				t.Fatalf("try %d: %d, want %d", i, rs, want)
			}
		}
		rd, _ := f.store.ReaderByEmail(context.Background(), "v@example.org")
		if _, body, _ := try("v@example.org"); !strings.Contains(body, "try again after "+time.Unix(rd.LockedUntil, 0).UTC().Format("15:04 UTC")) {
			t.Fatalf("the lock does not say when it ends: %.500s", body)
		}
		f.browser().Post("/reset", "/reset", url.Values{"email": {"v@example.org"}})
		link := f.lastLink()
		q, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		if r := f.browser().Post(link, "/reset/confirm", url.Values{"token": {q.Get("token")}, "passphrase": {"a brand new passphrase"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d", r.Status)
		}
		if r := f.browser().Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"a brand new passphrase"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("locked reader after a reset: %d", r.Status)
		}
	})
}
