package newsroom

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"

	"github.com/go-webauthn/webauthn/webauthn"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the newsroom needs.
type Config struct {
	Store store.Store
	Blobs *blob.Dir
	Log   *slog.Logger
	Demo  bool
	// Params is the Argon2id cost of new passphrase hashes; zero means
	// seal.DefaultParams.
	Params seal.Params
	// SessionIdle ends a web session after this long unused; TokenTTL is the
	// lifetime of an API token.
	SessionIdle, TokenTTL time.Duration
	// Issuer names the newsroom in authenticator apps.
	Issuer string
	// URL is the newsroom's address as journalists' browsers see it
	// (https://newsroom.example.org); security keys are bound to it. Empty
	// means each request's own scheme and Host.
	URL string
	// Now is the clock (tests move it).
	Now func() time.Time
}

// Server is the newsroom zone.
type Server struct {
	cfg      Config
	render   *web.Renderer
	csrf     web.CSRF
	throttle *web.Throttle
	// clients and names count failed sign-ins per client address and per
	// name that has no account, in memory only (see authenticate).
	clients, names *web.Failures
	signKey        ed25519.PrivateKey
	hashes         chan struct{}
	// dummyHash is verified for unknown names, made on first use.
	dummyHash func() string
	// rp is the security keys' relying party when Config.URL pins it.
	rp *webauthn.WebAuthn
}

// New prepares the newsroom, creating its API signing key on first use.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Params == (seal.Params{}) {
		cfg.Params = seal.DefaultParams
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "Confide"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rd, err := web.NewRenderer(cfg.Log, templates)
	if err != nil {
		return nil, err
	}
	key, err := signingKey(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, render: rd, csrf: web.CSRF{Cookie: "newsroom_csrf"}, throttle: web.NewThrottle(20, 10),
		clients: web.NewFailures(failureKeys, clientSlack), names: web.NewFailures(failureKeys, 0),
		signKey: key, hashes: make(chan struct{}, 2),
		dummyHash: sync.OnceValue(func() string { return seal.HashPassphrase("confide-dummy", cfg.Params) })}
	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && strings.Trim(u.Path, "/") == "" {
			s.rp, err = s.newRelyingParty(u.Scheme+"://"+u.Host, u.Hostname())
		}
		if err != nil || s.rp == nil {
			return nil, fmt.Errorf("newsroom: the newsroom URL %q should be an origin such as https://newsroom.example.org", cfg.URL)
		}
	}
	return s, nil
}

// failureKeys bounds each in-memory failure counter (about 100 bytes a key).
const failureKeys = 100_000

// signingKey loads the API signing key, shared by every newsroom server
// through the store. It signs responses; it opens nothing.
func signingKey(ctx context.Context, st store.Store) (ed25519.PrivateKey, error) {
	v, err := st.Setting(ctx, "api_signing_seed")
	if errors.Is(err, store.ErrNotFound) {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		if err := st.SetSetting(ctx, "api_signing_seed", hex.EncodeToString(seed)); err != nil {
			return nil, err
		}
		// Another server may have raced us; read back whichever won.
		v, err = st.Setting(ctx, "api_signing_seed")
	}
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("newsroom: corrupt signing key")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// PublicKey is the key workstations verify API responses with.
func (s *Server) PublicKey() ed25519.PublicKey { return s.signKey.Public().(ed25519.PublicKey) }

func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return &web.Page{Lang: s.render.Cat.Negotiate(w, r), Zone: "newsroom", Title: title, Demo: s.cfg.Demo,
		CSRF: s.csrf.Token(w, r), Path: r.URL.Path, Data: data}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, back string) {
	s.render.Error(w, s.page(w, r, "error.title", nil), err, back)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
}

// found reports whether a lookup succeeded; if not, it has answered: a 404
// page for ErrNotFound, the internal-error page for anything else.
func (s *Server) found(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	default:
		s.internal(w, r, err)
	}
	return false
}

// hash runs a passphrase hash or check with bounded concurrency: each one
// holds 64 MiB, given back to the system once none is running.
func (s *Server) hash(fn func()) {
	s.hashes <- struct{}{}
	fn()
	<-s.hashes
	if len(s.hashes) == 0 {
		debug.FreeOSMemory()
	}
}

// audit records an action; a failure to audit is logged, never hidden.
func (s *Server) audit(ctx context.Context, j store.Journalist, action, detail string) {
	if err := s.cfg.Store.Audit(ctx, j.Name, action, detail); err != nil {
		s.cfg.Log.Error("newsroom: audit", "err", err)
	}
}
