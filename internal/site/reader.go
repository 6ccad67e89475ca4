package site

import (
	"confide/internal/web"
	"context"
	"net/http"
	"time"

	"confide/internal/store"
)

// readerCookie is the site's own; sources and journalists never see it.
const readerCookie = "reader_session"

// Token kinds and lifetimes.
const (
	tokenSession = "session"
	tokenVerify  = "verify"
	tokenReset   = "reset"

	sessionTTL = 30 * 24 * time.Hour
	verifyTTL  = 48 * time.Hour
	resetTTL   = time.Hour
)

// issue stores a token of kind for a reader and returns it.
func (s *Server) issue(ctx context.Context, readerID, kind string, ttl time.Duration) (string, error) {
	tok, hash := web.NewToken()
	return tok, s.cfg.Store.CreateReaderToken(ctx, hash, readerID, kind, s.cfg.Now().Add(ttl))
}

// currentReader returns the signed-in reader, or nil.
func (s *Server) currentReader(r *http.Request) *store.Reader {
	ck, err := r.Cookie(readerCookie)
	if err != nil {
		return nil
	}
	id, err := s.cfg.Store.ReaderToken(r.Context(), web.TokenHash(ck.Value), tokenSession, s.cfg.Now())
	if err != nil {
		return nil
	}
	rd, err := s.cfg.Store.ReaderByID(r.Context(), id)
	if err != nil {
		return nil
	}
	return &rd
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, rd store.Reader) error {
	tok, err := s.issue(r.Context(), rd.ID, tokenSession, sessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: readerCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds())})
	s.csrf.Rotate(w)
	return nil
}

// sendVerification mails a reader the link that verifies their address.
func (s *Server) sendVerification(r *http.Request, rd store.Reader) error {
	tok, err := s.issue(r.Context(), rd.ID, tokenVerify, verifyTTL)
	if err != nil {
		return err
	}
	lang := s.render.Cat.Preferred(r)
	body := s.render.Cat.T(lang, "site.mail.verify.body", rd.Name) + "\n\n" + s.baseURL(r) + "/verify?token=" + tok + "\n"
	return s.cfg.Mail.Send(rd.Email, s.render.Cat.T(lang, "site.mail.verify.subject"), body)
}
