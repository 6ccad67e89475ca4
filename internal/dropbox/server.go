package dropbox

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"

	"filippo.io/age"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the dropbox needs.
type Config struct {
	Store store.Store
	Blobs *blob.Dir
	Log   *slog.Logger
	Demo  bool
	// MaxUpload caps one web submission, and one file through the API.
	MaxUpload int64
	// Params are the Argon2id costs; zero means seal.DefaultParams.
	Params seal.Params
	// Derivations is how many Argon2id derivations may run at once, and
	// Queue how many more may wait; past that logins get a "busy" page.
	Derivations, Queue int
	// SessionIdle ends a source session after this long without a request.
	SessionIdle time.Duration
	// MaxParts caps the documents (and message) of one web submission:
	// each is a file held open until the request ends.
	MaxParts int
	// MaxOpenFiles caps the ciphertext files open at once, web and API
	// together; past it sources get a "busy" answer.
	MaxOpenFiles int
	// MaxUploads caps the API uploads open at once, less than MaxOpenFiles
	// so the API cannot take every file from the web form, and
	// UploadsPerSource one source's share (and the items of one API
	// submission). An upload idle for UploadIdle is aborted.
	MaxUploads, UploadsPerSource int
	UploadIdle                   time.Duration
	// Now is the clock of upload expiry.
	Now func() time.Time
}

// DefaultMaxUpload is 2 GiB.
const DefaultMaxUpload = 2 << 30

// Server is the dropbox zone.
type Server struct {
	cfg      Config
	salt     []byte
	render   *web.Renderer
	csrf     web.CSRF
	sessions *sessions
	argon    *seal.Limiter
	files    *openFiles
	uploads  *uploads
}

// New prepares the dropbox: it loads the instance salt and parses templates.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Params == (seal.Params{}) {
		cfg.Params = seal.DefaultParams
	}
	if cfg.Derivations <= 0 {
		cfg.Derivations = 2
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 16
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = time.Hour
	}
	if cfg.MaxParts <= 0 {
		cfg.MaxParts = 64
	}
	if cfg.MaxOpenFiles <= 0 {
		cfg.MaxOpenFiles = 1024
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = cfg.MaxOpenFiles / 2
	}
	if cfg.UploadsPerSource <= 0 {
		cfg.UploadsPerSource = 32
	}
	if cfg.UploadIdle <= 0 {
		cfg.UploadIdle = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	salt, err := cfg.Store.Salt(ctx)
	if err != nil {
		return nil, fmt.Errorf("dropbox: %w", err)
	}
	rd, err := web.NewRenderer(cfg.Log, templates)
	if err != nil {
		return nil, err
	}
	files := &openFiles{max: cfg.MaxOpenFiles}
	return &Server{
		cfg:      cfg,
		salt:     salt,
		render:   rd,
		csrf:     web.CSRF{Cookie: "dropbox_csrf"},
		sessions: newSessions(cfg.SessionIdle),
		argon:    seal.NewLimiter(cfg.Derivations, cfg.Queue),
		files:    files,
		uploads:  newUploads(files, cfg.MaxUploads, cfg.UploadsPerSource, cfg.UploadIdle, cfg.Now),
	}, nil
}

// Close aborts uploads still in progress; their ciphertext is deleted.
func (s *Server) Close() { s.uploads.abortAll() }

// takeFile reserves one open ciphertext file, expiring idle uploads first
// if none is free.
func (s *Server) takeFile() bool {
	if s.files.take() {
		return true
	}
	s.uploads.expire()
	return s.files.take()
}

// sessionCookie is the dropbox's own cookie; the site and newsroom never
// see it (they listen elsewhere and use other names).
const sessionCookie = "dropbox_session"

func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return &web.Page{
		Lang:  s.render.Cat.Negotiate(w, r),
		Zone:  "dropbox",
		Title: title,
		Demo:  s.cfg.Demo,
		CSRF:  s.csrf.Token(w, r),
		Path:  r.URL.Path,
		Data:  data,
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, back string) {
	s.render.Error(w, s.page(w, r, "error.title", nil), err, back)
}

// recipients returns every current journalist's recipient. With none, the
// dropbox refuses submissions rather than encrypt to nobody.
func (s *Server) recipients(ctx context.Context) ([]age.Recipient, error) {
	js, err := s.cfg.Store.Journalists(ctx)
	if err != nil {
		return nil, err
	}
	rs := make([]string, len(js))
	for i, j := range js {
		rs[i] = j.Recipient
	}
	return seal.ParseRecipients(rs)
}

func (s *Server) accepting(ctx context.Context) bool {
	_, err := s.recipients(ctx)
	return err == nil
}

// current returns the session of a logged-in browser.
func (s *Server) current(r *http.Request) (*session, *age.X25519Identity, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil, errNoSession
	}
	return s.sessions.lookup(ck.Value)
}

func (s *Server) setSession(w http.ResponseWriter, bearer string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: bearer, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// newSource creates a source for freshly derived keys, retrying the rare
// designation clash.
func (s *Server) newSource(ctx context.Context, loginHash []byte, recipient string) (store.Source, error) {
	today := store.Today()
	for i := 0; i < 8; i++ {
		src := store.Source{ID: store.NewID(), LoginHash: loginHash, Recipient: recipient,
			Designation: seal.NewDesignation(), Created: today, Active: today}
		err := s.cfg.Store.CreateSource(ctx, src)
		if err == nil {
			return src, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return store.Source{}, err
		}
		if _, err := s.cfg.Store.SourceByLogin(ctx, loginHash); err == nil {
			return store.Source{}, store.ErrConflict
		}
	}
	return store.Source{}, errors.New("dropbox: no free designation")
}
