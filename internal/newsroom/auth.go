package newsroom

import (
	"context"
	"errors"
	"fmt"
	"time"

	"confide/internal/auth"
	"confide/internal/store"
)

// accounts adapts the store's journalists and sessions to auth.Store.
type accounts struct{ st store.Store }

// notFound makes the store's not-found answer auth's as well.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (%w)", auth.ErrNotFound, err)
	}
	return err
}

// account is a journalist as auth sees them.
func account(j store.Journalist) auth.Account {
	return auth.Account{ID: j.ID, Name: j.Name, PassHash: j.PassHash, TOTPSecret: j.TOTPSecret,
		TOTPConfirmed: j.TOTPConfirmed, Failures: j.Failures, LockedUntil: j.LockedUntil}
}

func (a accounts) AccountByName(ctx context.Context, name string) (auth.Account, error) {
	j, err := a.st.JournalistByName(ctx, name)
	return account(j), notFound(err)
}

func (a accounts) LoginFailed(ctx context.Context, id string, lockedUntil int64) error {
	return a.st.LoginFailed(ctx, id, lockedUntil)
}

func (a accounts) LoginSucceeded(ctx context.Context, id string) error {
	return a.st.LoginSucceeded(ctx, id)
}

func (a accounts) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	return a.st.UseTOTPStep(ctx, id, step)
}

func (a accounts) ConfirmTOTP(ctx context.Context, id string) error {
	return notFound(a.st.ConfirmTOTP(ctx, id))
}

func (a accounts) SecurityKeys(ctx context.Context, id string) ([]string, error) {
	return a.st.SecurityKeys(ctx, id)
}

func (a accounts) AddSecurityKey(ctx context.Context, id, credentialID, credential string) error {
	return a.st.AddSecurityKey(ctx, id, credentialID, credential)
}

func (a accounts) UpdateSecurityKey(ctx context.Context, credentialID, credential string) error {
	return notFound(a.st.UpdateSecurityKey(ctx, credentialID, credential))
}

func (a accounts) CreateSession(ctx context.Context, sess auth.Session) error {
	return a.st.CreateSession(ctx, store.Session{TokenHash: sess.TokenHash, JournalistID: sess.AccountID, Kind: sess.Kind, Expires: sess.Expires, Data: sess.Data})
}

func (a accounts) SessionByHash(ctx context.Context, hash []byte) (auth.Session, error) {
	s, err := a.st.SessionByHash(ctx, hash)
	return auth.Session{TokenHash: s.TokenHash, AccountID: s.JournalistID, Kind: s.Kind, Expires: s.Expires, Data: s.Data}, notFound(err)
}

func (a accounts) ExtendSession(ctx context.Context, hash []byte, expires time.Time) error {
	return notFound(a.st.ExtendSession(ctx, hash, expires))
}

func (a accounts) SetSessionData(ctx context.Context, hash []byte, data string) error {
	return notFound(a.st.SetSessionData(ctx, hash, data))
}

func (a accounts) DeleteSession(ctx context.Context, hash []byte) error {
	return notFound(a.st.DeleteSession(ctx, hash))
}

// newAuth is the newsroom's sign-in service, over its store and bounds.
func (s *Server) newAuth() (*auth.Service, error) {
	a, err := auth.New(auth.Config{Store: accounts{s.cfg.Store}, Cookie: sessionCookie, CSRF: s.csrf, Params: s.cfg.Params,
		Idle: s.cfg.SessionIdle, Issuer: s.cfg.Issuer, URL: s.cfg.URL, Throttle: s.throttle, Argon: s.argon, Now: s.cfg.Now,
		Audit: func(ctx context.Context, a auth.Account, action, detail string) {
			s.audit(ctx, store.Journalist{ID: a.ID, Name: a.Name}, action, detail)
		}})
	if errors.Is(err, auth.ErrOrigin) {
		return nil, fmt.Errorf("newsroom: the newsroom URL %q should be an origin such as https://newsroom.example.org", s.cfg.URL)
	}
	return a, err
}
