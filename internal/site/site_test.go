package site

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/story"
	"confide/internal/web"
	"confide/internal/web/webtest"
)

type fixture struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	store  *store.DB
	outbox string
	clock  *webtest.Clock
	story  store.Story
	pub    *Published
}

func newFixture(t *testing.T, b storetest.Backend) *fixture {
	st, _ := b.Open(t)
	c := webtest.NewClock(time.Now())
	f := &fixture{t: t, store: st, outbox: filepath.Join(t.TempDir(), "outbox"), clock: c}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub, err := OpenPublished(filepath.Join(t.TempDir(), "published"))
	if err != nil {
		t.Fatal(err)
	}
	f.pub = pub
	srv, err := New(Config{Store: st, Log: log, Mail: Outbox{Dir: f.outbox, Log: log}, Params: seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}, Now: c.Now, Published: pub})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	f.story, err = st.SaveStory(context.Background(), store.Story{Slug: "river-money", Title: "Where the <river> money went", Standfirst: "Ledgers.",
		Body: "The **ledgers**.", PullQuotes: []string{"Nobody signed."}, Author: store.Author{Slug: "anna", Name: "Anna", Bio: "Covers money."},
		Tags: []string{"money"}, State: store.StoryPublished, Published: c.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// browser is a visitor of the site.
type browser = webtest.Browser

func (f *fixture) browser() *browser { return webtest.New(f.t, f.ts.URL) }

var csrfRe = webtest.CSRFPattern

// lastLink reads the newest mail in the outbox and returns its link path.
func (f *fixture) lastLink() string {
	f.t.Helper()
	ents, _ := os.ReadDir(f.outbox)
	if len(ents) == 0 {
		f.t.Fatal("no mail in the outbox")
	}
	b, _ := os.ReadFile(filepath.Join(f.outbox, ents[len(ents)-1].Name()))
	m := regexp.MustCompile(`https?://[^/\s]+(/\S+)`).FindStringSubmatch(string(b))
	if m == nil {
		f.t.Fatalf("no link in %q", b)
	}
	return m[1]
}

// reader registers and verifies a reader and returns their browser.
func (f *fixture) reader(email, name string) *browser {
	f.t.Helper()
	b := f.browser()
	r := b.Post("/register", "/register", url.Values{"email": {email}, "name": {name}, "passphrase": {"correct horse battery"}})
	if r.Status != 200 || !strings.Contains(r.Body, "Check your email") {
		f.t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	if v := b.Get(f.lastLink()); v.Status != http.StatusSeeOther {
		f.t.Fatalf("verify: %d", v.Status)
	}
	return b
}

func TestResetLinkIgnoresHostHeader(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.srv.cfg.BaseURL = "https://news.example"
	f.reader("v@example.org", "V")
	b := f.browser()
	m := csrfRe.FindStringSubmatch(b.Get("/reset").Body)
	req, _ := http.NewRequest("POST", f.ts.URL+"/reset", strings.NewReader(url.Values{"email": {"v@example.org"}, "csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	base, _ := url.Parse(f.ts.URL)
	for _, c := range b.Client.Jar.Cookies(base) {
		req.AddCookie(c) // the jar goes by the Host header, which is forged here
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset request: %d", resp.StatusCode)
	}
	ents, _ := os.ReadDir(f.outbox)
	mail, _ := os.ReadFile(filepath.Join(f.outbox, ents[len(ents)-1].Name()))
	if !strings.Contains(string(mail), "https://news.example/reset/confirm?token=") || strings.Contains(string(mail), "evil.example") {
		t.Fatalf("reset mail: %s", mail)
	}
}

func TestEveryPageLinksTheDropbox(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.srv.cfg.Demo = true
	for _, p := range []string{"/", "/dropbox", "/stories/river-money", "/tags/money", "/authors/anna", "/register", "/login", "/no-such-page"} {
		r := f.browser().Get(p)
		if !strings.Contains(r.Body, `<a href="/dropbox">Secure dropbox: Tell us in confidence</a>`) || !strings.Contains(r.Body, "DEMO MODE") {
			t.Errorf("%s (%d) lacks the dropbox link or the demo banner", p, r.Status)
		}
		if strings.Contains(r.Body, "<script") || regexp.MustCompile(`src="https?://|<link[^>]+href="https?://[^"]*\.(css|js)`).MatchString(r.Body) {
			t.Errorf("%s loads a script or a third-party resource", p)
		}
	}
	if r := f.browser().Get("/dropbox"); !strings.Contains(r.Body, "not published yet") {
		t.Fatal("no onion yet, but the page does not say so")
	}
	f.srv.cfg.Onion = func() string { return "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion" }
	if r := f.browser().Get("/dropbox"); !strings.Contains(r.Body, "abcdefghij") || !strings.Contains(r.Body, "Tor Browser") {
		t.Fatal("the onion address or the safety steps are missing")
	}
	h := f.browser()
	resp, _ := h.Client.Get(f.ts.URL + "/stories/river-money")
	if resp.Header.Get("Content-Security-Policy") != web.CSP || len(resp.Cookies()) != 0 {
		t.Fatalf("story page: CSP %q, cookies %v", resp.Header.Get("Content-Security-Policy"), resp.Cookies())
	}
}

func TestStoryPageFeedAndRepublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		p := f.browser().Get("/stories/river-money")
		for _, want := range []string{"Where the &lt;river&gt; money went", `<link rel="canonical" href="` + f.ts.URL + `/stories/river-money">`, "Ledgers.", `class="pullquote">Nobody signed.`, `href="/authors/anna"`, "Covers money.", "<strong>ledgers</strong>", "To comment on this article, please register"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("story page lacks %q", want)
			}
		}
		f.store.SaveStory(ctx, store.Story{Slug: "draft", Title: "Secret draft", Author: store.Author{Slug: "anna", Name: "Anna"}, State: store.StoryDraft, Published: f.clock.Now()})
		if r := f.browser().Get("/stories/draft"); r.Status != http.StatusNotFound {
			t.Fatalf("a draft is public: %d", r.Status)
		}
		// Re-publishing the slug updates the story; it is listed once.
		again := f.story
		again.Title = "Where the river money went, updated"
		f.store.SaveStory(ctx, again)
		home := f.browser().Get("/").Body
		if strings.Count(home, "/stories/river-money") != 1 || !strings.Contains(home, "updated") {
			t.Fatal("re-publishing duplicated or did not update the story")
		}
		feed := f.browser().Get("/feed.atom").Body
		var parsed struct {
			XMLName xml.Name `xml:"feed"`
			Entries []struct {
				Title string `xml:"title"`
				ID    string `xml:"id"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed), &parsed); err != nil {
			t.Fatalf("feed is not XML: %v", err)
		}
		if parsed.XMLName.Space != "http://www.w3.org/2005/Atom" || len(parsed.Entries) != 1 || !strings.HasSuffix(parsed.Entries[0].ID, "/stories/river-money") {
			t.Fatalf("feed %+v", parsed)
		}
		var sm struct {
			URLs []struct {
				Loc string `xml:"loc"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(f.browser().Get("/sitemap.xml").Body), &sm); err != nil || len(sm.URLs) != 4 {
			t.Fatalf("sitemap %+v %v", sm, err)
		}
		if r := f.browser().Get("/tags/money"); !strings.Contains(r.Body, "river-money") {
			t.Fatal("tag page")
		}
		if r := f.browser().Get("/authors/anna"); !strings.Contains(r.Body, "Covers money.") {
			t.Fatal("author page")
		}
	})
}

func TestCommentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		anon := f.browser()
		anon.Get("/stories/river-money") // primes the one-second cache
		rb := f.reader("reader@example.org", `Eve <script>alert(1)</script>`)
		r := rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"Great work. <script>alert(2)</script> [x](javascript:alert(3))"}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Loc, "notice=pending") {
			t.Fatalf("comment: %d %s", r.Status, r.Loc)
		}
		mine := rb.Get("/stories/river-money").Body
		if !strings.Contains(mine, "Great work.") || !strings.Contains(mine, "awaiting moderation") {
			t.Fatal("the author does not see their pending comment")
		}
		if strings.Contains(mine, "<script>alert") || strings.Contains(mine, `href="javascript`) || !strings.Contains(mine, "Eve &lt;script&gt;") {
			t.Fatal("XSS got through")
		}
		if strings.Contains(anon.Get("/stories/river-money").Body, "Great work.") {
			t.Fatal("a pending comment is public")
		}
		cs, _ := f.store.CommentsByState(ctx, store.CommentPending)
		if len(cs) != 1 {
			t.Fatalf("%d pending", len(cs))
		}
		f.store.SetCommentState(ctx, cs[0].ID, store.CommentApproved)
		f.clock.Advance(cacheTTL)
		if !strings.Contains(anon.Get("/stories/river-money").Body, "Great work.") {
			t.Fatal("an approved comment is not public a cache period later")
		}
		// Replies are one level deep: a reply to a reply answers the parent.
		rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"first reply"}, "parent": {cs[0].ID}})
		all, _ := f.store.StoryComments(ctx, f.story.ID, cs[0].ReaderID)
		rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"nested"}, "parent": {all[1].ID}})
		all, _ = f.store.StoryComments(ctx, f.story.ID, cs[0].ReaderID)
		if len(all) != 3 || all[0].ID != cs[0].ID || all[1].ParentID != cs[0].ID || all[2].ParentID != cs[0].ID {
			t.Fatalf("replies: %+v", all)
		}
		// Edit within the window, not after; delete own; report another's.
		if r := rb.Post("/stories/river-money", "/comments/"+cs[0].ID+"/edit", url.Values{"body": {"Great work, edited."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d", r.Status)
		}
		f.clock.Advance(editWindow)
		if r := rb.Post("/stories/river-money", "/comments/"+cs[0].ID+"/edit", url.Values{"body": {"too late"}}); r.Status != http.StatusForbidden {
			t.Fatalf("late edit: %d", r.Status)
		}
		other := f.reader("other@example.org", "Other")
		if r := other.Post("/stories/river-money", "/comments/"+cs[0].ID+"/delete", url.Values{}); r.Status != http.StatusNotFound {
			t.Fatalf("deleting another's comment: %d", r.Status)
		}
		other.Post("/stories/river-money", "/comments/"+cs[0].ID+"/report", url.Values{})
		if rep, _ := f.store.ReportedComments(ctx); len(rep) != 1 {
			t.Fatal("report not recorded")
		}
		if r := rb.Post("/stories/river-money", "/comments/"+all[1].ID+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete own: %d", r.Status)
		}
		// Trusted after enough approvals: posts go straight up.
		rd, _ := f.store.ReaderByEmail(ctx, "reader@example.org")
		rd.Approved = 3
		f.store.UpdateReader(ctx, rd)
		f.clock.Advance(time.Hour)
		if r := rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"trusted now"}}); !strings.Contains(r.Loc, "notice=posted") {
			t.Fatalf("trusted reader: %s", r.Loc)
		}
		// Banned readers cannot comment; closed stories take no comments.
		rd, _ = f.store.ReaderByEmail(ctx, "other@example.org")
		rd.Banned = true
		f.store.UpdateReader(ctx, rd)
		if r := other.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"x"}}); r.Status != http.StatusForbidden {
			t.Fatalf("banned reader: %d", r.Status)
		}
		f.store.SetCommentsClosed(ctx, f.story.ID, true)
		if r := rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"x"}}); r.Status != http.StatusForbidden {
			t.Fatalf("closed story: %d", r.Status)
		}
		f.store.SetCommentsClosed(ctx, f.story.ID, false)
		// Rate limit per reader.
		for i := 0; i < perReader; i++ {
			rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"spam"}})
		}
		if r := rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"spam"}}); r.Status != http.StatusTooManyRequests {
			t.Fatalf("rate limit: %d", r.Status)
		}
	})
}

func TestReaderAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		// CSRF: a form posted without the token is refused.
		if r, _ := f.browser().Client.PostForm(f.ts.URL+"/register", url.Values{"email": {"x@example.org"}, "name": {"X"}, "passphrase": {"long enough pass"}}); r.StatusCode != http.StatusForbidden {
			t.Fatalf("register without csrf: %d", r.StatusCode)
		}
		if _, err := f.store.ReaderByEmail(ctx, "x@example.org"); err == nil {
			t.Fatal("a forged registration was stored")
		}
		for _, bad := range []url.Values{
			{"email": {"not-an-email"}, "name": {"X"}, "passphrase": {"long enough pass"}},
			{"email": {"x@example.org"}, "name": {""}, "passphrase": {"long enough pass"}},
			{"email": {"x@example.org"}, "name": {"X"}, "passphrase": {"short"}},
		} {
			if r := f.browser().Post("/register", "/register", bad); r.Status != http.StatusBadRequest {
				t.Errorf("%v: %d", bad, r.Status)
			}
		}
		// An unverified reader cannot sign in (the link is sent again), nor
		// comment even with a session.
		u := f.browser()
		u.Post("/register", "/register", url.Values{"email": {"u@example.org"}, "name": {"U"}, "passphrase": {"long enough pass"}})
		if r := u.Post("/login", "/login", url.Values{"email": {"u@example.org"}, "passphrase": {"long enough pass"}}); r.Status != http.StatusForbidden {
			t.Fatalf("unverified login: %d", r.Status)
		}
		rd, _ := f.store.ReaderByEmail(ctx, "u@example.org")
		tok, hash := web.NewToken()
		f.store.CreateReaderToken(ctx, hash, rd.ID, tokenSession, f.clock.Now().Add(time.Hour))
		base, _ := url.Parse(f.ts.URL)
		u.Client.Jar.SetCookies(base, []*http.Cookie{{Name: readerCookie, Value: tok}})
		if r := u.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"hi"}}); r.Status != http.StatusForbidden {
			t.Fatalf("unverified comment: %d", r.Status)
		}
		// Registering a taken address says the same as a new one.
		if r := f.browser().Post("/register", "/register", url.Values{"email": {"u@example.org"}, "name": {"U2"}, "passphrase": {"another long pass"}}); r.Status != 200 || !strings.Contains(r.Body, "Check your email") {
			t.Fatal("a taken address is revealed")
		}
		// Sign in, lock-out, reset by mail.
		v := f.reader("v@example.org", "V")
		v.Post("/", "/logout", url.Values{})
		if r := v.Get("/stories/river-money"); !strings.Contains(r.Body, "please register") {
			t.Fatal("still signed in after logout")
		}
		if r := v.Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		for i := 0; i < 5; i++ {
			f.browser().Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"wrong wrong wrong"}})
		}
		if r := f.browser().Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}}); r.Status != http.StatusTooManyRequests {
			t.Fatalf("locked account: %d", r.Status)
		}
		f.browser().Post("/reset", "/reset", url.Values{"email": {"v@example.org"}})
		link := f.lastLink()
		w := f.browser()
		tokv, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		if r := w.Post(link, "/reset/confirm", url.Values{"token": {tokv.Get("token")}, "passphrase": {"a brand new passphrase"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		if r := f.browser().Post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"a brand new passphrase"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("login after reset: %d", r.Status)
		}
		if r := f.browser().Post(link, "/reset/confirm", url.Values{"token": {tokv.Get("token")}, "passphrase": {"yet another passphrase"}}); r.Status != http.StatusBadRequest {
			t.Fatalf("reset link reused: %d", r.Status)
		}
	})
}

