package workstation

import (
	"confide/internal/api"
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"confide/internal/web"

	"filippo.io/age"
)

//go:embed templates/*.html
var templates embed.FS

// UI is the workstation's local web interface: plaintext lives only here,
// on the journalist's computer, served on the loopback address only.
type UI struct {
	Out      string
	StateDir string
	Identity age.Identity
	Log      *slog.Logger

	render *web.Renderer
	csrf   web.CSRF
	root   *os.Root
	addr   string
	// token is made at each launch and printed in the URL; nothing is
	// served without it, since loopback is open to every user of the
	// computer.
	token string
}

// NewUI prepares the interface over the pulled folder.
func NewUI(out, stateDir string, id age.Identity, log *slog.Logger) (*UI, error) {
	if err := checkOut(out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	root, err := os.OpenRoot(out)
	if err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	rd, err := web.NewRenderer(log, templates)
	if err != nil {
		return nil, err
	}
	tok, _ := web.NewToken()
	return &UI{Out: out, StateDir: stateDir, Identity: id, Log: log, render: rd, csrf: web.CSRF{Cookie: "workstation_csrf"}, root: root, token: tok}, nil
}

// URL is the address to open: it carries this launch's token, which the
// first request trades for a cookie.
func (u *UI) URL(addr string) string { return "http://" + addr + "/?token=" + u.token }

// Listen binds a loopback address; anything else is refused, since the
// pages show plaintext.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("workstation: %s is not a loopback address: the workstation UI shows plaintext and listens on this computer only", addr)
	}
	return net.Listen("tcp", addr)
}

// Handler returns the routes, behind a Host check that defeats DNS
// rebinding (a page from elsewhere cannot reach this server by name), the
// per-launch token (another user of this computer cannot either), and
// CSRF.
func (u *UI) Handler(addr string) http.Handler {
	u.addr = addr
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)
	mux.HandleFunc("GET /{$}", u.indexShow)
	mux.HandleFunc("GET /sources/{source}", u.sourceShow)
	mux.HandleFunc("GET /sources/{source}/files/{file}", u.fileDownload)
	mux.HandleFunc("POST /sources/{source}/files/{file}/scrub", u.fileScrub)
	mux.HandleFunc("POST /sources/{source}/reply", u.replyCreate)
	mux.HandleFunc("POST /pull", u.pull)
	return web.SecurityHeaders(web.Recover(u.Log, u.hostCheck(mux)))
}

func (u *UI) hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(u.addr)
		h := r.Host
		if h != u.addr && h != "localhost:"+port && h != "127.0.0.1:"+port && h != "[::1]:"+port {
			http.Error(w, "wrong host", http.StatusMisdirectedRequest)
			return
		}
		if !u.authorized(w, r) {
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 2<<20)
			if err := r.ParseForm(); err != nil || !u.csrf.Valid(r, r.PostForm.Get(web.Field)) {
				u.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// authCookie is per port: cookies are not, so two workstations on one
// computer would otherwise overwrite each other's.
func (u *UI) authCookie() string {
	_, port, _ := net.SplitHostPort(u.addr)
	return "workstation_auth_" + port
}

// authorized admits a request with the token, Jupyter's way: ?token= once,
// traded for an HttpOnly, SameSite=Strict cookie and a redirect that drops
// it from the address bar; anything else gets a 403 that shows nothing.
func (u *UI) authorized(w http.ResponseWriter, r *http.Request) bool {
	same := func(s string) bool { return subtle.ConstantTimeCompare([]byte(s), []byte(u.token)) == 1 }
	if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet {
		if !same(q) {
			http.Error(w, "this is not the token confide workstation serve printed", http.StatusForbidden)
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: u.authCookie(), Value: u.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, r.URL.EscapedPath(), http.StatusSeeOther)
		return false
	}
	if c, err := r.Cookie(u.authCookie()); err == nil && same(c.Value) {
		return true
	}
	http.Error(w, "open the address confide workstation serve printed, with its token", http.StatusForbidden)
	return false
}

func (u *UI) page(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return &web.Page{Lang: u.render.Cat.Negotiate(w, r), Zone: "workstation", Title: title, CSRF: u.csrf.Token(w, r), Path: r.URL.Path, Data: data}
}

func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	u.render.Error(w, u.page(w, r, "error.title", nil), err, "/")
}

// entry is one pulled file.
type entry struct {
	Name, Kind, Text string
	Size             int64
	// Scrubbable offers a metadata-free copy only where Scrub can make one.
	Scrubbable bool
}

type indexData struct{ Sources []string }

func (u *UI) indexShow(w http.ResponseWriter, r *http.Request) {
	ents, err := os.ReadDir(u.Out)
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err))
		return
	}
	var d indexData
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			d.Sources = append(d.Sources, e.Name())
		}
	}
	sort.Strings(d.Sources)
	u.render.Render(w, http.StatusOK, "index", u.page(w, r, "workstation.index.title", d))
}

