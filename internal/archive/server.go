package archive

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"confide/internal/auth"
	"confide/internal/redact"
	"confide/internal/seal"
	"confide/internal/translate"
	"confide/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Zone is the archive's name in the shared layout and its catalogue.
const Zone = "archive"

// The archive's cookies: its own, so that no other zone reads them.
const (
	SessionCookie = "archive_session"
	CSRFCookie    = "archive_csrf"
)

// Issuer names the archive in authenticator apps.
const Issuer = "Confide archive"

// ServerConfig tunes the web zone; the zero value is the production one.
type ServerConfig struct {
	// Params is the Argon2id cost of unknown names' dummy check; zero means
	// seal.DefaultParams, which `archive user add` hashes with.
	Params seal.Params
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPS marks cookies Secure (served behind TLS); an https:// URL
	// implies it.
	HTTPS bool
	// Demo is the demo's archive, run beside the other zones: every page
	// says so.
	Demo bool
	// Engines are the machine translators a journalist may run over a
	// collection from its page (archive serve --translate-url, Apertium
	// when installed); none offers no batch.
	Engines []translate.Engine
	// Redactor makes redacted copies; nil means redact.Redact.
	Redactor Redactor
	// Exporter builds the export page's bundles; nil means Archive.Export.
	Exporter Exporter
	// RedactWorkers is how many copies are made at once; 0 means 1.
	RedactWorkers int
	// URL is the archive's address as its users' browsers see it, which
	// security keys are bound to; empty means each request's scheme and
	// host (set it behind a TLS-terminating proxy).
	URL string
}

// Server is the archive's web zone: sign-in (the shared internal/auth,
// security keys included), search, documents with their page images,
// collections and, for admins, the audit log. Every page works without
// JavaScript; only adding and using a security key needs it.
type Server struct {
	a      *Archive
	log    *slog.Logger
	cfg    ServerConfig
	render *web.Renderer
	csrf   web.CSRF
	auth   *auth.Service
	batch  *batches
	redact *redactor
	export *exporter
	// reasons and warnings are ingestKeys, made once: a collection page
	// rewords every failure it lists.
	reasons, warnings []string
}

// NewServer returns the web zone of an open archive.
func NewServer(a *Archive, log *slog.Logger, cfg ServerConfig) (*Server, error) {
	if cfg.Params == (seal.Params{}) {
		cfg.Params = seal.DefaultParams
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rd, err := web.NewRenderer(log, templates)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if cfg.Redactor == nil {
		cfg.Redactor = redact.Redact
	}
	if err := a.Interrupted(context.Background()); err != nil {
		return nil, err
	}
	if err := a.exportsInterrupted(context.Background()); err != nil {
		return nil, err
	}
	if _, err := a.SweepRedacted(context.Background()); err != nil {
		return nil, err
	}
	s := &Server{a: a, log: log, cfg: cfg, render: rd, csrf: web.CSRF{Cookie: CSRFCookie},
		redact:  newRedactor(a, log, cfg.Redactor, cfg.RedactWorkers),
		reasons: ingestKeys(rd.Cat, "archive.reason."), warnings: ingestKeys(rd.Cat, "archive.warning.")}
	s.export = newExporter(a, log, cfg.Exporter, s.audit)
	if web.IsHTTPS(cfg.URL) {
		s.cfg.HTTPS = true
	}
	s.auth, err = auth.New(auth.Config{Store: a.Accounts(), Cookie: SessionCookie, CSRF: s.csrf, Params: cfg.Params,
		Issuer: Issuer, Now: cfg.Now, URL: cfg.URL,
		Audit: func(ctx context.Context, acc auth.Account, action, detail string) {
			s.audit(ctx, acc.Name, action, detail)
		}})
	if err != nil {
		s.redact.close()
		s.export.close()
		if errors.Is(err, auth.ErrOrigin) {
			return nil, fmt.Errorf("archive: the archive URL %q should be an origin such as https://archive.example.org", cfg.URL)
		}
		return nil, fmt.Errorf("archive: %w", err)
	}
	s.batch = newBatches(a, cfg.Engines, func(who, action, detail string) { s.audit(context.Background(), who, action, detail) })
	if err := s.batch.resume(context.Background()); err != nil {
		s.batch.close()
		s.redact.close()
		s.export.close()
		return nil, err
	}
	return s, nil
}

// Close stops the machine translations, the redactions and the exports
// running in the background: each translation records where it stopped,
// and the next server goes on from there; each redaction and export
// records its outcome (an export stopped: failed, no file) before Close
// returns. Call it before closing the archive, which removes the ready
// bundles with its temporary folder.
func (s *Server) Close() {
	s.batch.close()
	s.redact.close()
	s.export.close()
}

// audit records an action; a failure to record is logged, never hidden.
func (s *Server) audit(ctx context.Context, who, action, detail string) {
	if err := s.a.Audit(ctx, who, action, detail); err != nil {
		s.log.Error("archive audit", "err", err)
	}
}

// page is a page of the zone in the request's language, titled by the
// catalogue's title key filled with args ("" for none).
func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, data any, args ...any) *web.Page {
	if !s.translationQuery(r) {
		s.render.Cat.Negotiate(w, r) // remembers a ?lang= link's choice
	}
	lang := s.lang(r)
	if title != "" {
		title = s.render.Cat.T(lang, title, args...)
	}
	return &web.Page{Lang: lang, Zone: Zone, TitleText: title, Demo: s.cfg.Demo,
		CSRF: s.csrf.Token(w, r), Path: r.URL.Path, Data: data}
}