// A reply stored before its parent (same second, or a clock step back)
// still shows under it; a reply whose parent is not shown does not.
func TestThreadOrderIndependent(t *testing.T) {
	now := time.Now()
	cs := []store.Comment{
		{ID: "r1", ParentID: "p1", ReaderID: "me", Body: "reply", Created: now},
		{ID: "p1", ReaderID: "you", Body: "parent", Created: now},
		{ID: "r2", ParentID: "gone", ReaderID: "you", Body: "orphan", Created: now},
	}
	got, n := thread(cs, "me", now, story.RenderComment)
	if n != 2 || len(got) != 1 || got[0].ID != "p1" || len(got[0].Replies) != 1 || got[0].Replies[0].ID != "r1" {
		t.Fatalf("thread: %d %+v", n, got)
	}
	if r := got[0].Replies[0]; !r.Mine || !r.Editable || got[0].Mine {
		t.Fatalf("ownership: %+v", got)
	}
}

// The memo returns what RenderComment does, and stays within its budget.
func TestCommentHTMLMemo(t *testing.T) {
	h := &htmlMemo{maxBytes: 1 << 10}
	for i := range 100 {
		body := fmt.Sprintf("comment %d with a [link](https://example.org/%d) <script>x</script>", i, i)
		if got, want := h.render(body), story.RenderComment(body); got != want {
			t.Fatalf("%q: %q, want %q", body, got, want)
		}
		if again := h.render(body); again != story.RenderComment(body) {
			t.Fatalf("memoised %q: %q", body, again)
		}
		if h.bytes > 2*h.maxBytes {
			t.Fatalf("memo holds %d bytes, budget %d", h.bytes, h.maxBytes)
		}
	}
}

