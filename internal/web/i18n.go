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

// HasKey reports whether lang's own catalogue has key (T falls back to
// English for one that does not).
func (c *Catalog) HasKey(lang, key string) bool { _, ok := c.msgs[lang][key]; return ok }

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
	if l := c.queryLang(r); l != "" {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", SameSite: http.SameSiteStrictMode, HttpOnly: true})
	}
	return c.Preferred(r)
}

// Preferred is the language a request asks for, without remembering
// anything: an explicit ?lang= link, then the cookie, then Accept-Language.
// It suits work that writes no page, such as choosing a mail's language.
// It runs on every page view, so it allocates nothing for a request
// without a query.
func (c *Catalog) Preferred(r *http.Request) string {
	if l := c.queryLang(r); l != "" {
		return l
	}
	return c.Remembered(r)
}

// Remembered is the language the cookie, then Accept-Language, asks for,
// ignoring ?lang=: for a page whose lang parameter names something else
// (the archive's translations).
func (c *Catalog) Remembered(r *http.Request) string {
	if ck, err := r.Cookie(LangCookie); err == nil && c.Has(ck.Value) {
		return ck.Value
	}
	if l, ok := c.acceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	return DefaultLang
}

// queryLang is an explicit ?lang= link's language, or "".
func (c *Catalog) queryLang(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	if l := r.URL.Query().Get("lang"); c.Has(l) {
		return l
	}
	return ""
}

// acceptLanguage is the catalogue language an Accept-Language header
// prefers: of the tags ParseAcceptLanguage keeps, the first of the highest
// quality whose language (or its base, "ru" of "ru-RU") has a catalogue.
// It scans the header in place instead of building ParseAcceptLanguage's
// list; a test holds the two to the same answer.
func (c *Catalog) acceptLanguage(h string) (string, bool) {
	best, bestQ := "", 0.0
	for i := 0; i < 32 && (i == 0 || h != ""); i++ {
		part := h
		if j := strings.IndexByte(h, ','); j >= 0 {
			part, h = h[:j], h[j+1:]
		} else {
			h = ""
		}
		tag, q, ok := acceptTag(part)
		if !ok || q <= bestQ {
			continue
		}
		if l, ok := c.lookup(tag); ok {
			best, bestQ = l, q
		}
	}
	return best, best != ""
}

// lookup finds a catalogue for a tag (any case), or for its base language.
func (c *Catalog) lookup(tag string) (string, bool) {
	base, _, _ := strings.Cut(tag, "-")
	for _, l := range c.langs {
		if strings.EqualFold(tag, l) {
			return l, true
		}
	}
	for _, l := range c.langs {
		if strings.EqualFold(base, l) {
			return l, true
		}
	}
	return "", false
}

// acceptTag reads one comma-separated part of an Accept-Language header:
// its tag, as sent, and its quality; ok is false for junk, "*" and q=0.
func acceptTag(part string) (tag string, q float64, ok bool) {
	tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
	tag = strings.TrimSpace(tag)
	if tag == "" || tag == "*" || len(tag) > 35 || !validTagFold(tag) {
		return "", 0, false
	}
	q = 1.0
	if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
		v, err := strconv.ParseFloat(p[2:], 64)
		if err != nil || v < 0 || v > 1 {
			return "", 0, false
		}
		q = v
	}
	return tag, q, q != 0
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
		lang, q, ok := acceptTag(part)
		if !ok {
			continue
		}
		tags = append(tags, tag{strings.ToLower(lang), q, i})
	}
	sort.SliceStable(tags, func(a, b int) bool { return tags[a].q > tags[b].q })
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.lang
	}
	return out
}

// validTagFold is validTag for a tag in any case of ASCII letters.
func validTagFold(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validTag(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Keys lists the English catalogue's keys that start with prefix, sorted.
func (c *Catalog) Keys(prefix string) []string {
	var keys []string
	for k := range c.msgs[DefaultLang] {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
