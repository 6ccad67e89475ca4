package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/auth"
	"confide/internal/auth/authtest"
	"confide/internal/seal"
)

// memStore is the smallest auth.Store: the suite's reference.
type memStore struct {
	mu       sync.Mutex
	accounts map[string]*auth.Account
	last     map[string]int64
	keys     map[string][]string // account ID → credential IDs
	creds    map[string]string
	sessions []auth.Session
}

func newMemStore() *memStore {
	return &memStore{accounts: map[string]*auth.Account{}, last: map[string]int64{}, keys: map[string][]string{}, creds: map[string]string{}}
}

func (m *memStore) add(name, passHash, secret string) auth.Account {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := auth.Account{ID: fmt.Sprintf("id-%d", len(m.accounts)+1), Name: name, PassHash: passHash, TOTPSecret: secret}
	m.accounts[a.ID] = &a
	return a
}

func (m *memStore) AccountByName(_ context.Context, name string) (auth.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.accounts {
		if a.Name == name {
			return *a, nil
		}
	}
	return auth.Account{}, auth.ErrNotFound
}

func (m *memStore) update(id string, f func(a *auth.Account)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[id]
	if !ok {
		return auth.ErrNotFound
	}
	f(a)
	return nil
}

func (m *memStore) LoginFailed(_ context.Context, id string, lockedUntil int64) error {
	return m.update(id, func(a *auth.Account) { a.Failures++; a.LockedUntil = lockedUntil })
}

func (m *memStore) LoginSucceeded(_ context.Context, id string) error {
	return m.update(id, func(a *auth.Account) { a.Failures, a.LockedUntil = 0, 0 })
}

func (m *memStore) UseTOTPStep(_ context.Context, id string, step int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last[id] >= step {
		return false, nil
	}
	m.last[id] = step
	return true, nil
}

func (m *memStore) ConfirmTOTP(_ context.Context, id string) error {
	return m.update(id, func(a *auth.Account) { a.TOTPConfirmed = true })
}

func (m *memStore) SecurityKeys(_ context.Context, id string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.keys[id] {
		out = append(out, m.creds[c])
	}
	return out, nil
}

func (m *memStore) AddSecurityKey(_ context.Context, id, credentialID, credential string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[id] = append(m.keys[id], credentialID)
	m.creds[credentialID] = credential
	return nil
}

func (m *memStore) UpdateSecurityKey(_ context.Context, credentialID, credential string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.creds[credentialID]; ok {
		m.creds[credentialID] = credential
	}
	return nil
}

func (m *memStore) CreateSession(_ context.Context, sess auth.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions = append(m.sessions, sess)
	return nil
}

func (m *memStore) session(hash []byte, f func(s *auth.Session)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.sessions {
		if bytes.Equal(m.sessions[i].TokenHash, hash) {
			f(&m.sessions[i])
			return nil
		}
	}
	return auth.ErrNotFound
}

func (m *memStore) SessionByHash(_ context.Context, hash []byte) (auth.Session, error) {
	var out auth.Session
	err := m.session(hash, func(s *auth.Session) { out = *s })
	return out, err
}

func (m *memStore) ExtendSession(_ context.Context, hash []byte, expires time.Time) error {
	m.session(hash, func(s *auth.Session) { s.Expires = expires })
	return nil
}

func (m *memStore) SetSessionData(_ context.Context, hash []byte, data string) error {
	m.session(hash, func(s *auth.Session) { s.Data = data })
	return nil
}

func (m *memStore) DeleteSession(_ context.Context, hash []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.sessions {
		if bytes.Equal(m.sessions[i].TokenHash, hash) {
			m.sessions = append(m.sessions[:i], m.sessions[i+1:]...)
			break
		}
	}
	return nil
}

func TestMemStore(t *testing.T) {
	authtest.Run(t, func(t *testing.T) authtest.Fixture {
		m := newMemStore()
		return authtest.Fixture{Store: m, Add: func(t *testing.T, name, passHash, secret string) auth.Account {
			return m.add(name, passHash, secret)
		}}
	})
}

// The first secrets verify against what is stored of them, and the
// authenticator's URI carries the stored secret under the zone's name.
func TestNewCredentials(t *testing.T) {
	c, hash, secret, err := auth.NewCredentials("Confide Archive", "ann", authtest.Params)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := seal.VerifyPassphrase(c.Passphrase, hash); !ok || err != nil {
		t.Fatalf("the passphrase does not verify: %v %v", ok, err)
	}
	if strings.Contains(hash, c.Passphrase) {
		t.Fatal("the stored hash holds the passphrase")
	}
	u, err := url.Parse(c.TOTPURI)
	if err != nil || u.Query().Get("secret") != secret || u.Query().Get("issuer") != "Confide Archive" || !strings.Contains(u.Path, "ann") {
		t.Fatalf("URI %q, secret %q: %v", c.TOTPURI, secret, err)
	}
	c2, _, secret2, _ := auth.NewCredentials("Confide Archive", "ann", authtest.Params)
	if c2.Passphrase == c.Passphrase || secret2 == secret {
		t.Fatal("two accounts got the same secrets")
	}
}
