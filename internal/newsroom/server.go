package newsroom

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"confide/internal/auth"
	"confide/internal/blob"
	"confide/internal/bundle"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"

	"filippo.io/age"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the newsroom needs.
type Config struct {
	Store store.Store
	Blobs *blob.Dir
	Log   *slog.Logger
	Demo  bool
	// DemoIdentity, in demo mode only, is the demo journalist's identity
	// (on the server anyway, under the data folder): with it the newsroom
	// decrypts for that journalist, labelled as a demo-only shortcut.
	DemoIdentity *age.X25519Identity
	// DemoKeyFile is where that identity's file is, for the commands the
	// source page shows.
	DemoKeyFile string
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
	// SigningKeyFile, when set, holds the API signing seed instead of the
	// database (a seed already there moves into it), so a copy of the
	// database cannot impersonate the newsroom to workstations.
	SigningKeyFile string
	// Now is the clock (tests move it).
	Now func() time.Time
	// Publish puts a bundle exported from the archive on the public site
	// (the site's Published.Publish); nil: the newsroom offers no upload.
	Publish func(ctx context.Context, r io.Reader) (bundle.Manifest, bool, error)
	// MaxBundle bounds an uploaded bundle's bytes; zero means 1 GiB.
	MaxBundle int64
}

// Server is the newsroom zone.
type Server struct {
	cfg    Config
	render *web.Renderer
	csrf   web.CSRF
	// throttle caps sign-ins for all names together; argon bounds
	// passphrase checks: 2 at once, 16 waiting, then busy. auth signs in
	// with them.
	throttle *web.Throttle
	argon    *seal.Limiter
	auth     *auth.Service
	signKey  ed25519.PrivateKey
}

// New prepares the newsroom, creating its API signing key on first use.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DemoIdentity != nil && !cfg.Demo {
		return nil, errors.New("newsroom: a demo identity outside demo mode: a real newsroom never holds a journalist's key")
	}
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
	key, err := signingKey(ctx, cfg.Store, cfg.SigningKeyFile)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, render: rd, csrf: web.CSRF{Cookie: "newsroom_csrf"}, throttle: web.NewThrottle(20, 10),
		signKey: key, argon: seal.NewLimiter(2, 16)}
	if s.auth, err = s.newAuth(); err != nil {
		return nil, err
	}
	return s, nil
}

// Settings that hold the API signing key: the seed, or "" once it has moved
// to a key file, and the public key, recorded once a file holds the seed.
const (
	settingSigningSeed   = "api_signing_seed"
	settingSigningPublic = "api_signing_public"
)

// signingKey loads the API signing key, shared by every newsroom server
// through the store, or through a key file when one is given (then the
// database keeps only the public key, and a copy of it cannot sign). It
// signs responses; it opens nothing.
func signingKey(ctx context.Context, st store.Store, file string) (ed25519.PrivateKey, error) {
	inDB, err := st.Setting(ctx, settingSigningSeed)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	moved := err == nil && inDB == ""
	if file == "" {
		if moved {
			return nil, errors.New("newsroom: this database's API signing key was moved to a file: give it with --newsroom-key")
		}
		if errors.Is(err, store.ErrNotFound) {
			seed := make([]byte, ed25519.SeedSize)
			rand.Read(seed)
			if err := st.SetSetting(ctx, settingSigningSeed, hex.EncodeToString(seed)); err != nil {
				return nil, err
			}
			// Another server may have raced us; read back whichever won.
			if inDB, err = st.Setting(ctx, settingSigningSeed); err != nil {
				return nil, err
			}
		}
		return parseSeed(inDB, "the database's signing key")
	}
	key, err := keyFromFile(file, inDB, moved)
	if err != nil {
		return nil, err
	}
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	switch v, err := st.Setting(ctx, settingSigningPublic); {
	case errors.Is(err, store.ErrNotFound):
		if err := st.SetSetting(ctx, settingSigningPublic, pub); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case v != pub:
		return nil, fmt.Errorf("newsroom: %s holds another API signing key than the one this database's workstations pinned (%s)", file, v)
	}
	if inDB != "" {
		// Only now that the file is durable and recorded.
		if err := st.SetSetting(ctx, settingSigningSeed, ""); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// keyFromFile reads the seed from file, or creates the file with the
// database's seed (moving it) or, if the database never had one, a new one. The file must be its owner's
// alone, as an SSH key must.
func keyFromFile(file, inDB string, moved bool) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) && moved {
		return nil, fmt.Errorf("newsroom: there is no %s, and this database's API signing key already lives in a key file: copy that file here", file)
	}
	if errors.Is(err, fs.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		v := hex.EncodeToString(seed)
		if inDB != "" {
			v = inDB
		}
		key, err := parseSeed(v, "the database's signing key")
		if err != nil {
			return nil, err
		}
		return key, writeKeyFile(file, v)
	}
	if err != nil {
		return nil, fmt.Errorf("newsroom: %w", err)
	}
	if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("newsroom: %s can be read by others (mode %v): chmod 600 it", file, fi.Mode().Perm())
	}
	key, err := parseSeed(strings.TrimSpace(string(b)), file)
	if err != nil {
		return nil, err
	}
	if inDB != "" && inDB != strings.TrimSpace(string(b)) {
		return nil, fmt.Errorf("newsroom: %s holds another API signing key than the database; keep the one workstations pinned", file)
	}
	return key, nil
}

func writeKeyFile(file, seedHex string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("newsroom: %w", err)
	}
	_, err = f.WriteString(seedHex + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file)
		return fmt.Errorf("newsroom: writing %s: %w", file, err)
	}
	return nil
}

func parseSeed(v, what string) (ed25519.PrivateKey, error) {
	seed, err := hex.DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("newsroom: %s is not an API signing key", what)
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

// audit records an action; a failure to audit is logged, never hidden.
func (s *Server) audit(ctx context.Context, j store.Journalist, action, detail string) {
	if err := s.cfg.Store.Audit(ctx, j.Name, action, detail); err != nil {
		s.cfg.Log.Error("newsroom: audit", "err", err)
	}
}
