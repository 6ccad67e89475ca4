package newsroom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"confide/internal/bundle"
	"confide/internal/bundle/bundletest"
	"confide/internal/site"
	"confide/internal/store"
	"confide/internal/store/storetest"
)

// upload posts a bundle as the stories page's form does: the CSRF token
// first (unless csrf is ""), then the file.
func upload(t *testing.T, br *browser, csrf string, b []byte) (int, string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	fw, _ := mw.CreateFormFile("bundle", "letter.bundle")
	fw.Write(b)
	mw.Close()
	req, _ := http.NewRequest("POST", br.Base+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p := br.Do(req)
	return p.Status, p.Loc, p.Body
}

func TestDocumentUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		pub, err := site.OpenPublished(filepath.Join(t.TempDir(), "published"))
		if err != nil {
			t.Fatal(err)
		}
		f.srv.cfg.Publish = func(ctx context.Context, r io.Reader) (bundle.Manifest, bool, error) {
			return pub.Publish(ctx, f.store, r)
		}
		br := f.login(f.person("ann", false))
		page := br.Get("/stories")
		if !strings.Contains(page.Body, `action="/documents" enctype="multipart/form-data"`) {
			t.Fatal("the stories page offers no upload")
		}
		csrf := page.CSRF(t)
		good := bundletest.Bytes(t, bundletest.Options{Slug: "ministry-letter"})

		// Without the token first, or without a session: refused, nothing kept.
		if st, _, _ := upload(t, br, "", good); st != http.StatusForbidden {
			t.Errorf("no CSRF token: %d", st)
		}
		if st, loc, _ := upload(t, f.browser(), csrf, good); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out: %d %s", st, loc)
		}
		if _, err := f.store.DocumentBySlug(ctx, "ministry-letter"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused upload was published: %v", err)
		}

		// A tampered bundle: its reason on the page, nothing published.
		bad := bytes.Clone(good)
		i := bytes.LastIndex(bad, []byte("bridge"))
		copy(bad[i:], "BRIDGE")
		st, _, body := upload(t, br, csrf, bad)
		if st != http.StatusBadRequest || !strings.Contains(body, "nothing of it was published") || !strings.Contains(body, "SHA256SUMS does not match") {
			t.Fatalf("tampered: %d %s", st, body)
		}
		if _, err := f.store.DocumentBySlug(ctx, "ministry-letter"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a tampered upload was published: %v", err)
		}

		st, loc, _ := upload(t, br, csrf, good)
		if st != http.StatusSeeOther || loc != "/stories?document=ministry-letter" {
			t.Fatalf("upload: %d %s", st, loc)
		}
		if _, err := f.store.DocumentBySlug(ctx, "ministry-letter"); err != nil {
			t.Fatal(err)
		}
		listed := br.Get(loc).Body
		if !strings.Contains(listed, "Published: <code>/documents/ministry-letter</code>") || !strings.Contains(listed, "{{&lt; excerpt ministry-letter &gt;}}") {
			t.Errorf("the stories page does not list the document:\n%s", listed)
		}
		if st, _, _ := upload(t, br, csrf, good); st != http.StatusSeeOther {
			t.Fatalf("upload again: %d", st)
		}
		entries, _ := f.store.AuditLog(ctx, 10)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" "+e.Detail)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "publish document ministry-letter") || !strings.Contains(got, "update document ministry-letter") {
			t.Errorf("audit: %s", got)
		}

		// The editor refuses to publish a story citing a document not on the site.
		form := url.Values{"title": {"Bridge"}, "author_name": {"Anna"}, "body": {"Intro.\n\n{{< excerpt nowhere >}}"}, "op": {"publish"}}
		if p := br.Post("/stories/new", "/stories", form); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "line 3: no document &#34;nowhere&#34; is published") {
			t.Errorf("editor citing an unknown document: %d %s", p.Status, p.Body)
		}
		form.Set("body", "Intro.\n\n{{< excerpt ministry-letter >}}")
		if p := br.Post("/stories/new", "/stories", form); p.Status != http.StatusSeeOther {
			t.Errorf("editor citing a published document: %d", p.Status)
		}
	})
}