type sourceData struct {
	Source  string
	Entries []entry
	Flash   string
}

// sourceShow shows a conversation in plaintext: messages and replies
// inline, files as links, with a scrubbed-copy button.
func (u *UI) sourceShow(w http.ResponseWriter, r *http.Request) {
	src := r.PathValue("source")
	dir, err := u.root.Open(src)
	if err != nil || SafeName(src) != src {
		u.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil))
		return
	}
	defer dir.Close()
	ents, err := dir.ReadDir(-1)
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil))
		return
	}
	d := sourceData{Source: src, Flash: r.URL.Query().Get("flash")}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		// A file's custody record is for the archive, not for reading.
		if base, ok := strings.CutSuffix(e.Name(), api.SidecarSuffix); ok {
			if _, err := u.root.Stat(filepath.Join(src, base)); err == nil {
				continue
			}
		}
		info, _ := e.Info()
		en := entry{Name: e.Name(), Kind: "file", Size: info.Size()}
		if strings.HasSuffix(e.Name(), "-message.txt") || strings.HasSuffix(e.Name(), "-reply.txt") {
			en.Kind = strings.TrimSuffix(e.Name()[strings.LastIndex(e.Name(), "-")+1:], ".txt")
			if f, err := u.root.Open(filepath.Join(src, e.Name())); err == nil {
				b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
				f.Close()
				en.Text = string(b)
			}
		}
		if en.Kind == "file" {
			en.Scrubbable = CanScrub(filepath.Join(u.Out, src, e.Name()))
		}
		d.Entries = append(d.Entries, en)
	}
	sort.Slice(d.Entries, func(i, j int) bool { return d.Entries[i].Name < d.Entries[j].Name })
	u.render.Render(w, http.StatusOK, "source", u.page(w, r, "workstation.source.title", d))
}

func (u *UI) fileDownload(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	p := filepath.Join(r.PathValue("source"), name)
	if strings.HasPrefix(r.URL.Query().Get("copy"), "scrubbed") {
		name = CleanedName(name)
		p = filepath.Join(r.PathValue("source"), "scrubbed", name)
	}
	f, err := u.root.Open(p)
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	io.Copy(w, f)
}

// fileScrub makes a metadata-free copy under scrubbed/, named
// name.cleaned.ext so it cannot pass for the original, which it keeps.
func (u *UI) fileScrub(w http.ResponseWriter, r *http.Request) {
	src, file := r.PathValue("source"), r.PathValue("file")
	if SafeName(src) != src || SafeName(file) != file {
		u.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil))
		return
	}
	if _, err := u.root.Stat(filepath.Join(src, file)); err != nil {
		u.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil))
		return
	}
	_, err := Scrub(filepath.Join(u.Out, src, file), filepath.Join(u.Out, src, "scrubbed", CleanedName(file)))
	if errors.Is(err, ErrCannotScrub) {
		u.fail(w, r, web.Fail(http.StatusUnprocessableEntity, "workstation.scrub.unsupported", nil))
		return
	}
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusInternalServerError, "workstation.scrub.failed", err))
		return
	}
	http.Redirect(w, r, "/sources/"+src+"/files/"+file+"?copy=scrubbed", http.StatusSeeOther)
}

func (u *UI) client() (*State, *Client, error) {
	st, err := LoadState(u.StateDir)
	if err != nil {
		return nil, nil, err
	}
	c, err := st.Client()
	return st, c, err
}

// replyCreate encrypts here and sends; then pulls, so the reply shows.
func (u *UI) replyCreate(w http.ResponseWriter, r *http.Request) {
	src := r.PathValue("source")
	text := strings.TrimSpace(r.PostForm.Get("reply"))
	if text == "" {
		u.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.reply.empty", nil))
		return
	}
	st, c, err := u.client()
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusUnauthorized, "workstation.login", err))
		return
	}
	if err := Reply(r.Context(), c, src, text); err != nil {
		u.fail(w, r, web.Fail(http.StatusBadGateway, "workstation.reply.failed", err))
		return
	}
	u.pullInto(r.Context(), st, c)
	http.Redirect(w, r, "/sources/"+src+"?flash=sent", http.StatusSeeOther)
}

func (u *UI) pull(w http.ResponseWriter, r *http.Request) {
	st, c, err := u.client()
	if err != nil {
		u.fail(w, r, web.Fail(http.StatusUnauthorized, "workstation.login", err))
		return
	}
	if err := u.pullInto(r.Context(), st, c); err != nil {
		u.fail(w, r, web.Fail(http.StatusBadGateway, "workstation.pull.failed", err))
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (u *UI) pullInto(ctx context.Context, st *State, c *Client) error {
	_, err := Pull(ctx, c, st, u.Identity, u.Out)
	if serr := st.Save(u.StateDir); err == nil {
		err = serr
	}
	return err
}
