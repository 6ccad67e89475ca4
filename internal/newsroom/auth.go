package newsroom

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

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

// lockedError is errLocked with the time the lock ends, which the
// journalist is shown.
type lockedError struct{ until time.Time }

func (e lockedError) Error() string {
	return errLocked.Error() + " (locked until " + e.until.UTC().Format("15:04 UTC") + ")"
}

func (e lockedError) Is(target error) bool { return target == errLocked }

// clientSlack is how many more failures a client may make than a name
// before it is locked: several journalists can share one address (a
// newsroom's NAT, a TLS proxy, the onion service's 127.0.0.1).
const clientSlack = 5

// clientKey names a request's client for the failure counter: its address,
// which web.Failures keeps only as a keyed hash, in memory.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

// authenticate checks a name and passphrase, and the TOTP code. On the web
// (onWeb set) two other outcomes stop short of a session: a journalist who
// has not set up their second factor yet gets kindSetup (first login, which
// shows the QR code), and one who left the code empty but has a security key
// gets kindKey (the WebAuthn step). It returns the step still pending, or "".
//
// Failures are counted per name and per client apart. Five for a name, or
// ten from a client, lock it, for a minute doubling to an hour. A lock does
// not stop the journalist: the right passphrase with a right second factor
// still signs in, so nobody can keep a journalist out by failing on purpose.
// What a lock stops is guessing the code by someone who holds the
// passphrase: while locked, a wrong code uses up the codes of the moment,
// so they get one guess per 30-second step. An unknown name is counted and
// locked in memory exactly as a real one is in the store, so the answers
// (status, words, lock times) do not tell them apart.
func (s *Server) authenticate(r *http.Request, name, pass, code string, onWeb bool) (store.Journalist, string, error) {
	ctx := r.Context()
	now := s.cfg.Now()
	if !s.throttle.Allow(now) {
		return store.Journalist{}, "", errThrottled
	}
	client := clientKey(r)
	locked := s.clients.Until(client, now)
	j, err := s.cfg.Store.JournalistByName(ctx, name)
	known := err == nil
	switch {
	case errors.Is(err, store.ErrNotFound):
		if u := s.names.Until(name, now); u.After(locked) {
			locked = u
		}
		// Unknown names cost what known ones do.
		if err := s.argon.Do(ctx, func() { seal.VerifyPassphrase(pass, s.dummyHash()) }); err != nil {
			return store.Journalist{}, "", err
		}
	case err != nil:
		return store.Journalist{}, "", err
	case j.LockedUntil > now.Unix():
		if u := time.Unix(j.LockedUntil, 0); u.After(locked) {
			locked = u
		}
	}
	ok, passOK := false, false
	pending := ""
	if known {
		var verr error
		if err := s.argon.Do(ctx, func() { passOK, verr = seal.VerifyPassphrase(pass, j.PassHash) }); err != nil {
			return store.Journalist{}, "", err
		}
		if verr != nil && j.PassHash != "" {
			return store.Journalist{}, "", verr
		}
		ok = passOK
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
		} else if locked.After(now) {
			// The latest step a code is accepted for: no code of this moment
			// works after a wrong one while locked.
			if _, err := s.cfg.Store.UseTOTPStep(ctx, j.ID, now.Unix()/seal.TOTPPeriod+1); err != nil {
				return store.Journalist{}, "", err
			}
		}
	}
	if !ok {
		if u := s.clients.Fail(client, now); u.After(locked) {
			locked = u
		}
		if known {
			u, err := s.loginFailed(ctx, j, now)
			if err != nil {
				return store.Journalist{}, "", err
			}
			if u.After(locked) {
				locked = u
			}
			detail := ""
			if passOK {
				detail = "right passphrase, wrong code" // worth an admin's notice
			}
			s.audit(ctx, j, "login failed", detail)
		} else if u := s.names.Fail(name, now); u.After(locked) {
			locked = u
		}
		if locked.After(now) {
			return store.Journalist{}, "", lockedError{locked.Truncate(time.Second)}
		}
		return store.Journalist{}, "", errLoginFailed
	}
	s.clients.Clear(client)
	// A security key still has to answer: until it does, the failures stand.
	if pending != kindKey {
		if err := s.cfg.Store.LoginSucceeded(ctx, j.ID); err != nil {
			return store.Journalist{}, "", err
		}
	}
	return j, pending, nil
}

// loginFailed counts a journalist's failure in the store and returns when
// the lock it brings ends (the zero time if none yet).
func (s *Server) loginFailed(ctx context.Context, j store.Journalist, now time.Time) (time.Time, error) {
	var until time.Time
	lock := int64(0)
	if d := web.Lockout(j.Failures + 1); d > 0 {
		until = now.Add(d)
		lock = until.Unix()
	}
	return until, s.cfg.Store.LoginFailed(ctx, j.ID, lock)
}
