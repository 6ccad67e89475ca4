package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"confide/internal/seal"
	"confide/internal/web"

	"github.com/go-webauthn/webauthn/webauthn"
)

// ErrNotFound is what a Store answers (matched with errors.Is) for an
// account or session it does not have.
var ErrNotFound = errors.New("auth: not found")

// Sign-in failures, each matched with errors.Is; the zone words them.
var (
	ErrLoginFailed = errors.New("auth: the name, passphrase or code is wrong")
	ErrLocked      = errors.New("auth: too many failed attempts; wait and try again")
	ErrThrottled   = errors.New("auth: too many logins at once; wait a minute")
	// ErrOrigin is New's answer to a Config.URL that is not an origin.
	ErrOrigin = errors.New("auth: the URL should be an origin such as https://newsroom.example.org")
)

// LockedError is ErrLocked with the time the lock ends, which the person
// signing in is shown.
type LockedError struct{ Until time.Time }

func (e LockedError) Error() string {
	return ErrLocked.Error() + " (locked until " + e.Until.UTC().Format("15:04 UTC") + ")"
}

// Is makes a LockedError match ErrLocked.
func (e LockedError) Is(target error) bool { return target == ErrLocked }

// Session kinds.
const (
	KindFull  = "web"
	KindSetup = "setup"
	KindKey   = "key"
)

// Account is what sign-in needs of a zone's account.
type Account struct {
	ID, Name string
	// PassHash is an Argon2id PHC string; empty until credentials are set.
	PassHash string
	// TOTPSecret is the base32 RFC 6238 secret, confirmed once set up in an
	// authenticator app.
	TOTPSecret    string
	TOTPConfirmed bool
	// Failures counts failed sign-ins since the last success; LockedUntil is
	// the Unix time the lock they brought ends.
	Failures    int
	LockedUntil int64
}

// Session is a sign-in session, stored by its token's hash only.
type Session struct {
	TokenHash []byte
	AccountID string
	Kind      string
	Expires   time.Time
	// Data holds a ceremony's state (a WebAuthn challenge) between requests.
	Data string
}

// Store is what a zone keeps for sign-in. Not-found answers match
// ErrNotFound.
type Store interface {
	// AccountByName finds an account.
	AccountByName(ctx context.Context, name string) (Account, error)
	// LoginFailed counts a failure and sets the lock's end (0: none).
	LoginFailed(ctx context.Context, id string, lockedUntil int64) error
	// LoginSucceeded clears the failures and the lock.
	LoginSucceeded(ctx context.Context, id string) error
	// UseTOTPStep consumes a time-step if it is later than the last one
	// used, in one guarded update; false means it was not.
	UseTOTPStep(ctx context.Context, id string, step int64) (bool, error)
	// ConfirmTOTP marks the TOTP secret as set up.
	ConfirmTOTP(ctx context.Context, id string) error
	// SecurityKeys lists an account's WebAuthn credentials.
	SecurityKeys(ctx context.Context, id string) ([]string, error)
	// AddSecurityKey stores a WebAuthn credential.
	AddSecurityKey(ctx context.Context, id, credentialID, credential string) error
	// UpdateSecurityKey replaces a stored credential (its sign count).
	UpdateSecurityKey(ctx context.Context, credentialID, credential string) error
	// CreateSession stores a session.
	CreateSession(ctx context.Context, sess Session) error
	// SessionByHash finds a session by its token's hash.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// ExtendSession moves a session's expiry.
	ExtendSession(ctx context.Context, hash []byte, expires time.Time) error
	// SetSessionData stores a ceremony's state in a session.
	SetSessionData(ctx context.Context, hash []byte, data string) error
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, hash []byte) error
}

// Config is what a zone gives its Service.
type Config struct {
	Store Store
	// Cookie names the zone's session cookie; CSRF is the zone's token,
	// rotated at each sign-in.
	Cookie string
	CSRF   web.CSRF
	// Params is the cost of the dummy hash checked for unknown names: the
	// zone's own, so they cost what known ones do.
	Params seal.Params
	// Idle ends a session after this long unused; zero means 30 minutes.
	Idle time.Duration
	// Issuer names the zone to security keys.
	Issuer string
	// URL pins the security keys' origin; empty means each request's.
	URL string
	// Audit records a sign-in event of an account.
	Audit func(ctx context.Context, a Account, action, detail string)
	// Throttle caps sign-in attempts for all names together, and Argon
	// bounds passphrase checks: the zone's own, so no zone starves another.
	// Nil means 20 at once refilled at 10 a second, and 2 checks at once
	// with 16 waiting.
	Throttle *web.Throttle
	Argon    *seal.Limiter
	// Now is the clock.
	Now func() time.Time
}

