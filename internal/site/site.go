package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

//go:embed templates/*.html templates/*.tmpl
var templates embed.FS

// Config is what the public site needs.
type Config struct {
	Store store.Store
	Log   *slog.Logger
	Demo  bool
	// Onion returns the dropbox's onion address, or "" while there is none.
	Onion func() string
	// DropboxURL is the local dropbox's address, shown on the dropbox page
	// in demo mode only, where there is no onion address to publish.
	DropboxURL string
	// Mail sends verification and reset links.
	Mail Mailer
	// BaseURL is the site's public address, for links in mail, the feed,
	// the sitemap and canonical URLs. confide serve always sets it; the
	// request's Host header, which a visitor controls, is used only when it
	// is empty (tests).
	BaseURL string
	// Params is the Argon2id cost of readers' passphrases.
	Params seal.Params
	// Hashes is how many Argon2id passphrase hashes may run at once, and
	// Queue how many more may wait; past that readers get a "busy" page.
	Hashes, Queue int
	// TrustAfter is how many approved comments let a reader post directly.
	TrustAfter int
	// Now is the clock.
	Now func() time.Time
	// Published holds published documents' files (confide document
	// publish); nil: the site has no documents.
	Published *Published
}

// Server is the public site zone.
type Server struct {
	cfg    Config
	render *web.Renderer
	csrf   web.CSRF
	// throttle caps sign-ins across all accounts; the limits below cap
	// each form across all accounts and per account.
	throttle *web.Throttle
	limits   formLimits
	argon    *seal.Limiter
	// hash and check are seal's, with the site's parameters; tests count
	// the calls.
	hash  func(pass string) string
	check func(pass, phc string) bool
	// dummyHash is checked for an unknown address, so it costs what a
	// known one does: one Argon2id run.
	dummyHash string
	// unknown counts failed sign-ins for addresses without an account, in
	// memory, so they lock as real ones do.
	unknown *web.Failures
	cache   *pageCache
	// commentHTML memoises rendered comment bodies (8 MiB at most).
	commentHTML *htmlMemo
	// cite renders the citations of documents in stories.
	cite *template.Template
}

// New parses the site's templates.
func New(cfg Config) (*Server, error) {
	rd, err := web.NewRenderer(cfg.Log, templates)
	if err != nil {
		return nil, err
	}
	if cfg.Onion == nil {
		cfg.Onion = func() string { return "" }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Params == (seal.Params{}) {
		cfg.Params = seal.DefaultParams
	}
	if cfg.TrustAfter <= 0 {
		cfg.TrustAfter = 3
	}
	if cfg.Hashes <= 0 {
		cfg.Hashes = 2
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 8
	}
	s := &Server{cfg: cfg, render: rd, csrf: web.CSRF{Cookie: "site_csrf"}, throttle: web.NewThrottle(20, 5), limits: newFormLimits(), unknown: web.NewFailures(100_000, 0),
		argon: seal.NewLimiter(cfg.Hashes, cfg.Queue), cache: &pageCache{m: map[pageKey]*cached{}}, commentHTML: &htmlMemo{maxBytes: 8 << 20}}
	if s.cite, err = citeTemplates(rd.Cat); err != nil {
		return nil, err
	}
	s.hash = func(pass string) string { return seal.HashPassphrase(pass, cfg.Params) }
	s.check = func(pass, phc string) bool { ok, _ := seal.VerifyPassphrase(pass, phc); return ok }
	// Through the limiter, which hands the 64 MiB back to the system.
	s.argon.Do(context.Background(), func() { s.dummyHash = seal.HashPassphrase(store.NewID(), cfg.Params) })
	return s, nil
}

// pageData is what every site page carries besides its own data.
type pageData struct {
	Reader *store.Reader
	Body   any
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, reader *store.Reader, data any) *web.Page {
	p := &web.Page{Lang: s.render.Cat.Negotiate(w, r), Zone: "site", Title: title, Demo: s.cfg.Demo, Path: r.URL.Path,
		Data: pageData{Reader: reader, Body: data}}
	if reader != nil || r.Method == http.MethodPost || needsForm(r.URL.Path) {
		p.CSRF = s.csrf.Token(w, r)
	}
	return p
}

// needsForm lists the anonymous pages with forms: only they set a CSRF
// cookie, so story pages stay cookie-free (and cacheable) for visitors.
func needsForm(path string) bool {
	switch path {
	case "/register", "/login", "/reset", "/reset/confirm":
		return true
	}
	return false
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, back string) {
	s.render.Error(w, s.page(w, r, "error.title", nil, nil), err, back)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
}

func (s *Server) baseURL(r *http.Request) string { return web.Origin(s.cfg.BaseURL, r) }

// liveStory finds a story readers may see.
func (s *Server) liveStory(ctx context.Context, slug string) (store.Story, error) {
	st, err := s.cfg.Store.StoryBySlug(ctx, slug)
	if err != nil {
		return st, err
	}
	if !st.Live(s.cfg.Now()) {
		return st, store.ErrNotFound
	}
	return st, nil
}

func (s *Server) notFoundOr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
		return
	}
	s.internal(w, r, err)
}

