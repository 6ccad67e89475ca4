package site

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confide/internal/bundle/bundletest"
	"confide/internal/store"
	"confide/internal/store/sqlite"
	"confide/internal/web"
)

// BenchmarkStoryPage renders a story with 200 comments: anonymously (from
// the one-second cache) and for a signed-in reader (rendered every time).
func BenchmarkStoryPage(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "confide.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv, err := New(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	s, err := st.SaveStory(ctx, store.Story{Slug: "s", Title: "T", Body: strings.Repeat("Reporting, **emphasis**, a [link](https://example.org/).\n\n", 30),
		Author: store.Author{Slug: "a", Name: "A"}, State: store.StoryPublished, Published: time.Now().Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		rd := store.Reader{ID: store.NewID(), Email: fmt.Sprintf("r%d@example.org", i), Name: fmt.Sprintf("Reader %d", i), PassHash: "x", Verified: true}
		st.CreateReader(ctx, rd)
		st.AddComment(ctx, store.Comment{ID: store.NewID(), StoryID: s.ID, ReaderID: rd.ID, Body: fmt.Sprintf("Comment %d: *thoughtful* remarks.", i),
			State: store.CommentApproved, Created: time.Now().Add(-time.Duration(200-i) * time.Minute)})
	}
	tok, hash := web.NewToken()
	rd := store.Reader{ID: store.NewID(), Email: "me@example.org", Name: "Me", PassHash: "x", Verified: true}
	st.CreateReader(ctx, rd)
	st.CreateReaderToken(ctx, hash, rd.ID, tokenSession, time.Now().Add(time.Hour))
	h := srv.Handler()
	get := func(b *testing.B, cookie string) {
		r := httptest.NewRequest("GET", "/stories/s", nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: readerCookie, Value: cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Comment 199") {
			b.Fatalf("%d", w.Code)
		}
	}
	b.Run("anonymous", func(b *testing.B) {
		for b.Loop() {
			get(b, "")
		}
	})
	// As a server answers: a fresh header map and a writer that keeps
	// nothing, so only the site's own per-request work is measured.
	b.Run("anonymous-serve", func(b *testing.B) {
		r := httptest.NewRequest("GET", "/stories/s", nil)
		r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		b.ReportAllocs()
		for b.Loop() {
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, r)
			if w.status != 0 && w.status != http.StatusOK || w.n < 10000 {
				b.Fatalf("%d, %d bytes", w.status, w.n)
			}
		}
	})
	b.Run("signed-in", func(b *testing.B) {
		for b.Loop() {
			get(b, tok)
		}
	})
}

// discardWriter is a ResponseWriter that counts what it is given.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }
func (d *discardWriter) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// BenchmarkStoryBodyCiting renders a story's body as a page render does,
// without and with two citations (one document lookup each), to show what
// citing costs a render; the anonymous page is cached either way.
func BenchmarkStoryBodyCiting(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "confide.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	pub, err := OpenPublished(filepath.Join(b.TempDir(), "published"))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Published: pub})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := pub.Publish(ctx, st, bytes.NewReader(bundletest.Bytes(b, bundletest.Options{Slug: "letter", Pages: 3}))); err != nil {
		b.Fatal(err)
	}
	plain := strings.Repeat("Reporting, **emphasis**, a [link](https://example.org/).\n\n", 30)
	for _, c := range []struct{ name, body string }{
		{"plain", plain},
		{"two citations", plain + "{{< excerpt letter >}}\n\n" + plain + "{{< document letter >}}\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := srv.renderStory(ctx, store.Story{Body: c.body}, "en"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
