package archive

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"confide/internal/auth"
	"confide/internal/seal"
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
	s := &Server{a: a, log: log, cfg: cfg, render: rd, csrf: web.CSRF{Cookie: CSRFCookie}}
	if web.IsHTTPS(cfg.URL) {
		s.cfg.HTTPS = true
	}
	s.auth, err = auth.New(auth.Config{Store: a.Accounts(), Cookie: SessionCookie, CSRF: s.csrf, Params: cfg.Params,
		Issuer: Issuer, Now: cfg.Now, URL: cfg.URL,
		Audit: func(ctx context.Context, acc auth.Account, action, detail string) {
			s.audit(ctx, acc.Name, action, detail)
		}})
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return s, nil
}

// audit records an action; a failure to record is logged, never hidden.
func (s *Server) audit(ctx context.Context, who, action, detail string) {
	if err := s.a.Audit(ctx, who, action, detail); err != nil {
		s.log.Error("archive audit", "err", err)
	}
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return &web.Page{Lang: s.render.Cat.Negotiate(w, r), Zone: Zone, TitleText: title, Demo: s.cfg.Demo,
		CSRF: s.csrf.Token(w, r), Path: r.URL.Path, Data: data}
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
