package newsroom

import (
	"context"
	"errors"
	"strings"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

// Login failures, each with what the journalist is told.
var (
	errLoginFailed = errors.New("newsroom: the name, passphrase or code is wrong")
	errLocked      = errors.New("newsroom: too many failed attempts; wait and try again")
	errThrottled   = errors.New("newsroom: too many logins at once; wait a minute")
)

// authenticate checks a name and passphrase, and the TOTP code. On the web
// (onWeb set) two other outcomes stop short of a session: a journalist who
// has not set up their second factor yet gets kindSetup (first login, which
// shows the QR code), and one who left the code empty but has a security key
// gets kindKey (the WebAuthn step). It returns the step still pending, or "".
func (s *Server) authenticate(ctx context.Context, name, pass, code string, onWeb bool) (store.Journalist, string, error) {
	now := s.cfg.Now()
	if !s.throttle.Allow(now) {
		return store.Journalist{}, "", errThrottled
	}
	j, err := s.cfg.Store.JournalistByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		// Unknown names cost what known ones do.
		s.hash(func() { seal.VerifyPassphrase(pass, s.dummyHash()) })
		return store.Journalist{}, "", errLoginFailed
	}
	if err != nil {
		return store.Journalist{}, "", err
	}
	if j.LockedUntil > now.Unix() {
		return store.Journalist{}, "", errLocked
	}
	ok := false
	var verr error
	s.hash(func() { ok, verr = seal.VerifyPassphrase(pass, j.PassHash) })
	if verr != nil && j.PassHash != "" {
		return store.Journalist{}, "", verr
	}
	pending := ""
	switch {
	case onWeb && !j.TOTPConfirmed:
		pending = kindSetup
	case onWeb && ok && strings.TrimSpace(code) == "":
		keys, err := s.cfg.Store.SecurityKeys(ctx, j.ID)
		if err != nil {
			return store.Journalist{}, "", err
		}
		if len(keys) > 0 {
			pending = kindKey
		}
	}
	if ok && pending == "" {
		step, valid := seal.TOTPStep(j.TOTPSecret, code, now)
		ok = valid
		if valid {
			// Consumed atomically: a replayed code loses here.
			ok, err = s.cfg.Store.UseTOTPStep(ctx, j.ID, step)
			if err != nil {
				return store.Journalist{}, "", err
			}
		}
	}
	if !ok {
		lock := int64(0)
		if d := web.Lockout(j.Failures + 1); d > 0 {
			lock = now.Add(d).Unix()
		}
		if err := s.cfg.Store.LoginFailed(ctx, j.ID, lock); err != nil {
			return store.Journalist{}, "", err
		}
		s.audit(ctx, j, "login failed", "")
		return store.Journalist{}, "", errLoginFailed
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, j.ID); err != nil {
		return store.Journalist{}, "", err
	}
	return j, pending, nil
}