// lang is the language of the request's page (see translationQuery).
func (s *Server) lang(r *http.Request) string {
	if s.translationQuery(r) {
		return s.render.Cat.Remembered(r)
	}
	return s.render.Cat.Preferred(r)
}

// translationQuery reports whether the request's ?lang= names a
// translation rather than the page's language: always on the translation
// editor, and on a document's page unless it is alone and a language of
// the pages (the language switch's link is the path and ?lang= alone;
// every link to a translation also gives the page's number).
func (s *Server) translationQuery(r *http.Request) bool {
	switch r.Pattern {
	case "GET /documents/{id}/pages/{n}/translation":
		return true
	case "GET /documents/{id}":
		q := r.URL.Query()
		return len(q) > 1 || !s.render.Cat.Has(q.Get("lang"))
	}
	return false
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, back string) {
	w.Header().Set("Cache-Control", "no-store")
	s.render.Error(w, s.page(w, r, "", nil), err, back)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
}

// found reports whether a lookup succeeded; if not, it has answered.
func (s *Server) found(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNotFound):
		s.notFound(w, r)
	default:
		s.internal(w, r, err)
	}
	return false
}

// form reads a posted form of at most 256 KiB and checks its CSRF token;
// if it fails it has answered.
func (s *Server) form(w http.ResponseWriter, r *http.Request, back string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), back)
		return false
	}
	return true
}

// current is the signed-in user of a session of kind.
func (s *Server) current(r *http.Request, kind string) (User, auth.Session, error) {
	sess, err := s.auth.Current(r, kind)
	if err != nil {
		return User{}, auth.Session{}, err
	}
	u, err := s.a.user(r.Context(), sess.AccountID)
	if errors.Is(err, ErrNotFound) {
		return User{}, auth.Session{}, auth.ErrNotFound
	}
	return u, sess, err
}

// signedIn wraps a page that needs a signed-in user: others go to the
// sign-in page, which brings them back.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		u, sess, err := s.current(r, auth.KindFull)
		if errors.Is(err, auth.ErrNotFound) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.auth.Touch(r.Context(), sess)
		h(w, r, u)
	}
}

// readable lists the collections u may search: nil for an admin (all).
func readable(u User) []string {
	if u.Role == RoleAdmin {
		return nil
	}
	if u.Collections == nil {
		return []string{}
	}
	return u.Collections
}

// readDoc loads the document of the path's {id} for u: one of a
// collection u does not read is not found, as a missing one.
func (s *Server) readDoc(w http.ResponseWriter, r *http.Request, u User) (*Document, bool) {
	d, err := s.a.Show(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return nil, false
	}
	if !u.Reads(d.Collection) {
		s.notFound(w, r)
		return nil, false
	}
	return d, true
}

// readPage is readDoc for a path with a page number {n} too: a page the
// document lacks is not found.
func (s *Server) readPage(w http.ResponseWriter, r *http.Request, u User) (*Document, int, bool) {
	d, ok := s.readDoc(w, r, u)
	if !ok {
		return nil, 0, false
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(d.Pages) {
		s.notFound(w, r)
		return nil, 0, false
	}
	return d, n, true
}

// posted reads a form of at most limit bytes; false (answered) when it is
// too big or its CSRF token is not this browser's.
func (s *Server) posted(w http.ResponseWriter, r *http.Request, u User, limit int64, back string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		s.notice(w, r, u, http.StatusRequestEntityTooLarge, "archive.notice.toolarge", "archive.notice.toolarge.msg", back, limit>>10)
		return false
	}
	if !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), back)
		return false
	}
	return true
}

type noticeData struct {
	User    User
	Title   string
	Message string
	Back    string
}

// notice answers a refusal the user can act on, in their words: why, and
// the way back. title and msg are catalogue keys, args fill msg.
func (s *Server) notice(w http.ResponseWriter, r *http.Request, u User, status int, title, msg, back string, args ...any) {
	p := s.page(w, r, title, nil)
	p.Data = noticeData{User: u, Title: p.TitleText, Message: s.render.Cat.T(p.Lang, msg, args...), Back: back}
	s.render.Render(w, status, "notice", p)
}
