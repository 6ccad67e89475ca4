package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var layoutFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Page is what every template sees. Zone-specific data goes in Data.
type Page struct {
	Lang  string
	Langs []string
	Zone  string // "site", "dropbox" or "newsroom"
	Title string // catalogue key
	// TitleText, when set, is the page title as is (a story's headline).
	TitleText string
	// Canonical is the page's canonical absolute URL, if it has one.
	Canonical string
	Demo      bool
	CSRF      string
	Path      string
	Data      any
}

// Renderer renders a zone's pages inside the shared layout.
type Renderer struct {
	Cat   *Catalog
	Log   *slog.Logger
	pages map[string]*template.Template
}

// Funcs are the template helpers every page may use.
func (c *Catalog) Funcs() template.FuncMap {
	return template.FuncMap{
		"t": c.T,
		"n": c.N,
		// tc is t for texts that mark commands with `backticks`.
		"tc":   c.TCode,
		"size": Size,
		"date": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"add":  func(a, b int) int { return a + b },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"sub": func(a, b int) int { return a - b },
		// burned is Burned: what a redaction burned, counted.
		"burned": c.Burned,
		// checks is Checks: a verification's checks, named in the language;
		// check names one.
		"checks": c.Checks,
		"check":  func(lang, name string) string { return c.Checks(lang, []string{name}) },
	}
}

// NewRenderer loads the catalogues and parses every templates/*.html of
// pages with the layout.
func NewRenderer(log *slog.Logger, pages fs.FS) (*Renderer, error) {
	cat, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(cat.Funcs()).ParseFS(layoutFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	rd := &Renderer{Cat: cat, Log: log, pages: map[string]*template.Template{}}
	names, err := fs.Glob(pages, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Files named _*.html are partials that every page of the zone can use.
	var partials []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			partials = append(partials, n)
		}
	}
	if len(partials) > 0 {
		if base, err = base.ParseFS(pages, partials...); err != nil {
			return nil, fmt.Errorf("web: partials: %w", err)
		}
	}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(pages, n)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		rd.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	rd.pages["error"] = base
	return rd, nil
}

// Render writes a page with the given status. The page is rendered to memory
// first so a template failure never sends half a page.
func (rd *Renderer) Render(w http.ResponseWriter, status int, name string, p *Page) {
	t, ok := rd.pages[name]
	if !ok {
		rd.Log.Error("web: no such template", "name", name)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	p.Langs = rd.Cat.Langs()
	var buf bytes.Buffer
	exec := "layout.html"
	if name == "error" {
		exec = "error.html"
	}
	if err := t.ExecuteTemplate(&buf, exec, p); err != nil {
		rd.Log.Error("web: render", "template", name, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Error is a failure with two faces: Public, a catalogue key shown to the
// visitor, and Err, the detail that is logged and never shown.
type Error struct {
	Status int
	Public string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Public + ": " + e.Err.Error()
	}
	return e.Public
}

func (e *Error) Unwrap() error { return e.Err }

// Fail builds an Error.
func Fail(status int, public string, err error) *Error {
	return &Error{Status: status, Public: public, Err: err}
}

// ErrorData is what the error page shows.
type ErrorData struct {
	Message string // catalogue key
	Back    string
}

// Error renders err for a visitor: its public face if it is an *Error, a
// generic message otherwise. The internal detail is only logged.
func (rd *Renderer) Error(w http.ResponseWriter, p *Page, err error, back string) {
	var e *Error
	if !errors.As(err, &e) {
		e = Fail(http.StatusInternalServerError, "error.internal", err)
	}
	if e.Err != nil && e.Status >= 500 {
		rd.Log.Error("web: request failed", "zone", p.Zone, "err", e.Err)
	}
	if e.Status == http.StatusServiceUnavailable || e.Status == http.StatusTooManyRequests {
		RetryLater(w)
	}
	p.Title = "error.title"
	p.Data = ErrorData{Message: e.Public, Back: back}
	rd.Render(w, e.Status, "error", p)
}

// RetryLater tells a client refused as busy or throttled when to come back.
func RetryLater(w http.ResponseWriter) {
	if w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
}

// Style serves the shared stylesheet.
func Style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(styleCSS)
}
