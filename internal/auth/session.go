package auth

import (
	"context"
	"net/http"
	"time"

	"confide/internal/web"
)

// NewSession stores a session of kind for an account until expires and
// returns its token, which only the caller ever holds.
func (s *Service) NewSession(ctx context.Context, accountID, kind string, expires time.Time) (string, error) {
	tok, hash := web.NewToken()
	return tok, s.cfg.Store.CreateSession(ctx, Session{TokenHash: hash, AccountID: accountID, Kind: kind, Expires: expires})
}

// StartSession signs an account in with a session of kind in the zone's
// cookie, and rotates the CSRF token.
func (s *Service) StartSession(w http.ResponseWriter, r *http.Request, accountID, kind string) error {
	tok, err := s.NewSession(r.Context(), accountID, kind, s.cfg.Now().Add(s.cfg.Idle))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cfg.Cookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	s.cfg.CSRF.Rotate(w)
	return nil
}

// Session finds the live session of kind that token opens; ErrNotFound if
// there is none, it expired, or it is of another kind.
func (s *Service) Session(ctx context.Context, token, kind string) (Session, error) {
	sess, err := s.cfg.Store.SessionByHash(ctx, web.TokenHash(token))
	if err != nil {
		return Session{}, err
	}
	if sess.Kind != kind || s.cfg.Now().After(sess.Expires) {
		return Session{}, ErrNotFound
	}
	return sess, nil
}

// Current is the request's live session of kind, from the zone's cookie.
func (s *Service) Current(r *http.Request, kind string) (Session, error) {
	ck, err := r.Cookie(s.cfg.Cookie)
	if err != nil {
		return Session{}, ErrNotFound
	}
	return s.Session(r.Context(), ck.Value, kind)
}

// Touch extends a session that is being used, at most once a minute, so
// reading pages is not a write each.
func (s *Service) Touch(ctx context.Context, sess Session) {
	if until := s.cfg.Now().Add(s.cfg.Idle); until.Sub(sess.Expires) > time.Minute {
		s.cfg.Store.ExtendSession(ctx, sess.TokenHash, until)
	}
}

// End deletes the request's session on the server, not just the cookie,
// and clears the cookie and the CSRF token.
func (s *Service) End(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(s.cfg.Cookie); err == nil {
		s.cfg.Store.DeleteSession(r.Context(), web.TokenHash(ck.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: s.cfg.Cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	s.cfg.CSRF.Rotate(w)
}

// sessionHash is the request's session's stored hash (from its cookie).
func (s *Service) sessionHash(r *http.Request) []byte {
	ck, err := r.Cookie(s.cfg.Cookie)
	if err != nil {
		return nil
	}
	return web.TokenHash(ck.Value)
}