// Service signs accounts in for one zone.
type Service struct {
	cfg      Config
	throttle *web.Throttle
	// clients and names count failed sign-ins per client address and per
	// name that has no account, in memory only.
	clients, names *web.Failures
	argon          *seal.Limiter
	dummyHash      func() string
	// rp is the security keys' relying party when Config.URL pins it.
	rp *webauthn.WebAuthn
}

// clientSlack is how many more failures a client may make than a name
// before it is locked: several people can share one address (a newsroom's
// NAT, a TLS proxy, the onion service's 127.0.0.1).
const clientSlack = 5

// failureKeys bounds each in-memory failure counter (about 100 bytes a key).
const failureKeys = 100_000

// New prepares a Service; ErrOrigin if Config.URL is not an origin.
func New(cfg Config) (*Service, error) {
	if cfg.Cookie == "" || cfg.CSRF.Cookie == "" || cfg.Cookie == cfg.CSRF.Cookie {
		// Zones sharing a cookie name would read each other's sessions.
		return nil, errors.New("auth: a zone needs its own session and CSRF cookie names")
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Throttle == nil {
		cfg.Throttle = web.NewThrottle(20, 10)
	}
	if cfg.Argon == nil {
		cfg.Argon = seal.NewLimiter(2, 16)
	}
	s := &Service{cfg: cfg, throttle: cfg.Throttle,
		clients: web.NewFailures(failureKeys, clientSlack), names: web.NewFailures(failureKeys, 0),
		argon:     cfg.Argon,
		dummyHash: sync.OnceValue(func() string { return seal.HashPassphrase("confide-dummy", cfg.Params) })}
	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && strings.Trim(u.Path, "/") == "" {
			s.rp, err = s.newRelyingParty(u.Scheme+"://"+u.Host, u.Hostname())
		}
		if err != nil || s.rp == nil {
			return nil, fmt.Errorf("%w: %q", ErrOrigin, cfg.URL)
		}
	}
	return s, nil
}

// clientKey names a request's client for the failure counter: its address,
// which web.Failures keeps only as a keyed hash, in memory.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