// serverTag is the form of the site's ETags: a quoted base64url hash.
var serverTag = regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`)

// Anonymous story pages carry an ETag (a hash of the page, the same for
// everyone) and answer 304 to a browser that has them; the tag changes
// when an approved comment changes the page. Signed-in pages are never
// stored.
func TestStoryPageRevalidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		anon := f.browser()
		ifNoneMatch := func(etag string) webtest.Page {
			req, _ := http.NewRequest("GET", f.ts.URL+"/stories/river-money", nil)
			req.Header.Set("If-None-Match", etag)
			return anon.Do(req)
		}
		first := anon.Get("/stories/river-money")
		etag := first.Header.Get("ETag")
		if first.Status != http.StatusOK || !serverTag.MatchString(etag) || first.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(first.Header.Get("Vary"), "Cookie") {
			t.Fatalf("first view: %d %v", first.Status, first.Header)
		}
		// The render that fills the cache and a cache hit say the same.
		if again := anon.Get("/stories/river-money"); again.Header.Get("ETag") != etag || again.Body != first.Body {
			t.Fatal("a cache hit differs from the render")
		}
		if r := ifNoneMatch(etag); r.Status != http.StatusNotModified || r.Body != "" {
			t.Fatalf("revalidation: %d %q", r.Status, r.Body)
		}
		if r := ifNoneMatch(`W/"other", ` + etag); r.Status != http.StatusNotModified {
			t.Fatalf("a list with the tag: %d", r.Status)
		}
		if r := ifNoneMatch(`"other"`); r.Status != http.StatusOK || r.Body != first.Body {
			t.Fatalf("another tag: %d", r.Status)
		}
		req, _ := http.NewRequest("GET", f.ts.URL+"/stories/river-money", nil)
		req.Header.Set("Range", "bytes=0-9")
		if r := anon.Do(req); r.Status != http.StatusPartialContent || r.Body != first.Body[:10] {
			t.Fatalf("range: %d %q", r.Status, r.Body)
		}

		rb := f.reader("eve@example.org", "Eve")
		rb.Post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"Fresh remark."}})
		mine := rb.Get("/stories/river-money")
		if mine.Header.Get("ETag") != "" || mine.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("a signed-in page may be stored: %v", mine.Header)
		}
		cs, _ := f.store.CommentsByState(context.Background(), store.CommentPending)
		f.store.SetCommentState(context.Background(), cs[0].ID, store.CommentApproved)
		f.clock.Advance(cacheTTL)
		if r := ifNoneMatch(etag); r.Status != http.StatusOK || !strings.Contains(r.Body, "Fresh remark.") {
			t.Fatalf("after approval: %d", r.Status)
		}
	})
}

// FuzzIfNoneMatch: the header is outside input. Whatever it holds, a
// cached page answers 200 with the whole page or 304 with nothing, and
// never 304 unless the header names the page's tag (or *): a visitor is
// never told to keep a page they do not have.
func FuzzIfNoneMatch(f *testing.F) {
	page := []byte("<p>the page</p>")
	e := (&pageCache{m: map[pageKey]*cached{}}).put(pageKey{slug: "k"}, page, time.Now())
	f.Add(e.etag)
	f.Add(`W/"x", ` + e.etag)
	f.Add(`*`)
	f.Add(`"ab`)
	f.Add(e.etag + `x, "y"`)
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/stories/s", nil)
		r.Header.Set("If-None-Match", header)
		w := httptest.NewRecorder()
		e.serve(w, r)
		switch w.Code {
		case http.StatusOK:
			if w.Body.String() != string(page) || w.Header().Get("ETag") != e.etag {
				t.Fatalf("200 for %q without the page", header)
			}
		case http.StatusNotModified:
			if w.Body.Len() != 0 || !(strings.Contains(header, e.etag) || strings.Contains(header, "*")) {
				t.Fatalf("304 for %q", header)
			}
		default:
			t.Fatalf("%d for %q", w.Code, header)
		}
		if header == e.etag && w.Code != http.StatusNotModified {
			t.Fatalf("the page's own tag got %d", w.Code)
		}
	})
}

