package dropbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/web/webtest"

	"filippo.io/age"
)

// fastParams keep tests quick; the real parameters are covered by seal's
// golden vectors and the end-to-end tests, which run the binary as shipped.
var fastParams = seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}

type fixture struct {
	t       testing.TB
	srv     *Server
	ts      *httptest.Server
	store   *store.DB
	blobs   *blob.Dir
	dataDir string
	journo  *age.X25519Identity
}

type option func(*Config)

func newFixture(t testing.TB, b storetest.Backend, journalists bool, opts ...option) *fixture {
	t.Helper()
	st, _ := b.Open(t)
	dir := t.TempDir()
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: st, blobs: blobs, dataDir: dir}
	if journalists {
		f.journo, _ = age.GenerateX25519Identity()
		if err := st.AddJournalist(context.Background(), store.Journalist{Name: "ann", Recipient: f.journo.Recipient().String()}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Params: fastParams, MaxUpload: 1 << 20}
	for _, o := range opts {
		o(&cfg)
	}
	f.srv, err = New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv.Handler())
	t.Cleanup(func() { f.ts.Close(); f.srv.Close() })
	return f
}

// browser is a visitor of the dropbox, with the dropbox's own steps.
type browser struct{ *webtest.Browser }

func (f *fixture) browser() *browser { return &browser{webtest.New(f.t, f.ts.URL)} }

// postForm posts form fields as given (a test may leave out the token).
func (b *browser) postForm(path string, form map[string]string) webtest.Page {
	v := url.Values{}
	for k, x := range form {
		v.Set(k, x)
	}
	return b.PostRaw(path, v)
}

var csrfRe = webtest.CSRFPattern
var codenameRe = regexp.MustCompile(`name="codename" value="([^"]+)"`)

// newSource walks the "I'm new" flow and returns the codename, logged in.
func (b *browser) newSource() string {
	b.T.Helper()
	p := b.Get("/new")
	m := codenameRe.FindStringSubmatch(p.Body)
	if p.Status != 200 || m == nil {
		b.T.Fatalf("new: %d %s", p.Status, p.Body)
	}
	r := b.postForm("/new", map[string]string{"csrf": p.CSRF(b.T), "codename": m[1]})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/inbox" {
		b.T.Fatalf("create: %d %s", r.Status, r.Body)
	}
	return m[1]
}

type filePart struct {
	name    string
	content []byte
}

// multipartBody builds a submission form in the field order our page uses.
func multipartBody(csrf, message string, files ...filePart) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("message", message)
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		w.Write(f.content)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// delivered tells the answer to a submission that went through (a receipt
// on the inbox) from every refusal.
func delivered(p webtest.Page) bool {
	return p.Status == http.StatusOK && strings.Contains(p.Body, `id="sent"`) && !strings.Contains(p.Body, `id="refused"`)
}

func (b *browser) submit(csrf, message string, files ...filePart) webtest.Page {
	ct, body := multipartBody(csrf, message, files...)
	req, _ := http.NewRequest("POST", b.Base+"/submit", body)
	req.Header.Set("Content-Type", ct)
	return b.Do(req)
}

// items returns every item stored, decrypted with the journalist's key.
type opened struct {
	item     store.Item
	manifest seal.Manifest
	content  []byte
}

func (f *fixture) openAll(sourceID string) []opened {
	f.t.Helper()
	items, err := f.store.Items(context.Background(), sourceID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []opened
	for _, it := range items {
		m, err := seal.OpenManifest(it.Manifest, f.journo)
		if err != nil {
			f.t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := f.blobs.Copy(&buf, it.Blob); err != nil {
			f.t.Fatal(err)
		}
		plain, err := seal.OpenBytes(buf.Bytes(), 1<<30, f.journo)
		if err != nil {
			f.t.Fatal(err)
		}
		// Cut at the manifest's size, as the workstation does; what is cut
		// must be padding and nothing else.
		if int64(len(plain)) < m.Size || len(bytes.Trim(plain[m.Size:], "\x00")) != 0 {
			f.t.Fatalf("%d bytes decrypted, the manifest says %d, and the rest is not padding", len(plain), m.Size)
		}
		out = append(out, opened{it, m, plain[:m.Size]})
	}
	return out
}

func (f *fixture) onlySource() store.Source {
	f.t.Helper()
	var id string
	err := f.store.SQL().QueryRow(`SELECT id FROM sources`).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	s, _ := f.store.SourceByID(context.Background(), id)
	return s
}

func (f *fixture) count(table string) int {
	var n int
	f.store.SQL().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s`, table)).Scan(&n)
	return n
}

// reply stores a reply the way the newsroom will: sealed to the source and
// the journalists.
func (f *fixture) reply(src store.Source, text string) store.Item {
	f.t.Helper()
	r, _ := seal.ParseRecipient(src.Recipient)
	rcpts := []age.Recipient{r, f.journo.Recipient()}
	ct, m, err := seal.SealReply(text, store.Today().Time(), rcpts)
	if err != nil {
		f.t.Fatal(err)
	}
	p, _ := f.blobs.Create()
	p.Write(ct)
	size := p.Size()
	if err := p.Commit(); err != nil {
		f.t.Fatal(err)
	}
	it := store.Item{ID: store.NewID(), SourceID: src.ID, Blob: p.Name(), Size: size, Manifest: m}
	if err := f.store.AddReply(context.Background(), it); err != nil {
		f.t.Fatal(err)
	}
	return it
}