// pageCache keeps anonymous story pages for under a second: long enough to
// serve a crowd from memory, short enough that an approved comment shows
// within a second on every server. One request re-renders an expired page
// while the others are served the previous copy, so a crowd does not
// render it many times over.
type pageCache struct {
	mu sync.Mutex
	m  map[pageKey]*cached
}

// pageKey is everything an anonymous story page depends on. A struct of
// the strings the request already has costs no concatenation per view.
type pageKey struct{ slug, lang, base string }

type cached struct {
	body       []byte
	etag       string
	at         time.Time
	refreshing bool
	// The page's own header values, made once at put: a view copies no
	// strings into its header.
	etagValue, length []string
}

// Header values every cached page is sent with, shared by every view
// (web.HeaderValue: appending to one copies it).
var (
	noCacheValue  = web.HeaderValue("no-cache")
	varyValue     = web.HeaderValue("Cookie, Accept-Language")
	htmlTypeValue = web.HeaderValue("text/html; charset=utf-8")
)

// cacheTTL is how stale an anonymous page may be, leaving room within one
// second for the render that refreshes it.
const cacheTTL = 900 * time.Millisecond

// get returns a page to serve, or nil if the caller should render it (and
// put it).
func (c *pageCache) get(key pageKey, now time.Time) *cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	switch {
	case !ok:
		return nil
	case now.Sub(e.at) < cacheTTL:
		return e
	case e.refreshing:
		return e
	}
	e.refreshing = true
	return nil
}

// put stores a rendered page, with an ETag that is a hash of its bytes:
// the same for every visitor, so it cannot tell one from another.
func (c *pageCache) put(key pageKey, body []byte, now time.Time) *cached {
	sum := sha256.Sum256(body)
	e := &cached{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, at: now}
	e.etagValue, e.length = web.HeaderValue(e.etag), web.HeaderValue(strconv.Itoa(len(body)))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[key] = e
	return e
}

// serve answers with a cached page, or 304 if the visitor has it already
// (net/http does the If-None-Match matching). Browsers may keep it but must
// ask again each time (no-cache): the page changes as comments are approved.
func (e *cached) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Cache-Control"] = noCacheValue
	h["Vary"] = varyValue
	h["Etag"] = e.etagValue
	h["Content-Type"] = htmlTypeValue
	if len(r.Header["If-None-Match"]) > 0 || len(r.Header["Range"]) > 0 {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(e.body))
		return
	}
	// A plain GET has nothing for ServeContent to interpret, and one write
	// of the whole page is what keeps the site near nginx (bench/site.sh:
	// ServeContent's chunked copy took it from about 0.67 to 0.42).
	h["Content-Length"] = e.length
	w.Write(e.body)
}

// release ends a refresh that did not put a page (a failure or a 404).
func (c *pageCache) release(key pageKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.refreshing = false
	}
}
