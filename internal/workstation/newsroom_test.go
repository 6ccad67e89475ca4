package workstation

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"confide/internal/blob"
	"confide/internal/newsroom"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/web/webtest"

	"filippo.io/age"
)

// testNewsroom is a real newsroom in this process, on SQLite (the
// workstation's tests are about the wire, not storage), with one
// journalist whose second factor is not set up yet.
type testNewsroom struct {
	t      testing.TB
	srv    *newsroom.Server
	ts     *httptest.Server
	st     *store.DB
	blobs  *blob.Dir
	clock  *webtest.Clock
	name   string
	pass   string
	secret string
	id     *age.X25519Identity
}

func startNewsroom(t testing.TB) *testNewsroom {
	t.Helper()
	st, _ := storetest.Backends()[0].Open(t)
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	n := &testNewsroom{t: t, st: st, blobs: blobs, clock: webtest.NewClock(time.Now()), name: "ann"}
	n.srv, err = newsroom.New(context.Background(), newsroom.Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Params: seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}, Now: n.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	n.id, _ = age.GenerateX25519Identity()
	creds, err := newsroom.CreateJournalist(context.Background(), st, "Confide", n.name, n.id.Recipient().String(), true, seal.Params{Time: 1, MemoryKiB: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(creds.TOTPURI)
	n.pass, n.secret = creds.Passphrase, u.Query().Get("secret")
	n.ts = httptest.NewServer(n.srv.Handler())
	t.Cleanup(n.ts.Close)
	return n
}

// secrets answers Login's question with a fresh code each time.
func (n *testNewsroom) secrets() (string, string, error) {
	n.clock.Advance(30 * time.Second)
	code, err := seal.TOTPCode(n.secret, n.clock.Now())
	return n.pass, code, err
}

// login signs the workstation in at base (the newsroom or a proxy in front
// of it), pinning the newsroom's real key.
func (n *testNewsroom) login(base string) (*State, *Client) {
	n.t.Helper()
	st := &State{Pulled: map[string]string{}}
	if _, err := Login(context.Background(), st, base, n.name, n.srv.PublicKey(), n.secrets, io.Discard); err != nil {
		n.t.Fatal(err)
	}
	c, err := st.Client()
	if err != nil {
		n.t.Fatal(err)
	}
	return st, c
}

// submit stores a submission sealed to the journalist, as the dropbox does,
// and returns the source.
func (n *testNewsroom) submit(designation string, contents ...string) store.Source {
	n.t.Helper()
	ctx := context.Background()
	src, err := n.st.SourceByDesignation(ctx, designation)
	if err != nil {
		sid, _ := age.GenerateX25519Identity()
		src = store.Source{ID: store.NewID(), LoginHash: []byte(designation), Recipient: sid.Recipient().String(), Designation: designation, Created: store.Today(), Active: store.Today()}
		if err := n.st.CreateSource(ctx, src); err != nil {
			n.t.Fatal(err)
		}
	}
	var items []store.Item
	for i, c := range contents {
		kind := store.KindFile
		if i == 0 {
			kind = store.KindMessage
		}
		ct := n.seal(c)
		p, _ := n.blobs.Create()
		p.Write(ct)
		if err := p.Commit(); err != nil {
			n.t.Fatal(err)
		}
		m, _ := seal.SealManifest(seal.Manifest{Kind: kind, Name: "doc.txt", Size: int64(len(c))}, n.recipients())
		items = append(items, store.Item{Kind: kind, Blob: p.Name(), Size: int64(len(ct)), Manifest: m})
	}
	if err := n.st.AddSubmission(ctx, src.ID, store.NewID(), items); err != nil {
		n.t.Fatal(err)
	}
	return src
}

func (n *testNewsroom) recipients() []age.Recipient {
	return []age.Recipient{n.id.Recipient()}
}

// seal encrypts text to the journalist: what anyone can make who knows the
// public recipient the sync lists.
func (n *testNewsroom) seal(text string) []byte {
	ct, err := seal.SealBytes([]byte(text), n.recipients())
	if err != nil {
		n.t.Fatal(err)
	}
	return ct
}

// proxy puts a Go reverse proxy in front of the newsroom; req may change
// each request on its way, resp each answer on its way back.
func (n *testNewsroom) proxy(req func(*http.Request), resp func(*http.Response) error) *httptest.Server {
	target, _ := url.Parse(n.ts.URL)
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if req != nil {
				req(pr.Out)
			}
		},
		ModifyResponse: resp,
	}
	ts := httptest.NewServer(p)
	n.t.Cleanup(ts.Close)
	return ts
}