// Authenticate checks a name and passphrase, and the TOTP code. On the web
// (onWeb set) two other outcomes stop short of a full session: an account
// whose second factor is not set up yet gets KindSetup (first sign-in, which
// shows the QR code), and one that left the code empty but has a security
// key gets KindKey (the WebAuthn step). It returns the kind still pending,
// or "". Failures are ErrLoginFailed, a LockedError, ErrThrottled or
// seal.ErrBusy; see the package doc for how locks work.
func (s *Service) Authenticate(r *http.Request, name, pass, code string, onWeb bool) (Account, string, error) {
	ctx := r.Context()
	now := s.cfg.Now()
	if !s.throttle.Allow(now) {
		return Account{}, "", ErrThrottled
	}
	client := clientKey(r)
	locked := s.clients.Until(client, now)
	a, err := s.cfg.Store.AccountByName(ctx, name)
	known := err == nil
	switch {
	case errors.Is(err, ErrNotFound):
		if u := s.names.Until(name, now); u.After(locked) {
			locked = u
		}
		// Unknown names cost what known ones do.
		if err := s.argon.Do(ctx, func() { seal.VerifyPassphrase(pass, s.dummyHash()) }); err != nil {
			return Account{}, "", err
		}
	case err != nil:
		return Account{}, "", err
	case a.LockedUntil > now.Unix():
		if u := time.Unix(a.LockedUntil, 0); u.After(locked) {
			locked = u
		}
	}
	ok, passOK := false, false
	pending := ""
	if known {
		var verr error
		if err := s.argon.Do(ctx, func() { passOK, verr = seal.VerifyPassphrase(pass, a.PassHash) }); err != nil {
			return Account{}, "", err
		}
		if verr != nil && a.PassHash != "" {
			return Account{}, "", verr
		}
		ok = passOK
		switch {
		case onWeb && !a.TOTPConfirmed:
			pending = KindSetup
		case onWeb && ok && strings.TrimSpace(code) == "":
			keys, err := s.cfg.Store.SecurityKeys(ctx, a.ID)
			if err != nil {
				return Account{}, "", err
			}
			if len(keys) > 0 {
				pending = KindKey
			}
		}
	}
	if ok && pending == "" {
		step, valid := seal.TOTPStep(a.TOTPSecret, code, now)
		ok = valid
		if valid {
			// Consumed atomically: a replayed code loses here.
			ok, err = s.cfg.Store.UseTOTPStep(ctx, a.ID, step)
			if err != nil {
				return Account{}, "", err
			}
		} else if locked.After(now) {
			// The latest step a code is accepted for: no code of this moment
			// works after a wrong one while locked.
			if _, err := s.cfg.Store.UseTOTPStep(ctx, a.ID, now.Unix()/seal.TOTPPeriod+1); err != nil {
				return Account{}, "", err
			}
		}
	}
	if !ok {
		if u := s.clients.Fail(client, now); u.After(locked) {
			locked = u
		}
		if known {
			u, err := s.loginFailed(ctx, a, now)
			if err != nil {
				return Account{}, "", err
			}
			if u.After(locked) {
				locked = u
			}
			detail := ""
			if passOK {
				detail = "right passphrase, wrong code" // worth an admin's notice
			}
			s.audit(ctx, a, "login failed", detail)
		} else if u := s.names.Fail(name, now); u.After(locked) {
			locked = u
		}
		if locked.After(now) {
			return Account{}, "", LockedError{locked.Truncate(time.Second)}
		}
		return Account{}, "", ErrLoginFailed
	}
	s.clients.Clear(client)
	// A security key still has to answer: until it does, the failures stand.
	if pending != KindKey {
		if err := s.cfg.Store.LoginSucceeded(ctx, a.ID); err != nil {
			return Account{}, "", err
		}
	}
	return a, pending, nil
}

// loginFailed counts an account's failure in the store and returns when
// the lock it brings ends (the zero time if none yet).
func (s *Service) loginFailed(ctx context.Context, a Account, now time.Time) (time.Time, error) {
	var until time.Time
	lock := int64(0)
	if d := web.Lockout(a.Failures + 1); d > 0 {
		until = now.Add(d)
		lock = until.Unix()
	}
	return until, s.cfg.Store.LoginFailed(ctx, a.ID, lock)
}

func (s *Service) audit(ctx context.Context, a Account, action, detail string) {
	if s.cfg.Audit != nil {
		s.cfg.Audit(ctx, a, action, detail)
	}
}

// ConfirmSetup checks the first code of a setup session's account, confirms
// its TOTP secret and replaces the setup session with a full one. False
// means the code was wrong or used already.
func (s *Service) ConfirmSetup(w http.ResponseWriter, r *http.Request, a Account, sess Session, code string) (bool, error) {
	ctx := r.Context()
	step, ok := seal.TOTPStep(a.TOTPSecret, code, s.cfg.Now())
	if ok {
		var err error
		if ok, err = s.cfg.Store.UseTOTPStep(ctx, a.ID, step); err != nil {
			return false, err
		}
	}
	if !ok {
		return false, nil
	}
	if err := s.cfg.Store.ConfirmTOTP(ctx, a.ID); err != nil {
		return false, err
	}
	s.cfg.Store.DeleteSession(ctx, sess.TokenHash)
	return true, s.StartSession(w, r, a.ID, KindFull)
}

// Credentials are an account's first secrets, shown once to whoever creates
// the account and never stored in the clear.
type Credentials struct {
	Passphrase string
	TOTPURI    string
}

// NewCredentials makes an account's first secrets, and what the zone stores
// of them: the passphrase's Argon2id hash (at cost p) and the TOTP secret,
// which issuer and name label in authenticator apps.
func NewCredentials(issuer, name string, p seal.Params) (c Credentials, passHash, totpSecret string, err error) {
	secret, uri, err := seal.NewTOTP(issuer, name)
	if err != nil {
		return Credentials{}, "", "", fmt.Errorf("auth: %w", err)
	}
	pass := seal.NewPassphrase()
	return Credentials{Passphrase: pass, TOTPURI: uri}, seal.HashPassphrase(pass, p), secret, nil
}
