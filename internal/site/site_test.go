package site

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/web"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	store  *store.DB
	outbox string
	clock  *clock
	story  store.Story
}

func newFixture(t *testing.T, b storetest.Backend) *fixture {
	st, _ := b.Open(t)
	c := &clock{t: time.Now()}
	f := &fixture{t: t, store: st, outbox: filepath.Join(t.TempDir(), "outbox"), clock: c}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(Config{Store: st, Log: log, Mail: Outbox{Dir: f.outbox, Log: log}, Params: seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	f.story, err = st.SaveStory(context.Background(), store.Story{Slug: "river-money", Title: "Where the <river> money went", Standfirst: "Ledgers.",
		Body: "The **ledgers**.", PullQuotes: []string{"Nobody signed."}, Author: store.Author{Slug: "anna", Name: "Anna", Bio: "Covers money."},
		Tags: []string{"money"}, State: store.StoryPublished, Published: c.now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

type page struct {
	status int
	body   string
	loc    string
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: f.t, base: f.ts.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(p string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + p)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header.Get("Location")}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) post(from, p string, form url.Values) page {
	b.t.Helper()
	if m := csrfRe.FindStringSubmatch(b.get(from).body); m != nil {
		form.Set("csrf", m[1])
	}
	resp, err := b.c.PostForm(b.base+p, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header.Get("Location")}
}

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
	r := b.post("/register", "/register", url.Values{"email": {email}, "name": {name}, "passphrase": {"correct horse battery"}})
	if r.status != 200 || !strings.Contains(r.body, "Check your email") {
		f.t.Fatalf("register: %d %s", r.status, r.body)
	}
	if v := b.get(f.lastLink()); v.status != http.StatusSeeOther {
		f.t.Fatalf("verify: %d", v.status)
	}
	return b
}

func TestResetLinkIgnoresHostHeader(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.srv.cfg.BaseURL = "https://news.example"
	f.reader("v@example.org", "V")
	b := f.browser()
	m := csrfRe.FindStringSubmatch(b.get("/reset").body)
	req, _ := http.NewRequest("POST", f.ts.URL+"/reset", strings.NewReader(url.Values{"email": {"v@example.org"}, "csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	base, _ := url.Parse(f.ts.URL)
	for _, c := range b.c.Jar.Cookies(base) {
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
		r := f.browser().get(p)
		if !strings.Contains(r.body, `<a href="/dropbox">Secure dropbox: Tell us in confidence</a>`) || !strings.Contains(r.body, "DEMO MODE") {
			t.Errorf("%s (%d) lacks the dropbox link or the demo banner", p, r.status)
		}
		if strings.Contains(r.body, "<script") || regexp.MustCompile(`src="https?://|<link[^>]+href="https?://[^"]*\.(css|js)`).MatchString(r.body) {
			t.Errorf("%s loads a script or a third-party resource", p)
		}
	}
	if r := f.browser().get("/dropbox"); !strings.Contains(r.body, "not published yet") {
		t.Fatal("no onion yet, but the page does not say so")
	}
	f.srv.cfg.Onion = func() string { return "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion" }
	if r := f.browser().get("/dropbox"); !strings.Contains(r.body, "abcdefghij") || !strings.Contains(r.body, "Tor Browser") {
		t.Fatal("the onion address or the safety steps are missing")
	}
	h := f.browser()
	resp, _ := h.c.Get(f.ts.URL + "/stories/river-money")
	if resp.Header.Get("Content-Security-Policy") != web.CSP || len(resp.Cookies()) != 0 {
		t.Fatalf("story page: CSP %q, cookies %v", resp.Header.Get("Content-Security-Policy"), resp.Cookies())
	}
}

func TestStoryPageFeedAndRepublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		p := f.browser().get("/stories/river-money")
		for _, want := range []string{"Where the &lt;river&gt; money went", `<link rel="canonical" href="` + f.ts.URL + `/stories/river-money">`, "Ledgers.", `class="pullquote">Nobody signed.`, `href="/authors/anna"`, "Covers money.", "<strong>ledgers</strong>", "To comment on this article, please register"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("story page lacks %q", want)
			}
		}
		f.store.SaveStory(ctx, store.Story{Slug: "draft", Title: "Secret draft", Author: store.Author{Slug: "anna", Name: "Anna"}, State: store.StoryDraft, Published: f.clock.now()})
		if r := f.browser().get("/stories/draft"); r.status != http.StatusNotFound {
			t.Fatalf("a draft is public: %d", r.status)
		}
		// Re-publishing the slug updates the story; it is listed once.
		again := f.story
		again.Title = "Where the river money went, updated"
		f.store.SaveStory(ctx, again)
		home := f.browser().get("/").body
		if strings.Count(home, "/stories/river-money") != 1 || !strings.Contains(home, "updated") {
			t.Fatal("re-publishing duplicated or did not update the story")
		}
		feed := f.browser().get("/feed.atom").body
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
		if err := xml.Unmarshal([]byte(f.browser().get("/sitemap.xml").body), &sm); err != nil || len(sm.URLs) != 4 {
			t.Fatalf("sitemap %+v %v", sm, err)
		}
		if r := f.browser().get("/tags/money"); !strings.Contains(r.body, "river-money") {
			t.Fatal("tag page")
		}
		if r := f.browser().get("/authors/anna"); !strings.Contains(r.body, "Covers money.") {
			t.Fatal("author page")
		}
	})
}

func TestCommentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		anon := f.browser()
		anon.get("/stories/river-money") // primes the one-second cache
		rb := f.reader("reader@example.org", `Eve <script>alert(1)</script>`)
		r := rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"Great work. <script>alert(2)</script> [x](javascript:alert(3))"}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "notice=pending") {
			t.Fatalf("comment: %d %s", r.status, r.loc)
		}
		mine := rb.get("/stories/river-money").body
		if !strings.Contains(mine, "Great work.") || !strings.Contains(mine, "awaiting moderation") {
			t.Fatal("the author does not see their pending comment")
		}
		if strings.Contains(mine, "<script>alert") || strings.Contains(mine, `href="javascript`) || !strings.Contains(mine, "Eve &lt;script&gt;") {
			t.Fatal("XSS got through")
		}
		if strings.Contains(anon.get("/stories/river-money").body, "Great work.") {
			t.Fatal("a pending comment is public")
		}
		cs, _ := f.store.CommentsByState(ctx, store.CommentPending)
		if len(cs) != 1 {
			t.Fatalf("%d pending", len(cs))
		}
		f.store.SetCommentState(ctx, cs[0].ID, store.CommentApproved)
		f.clock.advance(cacheTTL)
		if !strings.Contains(anon.get("/stories/river-money").body, "Great work.") {
			t.Fatal("an approved comment is not public a cache period later")
		}
		// Replies are one level deep: a reply to a reply answers the parent.
		rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"first reply"}, "parent": {cs[0].ID}})
		all, _ := f.store.StoryComments(ctx, f.story.ID, cs[0].ReaderID)
		rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"nested"}, "parent": {all[1].ID}})
		all, _ = f.store.StoryComments(ctx, f.story.ID, cs[0].ReaderID)
		if len(all) != 3 || all[2].ParentID != cs[0].ID {
			t.Fatalf("replies: %+v", all)
		}
		// Edit within the window, not after; delete own; report another's.
		if r := rb.post("/stories/river-money", "/comments/"+cs[0].ID+"/edit", url.Values{"body": {"Great work, edited."}}); r.status != http.StatusSeeOther {
			t.Fatalf("edit: %d", r.status)
		}
		f.clock.advance(editWindow)
		if r := rb.post("/stories/river-money", "/comments/"+cs[0].ID+"/edit", url.Values{"body": {"too late"}}); r.status != http.StatusForbidden {
			t.Fatalf("late edit: %d", r.status)
		}
		other := f.reader("other@example.org", "Other")
		if r := other.post("/stories/river-money", "/comments/"+cs[0].ID+"/delete", url.Values{}); r.status != http.StatusNotFound {
			t.Fatalf("deleting another's comment: %d", r.status)
		}
		other.post("/stories/river-money", "/comments/"+cs[0].ID+"/report", url.Values{})
		if rep, _ := f.store.ReportedComments(ctx); len(rep) != 1 {
			t.Fatal("report not recorded")
		}
		if r := rb.post("/stories/river-money", "/comments/"+all[1].ID+"/delete", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("delete own: %d", r.status)
		}
		// Trusted after enough approvals: posts go straight up.
		rd, _ := f.store.ReaderByEmail(ctx, "reader@example.org")
		rd.Approved = 3
		f.store.UpdateReader(ctx, rd)
		f.clock.advance(time.Hour)
		if r := rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"trusted now"}}); !strings.Contains(r.loc, "notice=posted") {
			t.Fatalf("trusted reader: %s", r.loc)
		}
		// Banned readers cannot comment; closed stories take no comments.
		rd, _ = f.store.ReaderByEmail(ctx, "other@example.org")
		rd.Banned = true
		f.store.UpdateReader(ctx, rd)
		if r := other.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"x"}}); r.status != http.StatusForbidden {
			t.Fatalf("banned reader: %d", r.status)
		}
		f.store.SetCommentsClosed(ctx, f.story.ID, true)
		if r := rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"x"}}); r.status != http.StatusForbidden {
			t.Fatalf("closed story: %d", r.status)
		}
		f.store.SetCommentsClosed(ctx, f.story.ID, false)
		// Rate limit per reader.
		for i := 0; i < perReader; i++ {
			rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"spam"}})
		}
		if r := rb.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"spam"}}); r.status != http.StatusTooManyRequests {
			t.Fatalf("rate limit: %d", r.status)
		}
	})
}

func TestReaderAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		// CSRF: a form posted without the token is refused.
		if r, _ := f.browser().c.PostForm(f.ts.URL+"/register", url.Values{"email": {"x@example.org"}, "name": {"X"}, "passphrase": {"long enough pass"}}); r.StatusCode != http.StatusForbidden {
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
			if r := f.browser().post("/register", "/register", bad); r.status != http.StatusBadRequest {
				t.Errorf("%v: %d", bad, r.status)
			}
		}
		// An unverified reader cannot sign in (the link is sent again), nor
		// comment even with a session.
		u := f.browser()
		u.post("/register", "/register", url.Values{"email": {"u@example.org"}, "name": {"U"}, "passphrase": {"long enough pass"}})
		if r := u.post("/login", "/login", url.Values{"email": {"u@example.org"}, "passphrase": {"long enough pass"}}); r.status != http.StatusForbidden {
			t.Fatalf("unverified login: %d", r.status)
		}
		rd, _ := f.store.ReaderByEmail(ctx, "u@example.org")
		tok, hash := web.NewToken()
		f.store.CreateReaderToken(ctx, hash, rd.ID, tokenSession, f.clock.now().Add(time.Hour))
		base, _ := url.Parse(f.ts.URL)
		u.c.Jar.SetCookies(base, []*http.Cookie{{Name: readerCookie, Value: tok}})
		if r := u.post("/stories/river-money", "/stories/river-money/comments", url.Values{"body": {"hi"}}); r.status != http.StatusForbidden {
			t.Fatalf("unverified comment: %d", r.status)
		}
		// Registering a taken address says the same as a new one.
		if r := f.browser().post("/register", "/register", url.Values{"email": {"u@example.org"}, "name": {"U2"}, "passphrase": {"another long pass"}}); r.status != 200 || !strings.Contains(r.body, "Check your email") {
			t.Fatal("a taken address is revealed")
		}
		// Sign in, lock-out, reset by mail.
		v := f.reader("v@example.org", "V")
		v.post("/", "/logout", url.Values{})
		if r := v.get("/stories/river-money"); !strings.Contains(r.body, "please register") {
			t.Fatal("still signed in after logout")
		}
		if r := v.post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}}); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		for i := 0; i < 5; i++ {
			f.browser().post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"wrong wrong wrong"}})
		}
		if r := f.browser().post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"correct horse battery"}}); r.status != http.StatusTooManyRequests {
			t.Fatalf("locked account: %d", r.status)
		}
		f.browser().post("/reset", "/reset", url.Values{"email": {"v@example.org"}})
		link := f.lastLink()
		w := f.browser()
		tokv, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		if r := w.post(link, "/reset/confirm", url.Values{"token": {tokv.Get("token")}, "passphrase": {"a brand new passphrase"}}); r.status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.status, r.body)
		}
		if r := f.browser().post("/login", "/login", url.Values{"email": {"v@example.org"}, "passphrase": {"a brand new passphrase"}}); r.status != http.StatusSeeOther {
			t.Fatalf("login after reset: %d", r.status)
		}
		if r := f.browser().post(link, "/reset/confirm", url.Values{"token": {tokv.Get("token")}, "passphrase": {"yet another passphrase"}}); r.status != http.StatusBadRequest {
			t.Fatalf("reset link reused: %d", r.status)
		}
	})
}
