package newsroom

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"

	"github.com/go-webauthn/webauthn/webauthn"
)

// keyUser adapts a journalist to go-webauthn.
type keyUser struct {
	j     store.Journalist
	creds []webauthn.Credential
}

func (u keyUser) WebAuthnID() []byte                         { return []byte(u.j.ID) }
func (u keyUser) WebAuthnName() string                       { return u.j.Name }
func (u keyUser) WebAuthnDisplayName() string                { return u.j.Name }
func (u keyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Server) keyUser(ctx context.Context, j store.Journalist) (keyUser, error) {
	raw, err := s.cfg.Store.SecurityKeys(ctx, j.ID)
	if err != nil {
		return keyUser{}, err
	}
	u := keyUser{j: j}
	for _, c := range raw {
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(c), &cred); err == nil {
			u.creds = append(u.creds, cred)
		}
	}
	return u, nil
}

// relyingParty is the newsroom as the browser sees it: Config.URL when set
// (behind a TLS-terminating proxy, the request alone says http), else this
// request's Host. The browser itself binds a credential to the origin it
// was made on, so a forged Host header gains nothing: the ceremony fails
// unless the page really came from there.
func (s *Server) relyingParty(r *http.Request) (*webauthn.WebAuthn, error) {
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

func (s *Server) newRelyingParty(origin, host string) (*webauthn.WebAuthn, error) {
	return webauthn.New(&webauthn.Config{RPID: host, RPDisplayName: s.cfg.Issuer, RPOrigins: []string{origin}})
}

func credentialID(c *webauthn.Credential) string {
	return base64.RawURLEncoding.EncodeToString(c.ID)
}

// sessionHash is the current session's stored hash (from its cookie).
func sessionHash(r *http.Request) []byte {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return web.TokenHash(ck.Value)
}

// ceremony prepares a WebAuthn ceremony for j: the relying party as this
// request sees it, and the journalist with their keys. On failure it has
// answered the request.
func (s *Server) ceremony(w http.ResponseWriter, r *http.Request, j store.Journalist) (*webauthn.WebAuthn, keyUser, bool) {
	rp, err := s.relyingParty(r)
	if err != nil {
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "security keys need the newsroom's own host name"})
		return nil, keyUser{}, false
	}
	u, err := s.keyUser(r.Context(), j)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not read your security keys", err)
		return nil, keyUser{}, false
	}
	return rp, u, true
}
