package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Security-key ceremony failures, matched with errors.Is.
var (
	// ErrHost: no relying party can be made from the request's host.
	ErrHost = errors.New("auth: security keys need the zone's own host name")
	// ErrKeys: the account's keys could not be read.
	ErrKeys = errors.New("auth: could not read the security keys")
	// ErrStartAgain: no ceremony is waiting in the session.
	ErrStartAgain = errors.New("auth: no security-key ceremony started")
	// ErrNotVerified: the key's answer did not verify.
	ErrNotVerified = errors.New("auth: the security key's answer did not verify")
	// ErrCloned (an ErrNotVerified): the key's signature counter did not go
	// past the last one seen, so a copy of it has signed in since, or is
	// signing in now.
	ErrCloned = fmt.Errorf("%w: its signature counter went back, so it may have been copied", ErrNotVerified)
)

// keyUser adapts an account to go-webauthn.
type keyUser struct {
	a     Account
	creds []webauthn.Credential
}

func (u keyUser) WebAuthnID() []byte                         { return []byte(u.a.ID) }
func (u keyUser) WebAuthnName() string                       { return u.a.Name }
func (u keyUser) WebAuthnDisplayName() string                { return u.a.Name }
func (u keyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) keyUser(ctx context.Context, a Account) (keyUser, error) {
	raw, err := s.cfg.Store.SecurityKeys(ctx, a.ID)
	if err != nil {
		return keyUser{}, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	u := keyUser{a: a}
	for _, c := range raw {
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(c), &cred); err == nil {
			u.creds = append(u.creds, cred)
		}
	}
	return u, nil
}

// relyingParty is the zone as the browser sees it: Config.URL when set
// (behind a TLS-terminating proxy, the request alone says http), else this
// request's Host. The browser itself binds a credential to the origin it
// was made on, so a forged Host header gains nothing: the ceremony fails
// unless the page really came from there.
func (s *Service) relyingParty(r *http.Request) (*webauthn.WebAuthn, error) {
	if s.rp != nil {
		return s.rp, nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = h
	}
	return s.newRelyingParty(scheme+"://"+r.Host, host)
}

func (s *Service) newRelyingParty(origin, host string) (*webauthn.WebAuthn, error) {
	return webauthn.New(&webauthn.Config{RPID: host, RPDisplayName: s.cfg.Issuer, RPOrigins: []string{origin}})
}

func credentialID(c *webauthn.Credential) string {
	return base64.RawURLEncoding.EncodeToString(c.ID)
}

// ceremony prepares a WebAuthn ceremony for a: the relying party as this
// request sees it, and the account with its keys.
func (s *Service) ceremony(r *http.Request, a Account) (*webauthn.WebAuthn, keyUser, error) {
	rp, err := s.relyingParty(r)
	if err != nil {
		return nil, keyUser{}, fmt.Errorf("%w: %w", ErrHost, err)
	}
	u, err := s.keyUser(r.Context(), a)
	return rp, u, err
}

// BeginKeyLogin starts the security-key step of a sign-in: the challenge
// waits in the key session. It returns the options for the browser.
func (s *Service) BeginKeyLogin(r *http.Request, a Account, sess Session) (*protocol.CredentialAssertion, error) {
	rp, u, err := s.ceremony(r, a)
	if err != nil {
		return nil, err
	}
	opts, data, err := rp.BeginLogin(u)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(data)
	return opts, s.cfg.Store.SetSessionData(r.Context(), sess.TokenHash, string(b))
}

// FinishKeyLogin verifies the key's assertion and replaces the key session
// with a full one. A failed assertion counts (and is audited) as a failed
// sign-in, for the name and the client, as a wrong code does; when that
// locks them the error is also a LockedError (the right key still gets in).
func (s *Service) FinishKeyLogin(w http.ResponseWriter, r *http.Request, a Account, sess Session) error {
	ctx := r.Context()
	var data webauthn.SessionData
	if json.Unmarshal([]byte(sess.Data), &data) != nil {
		return ErrStartAgain
	}
	s.cfg.Store.SetSessionData(ctx, sess.TokenHash, "")
	rp, u, err := s.ceremony(r, a)
	if err != nil {
		return err
	}
	cred, err := rp.FinishLogin(u, data, r)
	refused, detail := ErrNotVerified, "security key"
	if err == nil && cred.Authenticator.CloneWarning {
		// go-webauthn only flags it; a clone must not get in, and the
		// stored count stays, so the original key keeps working.
		err, refused, detail = ErrCloned, ErrCloned, "security key, counter went back (a copy?)"
	}
	now, client := s.cfg.Now(), clientKey(r)
	if err != nil {
		// Counted as a wrong code is: for the name and for the client.
		until := s.clients.Fail(client, now)
		u, err := s.loginFailed(ctx, a, now)
		if err != nil {
			return fmt.Errorf("%w (%w: %w)", refused, errCounting, err)
		}
		s.audit(ctx, a, "login failed", detail)
		if u.After(until) {
			until = u
		}
		if until.After(now) {
			return fmt.Errorf("%w; %w", refused, LockedError{until.Truncate(time.Second)})
		}
		return refused
	}
	// The new count is what tells the next copy apart: it must be kept.
	b, _ := json.Marshal(cred)
	if err := s.cfg.Store.UpdateSecurityKey(ctx, credentialID(cred), string(b)); err != nil {
		return err
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, a.ID); err != nil {
		return err
	}
	s.clients.Clear(client)
	s.cfg.Store.DeleteSession(ctx, sess.TokenHash)
	return s.StartSession(w, r, a.ID, KindFull)
}

// errCounting marks a refused key whose failure could not be counted.
var errCounting = errors.New("auth: counting the failed sign-in")

// BeginKeyRegistration starts registering a security key for a signed-in
// account: the challenge waits in the request's session.
func (s *Service) BeginKeyRegistration(r *http.Request, a Account) (*protocol.CredentialCreation, error) {
	rp, u, err := s.ceremony(r, a)
	if err != nil {
		return nil, err
	}
	opts, data, err := rp.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(data)
	return opts, s.cfg.Store.SetSessionData(r.Context(), s.sessionHash(r), string(b))
}

// FinishKeyRegistration verifies the new key's answer and stores it.
func (s *Service) FinishKeyRegistration(r *http.Request, a Account) error {
	ctx := r.Context()
	rp, u, err := s.ceremony(r, a)
	if err != nil {
		return err
	}
	sess, err := s.cfg.Store.SessionByHash(ctx, s.sessionHash(r))
	var data webauthn.SessionData
	if err != nil || json.Unmarshal([]byte(sess.Data), &data) != nil {
		return ErrStartAgain
	}
	s.cfg.Store.SetSessionData(ctx, sess.TokenHash, "")
	cred, err := rp.FinishRegistration(u, data, r)
	if err != nil {
		return ErrNotVerified
	}
	b, _ := json.Marshal(cred)
	return s.cfg.Store.AddSecurityKey(ctx, a.ID, credentialID(cred), string(b))
}
