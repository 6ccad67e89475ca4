package archive

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/auth/authtest"
	"confide/internal/seal"
)

// webZone is an archive with a trove and a PDF ingested in "kgb", a trove
// in "gulag", and its web zone on a test server.
type webZone struct {
	a  *Archive
	ts *httptest.Server
}

func newWebZone(t *testing.T, c Config) *webZone {
	a := open(t, c)
	root := trove(t)
	pdf, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", "ru-text.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, root, "protocol.pdf", pdf)
	ingestAll(t, a, "kgb", root)
	other := filepath.Join(t.TempDir(), "other")
	write(t, other, "secret.txt", []byte("Секретные архивы лагерей."))
	ingestAll(t, a, "gulag", other)
	srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &webZone{a: a, ts: ts}
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	t *testing.T
	z *webZone
	c *http.Client
}

func (z *webZone) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, z: z, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Get(b.z.ts.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) post(path, page string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if m := csrfField.FindStringSubmatch(page); m != nil && form.Get("csrf") == "" {
		form.Set("csrf", m[1])
	}
	res, err := b.c.PostForm(b.z.ts.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

// user adds an account and signs it in through the pages: the first
// sign-in sets up the code from the QR page's secret.
func (z *webZone) user(t *testing.T, name, role string, collections ...string) *browser {
	b, _, _ := z.signUp(t, name, role, collections...)
	return b
}

// signUp is user, and also returns the passphrase and the TOTP secret.
func (z *webZone) signUp(t *testing.T, name, role string, collections ...string) (b *browser, pass, totpSecret string) {
	creds, err := z.a.AddUser(context.Background(), Issuer, name, role, collections, authtest.Params)
	if err != nil {
		t.Fatal(err)
	}
	b = z.browser(t)
	_, page := b.get("/login")
	res, _ := b.post("/login", page, url.Values{"name": {name}, "passphrase": {creds.Passphrase}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/setup" {
		t.Fatalf("first sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, page = b.get("/setup")
	secret := regexp.MustCompile(`<code id="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if res.StatusCode != 200 || secret == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("setup page %d: %s", res.StatusCode, page)
	}
	code, err := seal.TOTPCode(secret[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := b.post("/setup", page, url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("setup: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return b, creds.Passphrase, secret[1]
}

func (z *webZone) audited(t *testing.T, who, action, detail string) bool {
	t.Helper()
	es, err := z.a.AuditLog(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Who == who && e.Action == action && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func (z *webZone) docID(t *testing.T, path string) string {
	t.Helper()
	var id string
	if err := z.a.db.sql.QueryRow(z.a.db.q(`SELECT id FROM archive_documents WHERE path = ? OR path LIKE ?`), path, "%/"+path).Scan(&id); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return id
}

func TestWebSignIn(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		anon := z.browser(t)
		res, _ := anon.get("/search?q=архивы")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape("/search?q=архивы") {
			t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, page := anon.get("/login")
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("Cache-Control") != "no-store" || strings.Contains(page, "<script") {
			t.Fatalf("login headers %v", res.Header)
		}
		var csrfCookie bool
		for _, ck := range res.Cookies() {
			csrfCookie = csrfCookie || ck.Name == CSRFCookie && ck.HttpOnly && ck.SameSite == http.SameSiteStrictMode
		}
		if !csrfCookie {
			t.Fatalf("no archive_csrf cookie: %v", res.Header.Values("Set-Cookie"))
		}
		creds, err := z.a.AddUser(context.Background(), Issuer, "ann", RoleJournalist, []string{"kgb"}, authtest.Params)
		if err != nil {
			t.Fatal(err)
		}
		// Without the form's token nothing is checked.
		if res, body := anon.post("/login", "", url.Values{"name": {"ann"}, "passphrase": {creds.Passphrase}, "csrf": {strings.Repeat("x", 43)}}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "expired") {
			t.Fatalf("forged form: %d", res.StatusCode)
		}
		if a, _ := z.a.Accounts().AccountByName(context.Background(), "ann"); a.Failures != 0 {
			t.Fatalf("a forged form was checked: %+v", a)
		}
		if res, body := anon.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {"wrong"}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-error"`) || !strings.Contains(body, `value="ann"`) {
			t.Fatalf("wrong passphrase: %d", res.StatusCode)
		}
		if !z.audited(t, "ann", "login failed", "") {
			t.Fatal("the failed sign-in was not audited")
		}
		b := z.user(t, "bob", RoleAdmin)
		res, home := b.get("/")
		if res.StatusCode != 200 || !strings.Contains(home, `href="/collections/kgb"`) || !strings.Contains(home, `href="/audit"`) ||
			strings.Contains(home, "no record of who visits") || !strings.Contains(home, "records who views") {
			t.Fatalf("home %d: %s", res.StatusCode, home)
		}
		var session *http.Cookie
		u, _ := url.Parse(z.ts.URL)
		for _, ck := range b.c.Jar.Cookies(u) {
			if ck.Name == SessionCookie {
				session = ck
			}
		}
		if session == nil {
			t.Fatal("no archive_session cookie")
		}
		// Signing out ends the session on the server: its cookie opens nothing.
		if res, _ := b.post("/logout", home, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		replay := z.browser(t)
		replay.c.Jar.SetCookies(u, []*http.Cookie{session})
		if res, _ := replay.get("/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a logged-out session still opens pages: %d", res.StatusCode)
		}
		if !z.audited(t, "bob", "login", "web") || !z.audited(t, "bob", "logout", "") {
			t.Fatal("sign-in and sign-out are not audited")
		}
	})
}

func TestWebAccess(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		tanya := z.user(t, "tanya", RoleTranslator, "kgb")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		admin := z.user(t, "boss", RoleAdmin)
		pdf, secret := z.docID(t, "protocol.pdf"), z.docID(t, "secret.txt")

		// Searches see only granted collections, and are audited.
		_, page := tanya.get("/search?q=архивы")
		if strings.Contains(page, "secret.txt") || !strings.Contains(page, "/a.txt</a>") || strings.Contains(page, "collection:gulag") {
			t.Fatalf("translator's search: %s", page)
		}
		if _, page := admin.get("/search?q=архивы"); !strings.Contains(page, "secret.txt") || !strings.Contains(page, "<mark>") {
			t.Fatalf("admin's search: %s", page)
		}
		if !z.audited(t, "tanya", "search", "архивы") {
			t.Fatal("search not audited")
		}
		for _, p := range []string{"/documents/" + secret, "/documents/" + secret + "/original", "/collections/gulag"} {
			if res, _ := tanya.get(p); res.StatusCode != http.StatusNotFound {
				t.Fatalf("translator GET %s: %d", p, res.StatusCode)
			}
			if res, _ := ann.get(p); res.StatusCode != http.StatusNotFound {
				t.Fatalf("journalist GET %s: %d", p, res.StatusCode)
			}
		}
		if res, _ := admin.get("/documents/" + secret); res.StatusCode != 200 {
			t.Fatalf("admin reads gulag: %d", res.StatusCode)
		}

		// A translator reads the document but cannot download its original.
		res, page := tanya.get("/documents/" + pdf)
		if res.StatusCode != 200 || !strings.Contains(page, "Протокол заседания") || strings.Contains(page, `id="download"`) {
			t.Fatalf("translator's document page %d: %s", res.StatusCode, page)
		}
		if res, _ := tanya.get("/documents/" + pdf + "/original"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("translator downloads the original: %d", res.StatusCode)
		}
		if !z.audited(t, "tanya", "view document", "kgb/trove/protocol.pdf") || !z.audited(t, "tanya", "download refused", "protocol.pdf") {
			t.Fatal("view and refusal not audited")
		}
		// A journalist downloads it, byte for byte, and that is audited.
		_, page = ann.get("/documents/" + pdf)
		if !strings.Contains(page, `id="download"`) || !strings.Contains(page, `src="/documents/`+pdf+`/pages/1/image"`) {
			t.Fatalf("journalist's document page: %s", page)
		}
		res, body := ann.get("/documents/" + pdf + "/original")
		want, _ := os.ReadFile(filepath.Join("..", "ingest", "testdata", "ru-text.pdf"))
		if res.StatusCode != 200 || body != string(want) || !strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename=protocol.pdf`) {
			t.Fatalf("download %d %v (%d bytes)", res.StatusCode, res.Header, len(body))
		}
		if !z.audited(t, "ann", "download original", "kgb/trove/protocol.pdf") {
			t.Fatal("download not audited")
		}
		// The audit log is the admin's.
		if res, _ := ann.get("/audit"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("journalist reads the audit log: %d", res.StatusCode)
		}
		if res, page := admin.get("/audit"); res.StatusCode != 200 || !strings.Contains(page, "download original") || !strings.Contains(page, "tanya") {
			t.Fatalf("audit page %d", res.StatusCode)
		}
	})
}

func TestWebReading(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		res, img := ann.get("/documents/" + pdf + "/pages/1/image")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img, "\x89PNG") {
			t.Fatalf("page image %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res, _ := ann.get("/documents/" + pdf + "/pages/2/image"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a page past the end: %d", res.StatusCode)
		}
		// Rendering made no file outside the process's own temporary folder.
		if n := files(t, filepath.Join(c.Dir, "tmp")); n > 2 {
			t.Fatalf("%d files left in tmp/", n)
		}
		// A zip member: its tree links up to the zip; its text has no image.
		note := z.docID(t, "letters.zip/1989/note.txt")
		_, page := ann.get("/documents/" + note)
		if !strings.Contains(page, "Справка из архива") || !strings.Contains(page, `href="/documents/`+z.docID(t, "letters.zip")+`"`) || strings.Contains(page, `id="page-image"`) {
			t.Fatalf("member page: %s", page)
		}
		// The collection page lists failures with their reasons.
		_, page = ann.get("/collections/kgb")
		if !strings.Contains(page, "broken.zip") || !strings.Contains(page, "Failures (1)") {
			t.Fatalf("collection page: %s", page)
		}
		// Facets narrow the query; a bad query says why.
		_, page = ann.get("/search?q=архивы")
		if !strings.Contains(page, `href="/search?q=%D0%B0%D1%80%D1%85%D0%B8%D0%B2%D1%8B&#43;collection%3Akgb"`) || !strings.Contains(page, `id="total"`) {
			t.Fatalf("facets: %s", page)
		}
		if res, page := ann.get("/search?q=" + url.QueryEscape(`"unclosed`)); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="query-error"`) {
			t.Fatalf("bad query %d: %s", res.StatusCode, page)
		}
	})
}

