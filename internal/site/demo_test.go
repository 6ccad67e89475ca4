package site

import (
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confide/internal/store/storetest"
)

// In demo mode, with no onion address, the dropbox page shows the local
// dropbox and says a real deployment shows the onion; outside demo mode it
// never shows a local address, and an onion always wins.
func TestDemoDropboxAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.srv.cfg.DropboxURL = "http://127.0.0.1:8081"
		if r := f.browser().Get("/dropbox"); strings.Contains(r.Body, "127.0.0.1:8081") || !strings.Contains(r.Body, "not published yet") {
			t.Fatalf("not a demo, yet: %s", r.Body)
		}
		f.srv.cfg.Demo = true
		r := f.browser().Get("/dropbox")
		if !strings.Contains(r.Body, `<a href="http://127.0.0.1:8081">http://127.0.0.1:8081</a>`) || !strings.Contains(r.Body, "A real deployment shows its onion address") || strings.Contains(r.Body, "Tor only") ||
			strings.Contains(r.Body, "not published yet") {
			t.Fatalf("demo dropbox page: %s", r.Body)
		}
		f.srv.cfg.Onion = func() string { return "abc.onion" }
		if r := f.browser().Get("/dropbox"); strings.Contains(r.Body, "127.0.0.1:8081") || !strings.Contains(r.Body, "abc.onion") {
			t.Fatalf("with an onion: %s", r.Body)
		}
	})
}

// Registering in demo mode says which folder the mail is in (and only in
// demo mode); the mail has From and a day-only Date; the verify link lands
// on a page that says it worked.
func TestDemoRegisterAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		form := url.Values{"email": {"n@example.org"}, "name": {"N"}, "passphrase": {"correct horse battery"}}
		if r := f.browser().Post("/register", "/register", form); r.Status != 200 || strings.Contains(r.Body, f.outbox) {
			t.Fatalf("not a demo, yet the path is shown: %d %s", r.Status, r.Body)
		}
		f.srv.cfg.Demo = true
		br := f.browser()
		form.Set("email", "m@example.org")
		r := br.Post("/register", "/register", form)
		if r.Status != 200 || !strings.Contains(r.Body, "The message is a file in "+f.outbox) {
			t.Fatalf("demo register: %d %s", r.Status, r.Body)
		}
		ents, _ := os.ReadDir(f.outbox)
		raw, _ := os.ReadFile(filepath.Join(f.outbox, ents[len(ents)-1].Name()))
		m, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("From") != OutboxFrom || m.Header.Get("To") != "m@example.org" {
			t.Fatalf("headers: %v", m.Header)
		}
		d, err := m.Header.Date()
		now := f.clock.Now().UTC()
		if err != nil || !d.Equal(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("Date %q (%v): not the day at midnight UTC", m.Header.Get("Date"), err)
		}
		v := br.Get(f.lastLink())
		if v.Status != http.StatusSeeOther {
			t.Fatalf("verify: %d", v.Status)
		}
		loc := v.Header.Get("Location")
		if home := br.Get(loc); !strings.Contains(home.Body, "Your address is verified and you are signed in") || !strings.Contains(home.Body, `id="notice"`) {
			t.Fatalf("landing %s: %s", loc, home.Body)
		}
		// The query alone, without the signed-in reader, says nothing.
		if anon := f.browser().Get(loc); strings.Contains(anon.Body, "verified") {
			t.Fatalf("anonymous landing: %s", anon.Body)
		}
	})
}

// The register and reset forms state the minimum the handlers enforce:
// one character less is refused, the stated number is accepted.
func TestPassphraseMinimumStated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) { passphraseMinimumStated(t, newFixture(t, b)) })
}

func passphraseMinimumStated(t *testing.T, f *fixture) {
	br := f.browser()
	page := br.Get("/register").Body
	if !strings.Contains(page, `minlength="12"`) || !strings.Contains(page, "At least 12 characters") {
		t.Fatalf("register form: %s", page)
	}
	short := url.Values{"email": {"p@example.org"}, "name": {"P"}, "passphrase": {strings.Repeat("x", 11)}}
	if r := br.Post("/register", "/register", short); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "At least 12 characters") {
		t.Fatalf("11 characters: %d", r.Status)
	}
	short.Set("passphrase", strings.Repeat("x", 12))
	if r := br.Post("/register", "/register", short); r.Status != 200 {
		t.Fatalf("12 characters: %d %s", r.Status, r.Body)
	}
	if page := br.Get("/reset/confirm?token=x").Body; !strings.Contains(page, "At least 12 characters") {
		t.Fatalf("reset form: %s", page)
	}
}

// Every site page advertises the Atom feed to feed readers.
func TestPagesAdvertiseFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) { pagesAdvertiseFeed(t, newFixture(t, b)) })
}

func pagesAdvertiseFeed(t *testing.T, f *fixture) {
	for _, p := range []string{"/", "/dropbox", "/stories/river-money", "/tags/money", "/authors/anna", "/register", "/login", "/no-such-page"} {
		if r := f.browser().Get(p); !strings.Contains(r.Body, `<link rel="alternate" type="application/atom+xml" href="/feed.atom" title="Atom feed">`) {
			t.Errorf("%s lacks the feed link", p)
		}
	}
}
