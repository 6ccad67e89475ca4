package newsroom

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/web/webtest"

	"filippo.io/age"
)

var fastParams = seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}

type fixture struct {
	t     testing.TB
	srv   *Server
	ts    *httptest.Server
	store *store.DB
	blobs *blob.Dir
	clock *webtest.Clock
}

// person is a journalist with their secrets, as the tests play them.
type person struct {
	name, pass, secret string
	id                 *age.X25519Identity
	j                  store.Journalist
}

func newFixture(t testing.TB, b storetest.Backend) *fixture {
	t.Helper()
	st, _ := b.Open(t)
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	c := webtest.NewClock(time.Now())
	srv, err := New(context.Background(), Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Params: fastParams, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, store: st, blobs: blobs, clock: c}
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

func (f *fixture) person(name string, admin bool) *person {
	f.t.Helper()
	id, _ := age.GenerateX25519Identity()
	creds, err := CreateJournalist(context.Background(), f.store, "Confide", name, id.Recipient().String(), admin, fastParams)
	if err != nil {
		f.t.Fatal(err)
	}
	u, _ := url.Parse(creds.TOTPURI)
	p := &person{name: name, pass: creds.Passphrase, secret: u.Query().Get("secret"), id: id}
	p.j, _ = f.store.JournalistByName(context.Background(), name)
	return p
}

// code returns the current TOTP code and moves the clock on a step, so the
// next call gets a fresh code (each works once).
func (f *fixture) code(p *person) string {
	c, err := seal.TOTPCode(p.secret, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(30 * time.Second)
	return c
}

// browser is a visitor of the newsroom.
type browser = webtest.Browser

func (f *fixture) browser() *browser { return webtest.New(f.t, f.ts.URL) }

// login signs a person in fully, setting up the second factor if needed.
func (f *fixture) login(p *person) *browser {
	f.t.Helper()
	b := f.browser()
	r := b.Post("/login", "/login", url.Values{"name": {p.name}, "passphrase": {p.pass}, "code": {f.code(p)}})
	if r.Status != http.StatusSeeOther {
		f.t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("Location") == "/setup" {
		r = b.Post("/setup", "/setup", url.Values{"code": {f.code(p)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			f.t.Fatalf("setup: %d %s", r.Status, r.Body)
		}
	}
	return b
}

// source makes a source with one message and one file, sealed to every
// journalist as the dropbox does, and returns it with the source identity.
func (f *fixture) source(designation string, contents ...string) (store.Source, *age.X25519Identity) {
	f.t.Helper()
	ctx := context.Background()
	id, _ := age.GenerateX25519Identity()
	src := store.Source{ID: store.NewID(), LoginHash: []byte(designation), Recipient: id.Recipient().String(), Designation: designation, Created: store.Today(), Active: store.Today()}
	if err := f.store.CreateSource(ctx, src); err != nil {
		f.t.Fatal(err)
	}
	js, _ := f.store.Journalists(ctx)
	var rs []string
	for _, j := range js {
		rs = append(rs, j.Recipient)
	}
	rcpts, _ := seal.ParseRecipients(rs)
	var items []store.Item
	for i, c := range contents {
		kind := store.KindFile
		if i == 0 {
			kind = store.KindMessage
		}
		ct, _ := seal.SealBytes([]byte(c), rcpts)
		p, _ := f.blobs.Create()
		p.Write(ct)
		p.Commit()
		m, _ := seal.SealManifest(seal.Manifest{Kind: kind, Name: "doc.txt", Size: int64(len(c))}, rcpts)
		items = append(items, store.Item{Kind: kind, Blob: p.Name(), Size: int64(len(ct)), Manifest: m})
	}
	if err := f.store.AddSubmission(ctx, src.ID, store.NewID(), items); err != nil {
		f.t.Fatal(err)
	}
	src, _ = f.store.SourceByID(ctx, src.ID)
	return src, id
}