// Deep paging: page links reach the last page, and its hits are the last.
func TestWebSearchPages(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		root := filepath.Join(t.TempDir(), "many")
		for i := range 45 {
			write(t, root, "f"+strings.Repeat("0", 3-len(strconv.Itoa(i)))+strconv.Itoa(i)+".txt", []byte("архивы номер "+strconv.Itoa(i)))
		}
		ingestAll(t, a, "kgb", root)
		srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		z := &webZone{a: a, ts: ts}
		b := z.user(t, "ann", RoleJournalist, "kgb")
		_, page := b.get("/search?q=архивы")
		if !strings.Contains(page, "45 documents, 1–20 shown") || !strings.Contains(page, `page=3">3</a>`) || !strings.Contains(page, `rel="next"`) {
			t.Fatalf("first page: %s", page)
		}
		_, page = b.get("/search?q=архивы&page=3")
		if !strings.Contains(page, "41–45 shown") || strings.Count(page, `class="hit"`) != 5 || strings.Contains(page, `rel="next"`) {
			t.Fatalf("last page: %s", page)
		}
	})
}

// A scan: its page image is the PNG original itself, beside the OCR text
// and its confidence.
func TestWebScannedPage(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		c.NoOCR = false
		a := open(t, c)
		png, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", "en.png"))
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(t.TempDir(), "scans")
		write(t, root, "scan.png", png)
		ingestAll(t, a, "kgb", root)
		srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		z := &webZone{a: a, ts: ts}
		b := z.user(t, "tanya", RoleTranslator, "kgb")
		id := z.docID(t, "scan.png")
		_, page := b.get("/documents/" + id)
		if !strings.Contains(page, "committee") || !regexp.MustCompile(`OCR, confidence [0-9]+ %`).MatchString(page) || !strings.Contains(page, `id="page-image"`) {
			t.Fatalf("scan page: %s", page)
		}
		res, img := b.get("/documents/" + id + "/pages/1/image")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || img != string(png) {
			t.Fatalf("scan image %d %s (%d bytes)", res.StatusCode, res.Header.Get("Content-Type"), len(img))
		}
	})
}