// An English story inside a Russian page is marked as English, on the home
// page's list and on its own page, and a Russian story as Russian.
func TestStoriesCarryTheirLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		if _, err := f.store.SaveStory(context.Background(), store.Story{Slug: "reka", Title: "Река", Body: "Текст.", Author: store.Author{Slug: "anna", Name: "Anna"},
			State: store.StoryPublished, Published: f.clock.Now().Add(-time.Minute), Lang: "ru"}); err != nil {
			t.Fatal(err)
		}
		br := f.browser()
		home := br.Get("/?lang=ru")
		if !strings.Contains(home.Body, `<html lang="ru">`) || !strings.Contains(home.Body, `<li lang="en"><a href="/stories/river-money">`) || !strings.Contains(home.Body, `<li lang="ru"><a href="/stories/reka">`) {
			t.Fatalf("home: %s", home.Body)
		}
		page := br.Get("/stories/river-money")
		if !strings.Contains(page.Body, `<html lang="ru">`) || !strings.Contains(page.Body, `<article class="story" lang="en">`) {
			t.Fatalf("story: %s", page.Body)
		}
		if feed := br.Get("/feed.atom").Body; !strings.Contains(feed, `<entry xml:lang="ru"><title>Река</title>`) || !strings.Contains(feed, `<entry xml:lang="en"><title>Where the &lt;river&gt; money went</title>`) {
			t.Fatalf("feed: %s", feed)
		}
	})
}
