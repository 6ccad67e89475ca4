package site

import (
	"context"
	"errors"
	"net/http"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
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

// formLimits throttle the forms that cost an Argon2id run or send mail:
// across every account (caps the total), and per account (keyed by a hash
// of the address, in memory only; no visitor address is ever kept).
type formLimits struct {
	register, reset                             *web.Throttle
	loginAccount, registerAccount, resetAccount *web.KeyedThrottle
}

func newFormLimits() formLimits {
	return formLimits{
		register:        web.NewThrottle(10, 1),
		reset:           web.NewThrottle(10, 1),
		loginAccount:    web.NewKeyedThrottle(10, 1.0/6, 10000),
		registerAccount: web.NewKeyedThrottle(3, 1.0/1200, 10000),
		resetAccount:    web.NewKeyedThrottle(3, 1.0/1200, 10000),
	}
}

// accountKey names an account in the throttles without keeping its address.
func accountKey(email string) string { return string(web.TokenHash("site-account:" + email)) }

// allowed takes a token from the account's bucket, then from the form's.
func (s *Server) allowed(account *web.KeyedThrottle, form *web.Throttle, email string) bool {
	now := s.cfg.Now()
	return account.Allow(accountKey(email), now) && form.Allow(now)
}

// hashPass hashes a new passphrase: one Argon2id run, within the site's
// limiter. It returns seal.ErrBusy when too many are running.
func (s *Server) hashPass(ctx context.Context, pass string) (string, error) {
	var h string
	err := s.argon.Do(ctx, func() { h = s.hash(pass) })
	return h, err
}

// checkPass checks a passphrase against phc, or against the dummy hash
// when phc is "" (an unknown address): one Argon2id run either way.
func (s *Server) checkPass(ctx context.Context, pass, phc string) (bool, error) {
	if phc == "" {
		phc = s.dummyHash
	}
	ok := false
	err := s.argon.Do(ctx, func() { ok = s.check(pass, phc) })
	return ok && phc != s.dummyHash, err
}

// refused answers a form turned away by a throttle (429) or a full
// limiter (503), re-showing what the reader typed and saying when to retry.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, form, title string, d formData, err error) {
	status, msg := http.StatusTooManyRequests, "site.throttled"
	// A reader who gave up while queued sees nothing; that is no failure.
	if errors.Is(err, seal.ErrBusy) || (err != nil && r.Context().Err() != nil) {
		status, msg = http.StatusServiceUnavailable, "site.busy"
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	web.RetryLater(w)
	d.Failed = msg
	s.render.Render(w, status, form, s.page(w, r, title, nil, d))
}
