package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Catalogues are embedded; adding a language is adding locales/xx.json with
// the same keys as en.json (a test checks every key is present).
//
//go:embed locales/*.json
var localeFS embed.FS

// Catalog holds every language's messages.
type Catalog struct {
	msgs  map[string]map[string]string
	langs []string
}

// DefaultLang is used when nothing the visitor accepts is available.
const DefaultLang = "en"

// LoadCatalog reads the embedded catalogues.
func LoadCatalog() (*Catalog, error) {
	return loadCatalog(localeFS)
}

func loadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: %s: %w", f, err)
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(f, "locales/"), ".json")
		c.msgs[lang] = m
		c.langs = append(c.langs, lang)
	}
	sort.Strings(c.langs)
	if _, ok := c.msgs[DefaultLang]; !ok {
		return nil, fmt.Errorf("web: no %s catalogue", DefaultLang)
	}
	return c, nil
}

// Langs lists the available languages.
func (c *Catalog) Langs() []string { return c.langs }

// Has reports whether lang has a catalogue.
func (c *Catalog) Has(lang string) bool { _, ok := c.msgs[lang]; return ok }

// T translates key into lang, falling back to English, then to the key.
// Arguments fill fmt verbs in the message.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		msg, ok = c.msgs[DefaultLang][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// LangCookie remembers a language chosen by link. It holds only the language.
const LangCookie = "lang"

// Negotiate picks the page language and remembers an explicit ?lang= link
// in a cookie.
func (c *Catalog) Negotiate(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); c.Has(l) {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", SameSite: http.SameSiteStrictMode, HttpOnly: true})
	}
	return c.Preferred(r)
}

// Preferred is the language a request asks for, without remembering
// anything: an explicit ?lang= link, then the cookie, then Accept-Language.
// It suits work that writes no page, such as choosing a mail's language.
func (c *Catalog) Preferred(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); c.Has(l) {
		return l
	}
	if ck, err := r.Cookie(LangCookie); err == nil && c.Has(ck.Value) {
		return ck.Value
	}
	for _, l := range ParseAcceptLanguage(r.Header.Get("Accept-Language")) {
		if c.Has(l) {
			return l
		}
		if base, _, ok := strings.Cut(l, "-"); ok && c.Has(base) {
			return base
		}
	}
	return DefaultLang
}

// ParseAcceptLanguage returns the lower-cased language tags of an
// Accept-Language header by descending quality, dropping q=0 and junk.
func ParseAcceptLanguage(h string) []string {
	type tag struct {
		lang string
		q    float64
		i    int
	}
	var tags []tag
	for i, part := range strings.Split(h, ",") {
		if i >= 32 {
			break // a header with more is not from a real browser
		}
		lang, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		lang = strings.ToLower(strings.TrimSpace(lang))
		if lang == "" || lang == "*" || len(lang) > 35 || !validTag(lang) {
			continue
		}
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			v, err := strconv.ParseFloat(p[2:], 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		if q == 0 {
			continue
		}
		tags = append(tags, tag{lang, q, i})
	}
	sort.SliceStable(tags, func(a, b int) bool { return tags[a].q > tags[b].q })
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.lang
	}
	return out
}

func validTag(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
