package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Libre is a LibreTranslate-compatible HTTP endpoint: POST /translate with
// q (an array), source, target, format=text and an optional api_key; GET
// /languages for the pairs; GET /spec, when it answers, for the version.
type Libre struct {
	base    *url.URL
	apiKey  string
	client  *http.Client
	version string
	pairs   []Pair
	// MaxRequest bounds the bytes of paragraph text in one request; a
	// page with more is sent in several, a longer paragraph in pieces.
	MaxRequest int
	// MaxAnswer bounds the bytes of one answer read.
	MaxAnswer int64
}

// LibreOptions configures NewLibre; zero values take the defaults.
type LibreOptions struct {
	APIKey     string
	Timeout    time.Duration // per request; default 2 minutes
	MaxRequest int           // default 32 KiB
	MaxAnswer  int64         // default 4 MiB
}

// CheckURL states the rule for an engine's address: http or https only,
// no user name or password in it, and plain http only to a loopback or
// private address (an IP literal in 127/8, ::1, 10/8, 172.16/12,
// 192.168/16, fc00::/7, link-local, or "localhost"), since anything else
// would carry secret documents in the clear across networks the newsroom
// does not own. A host name other than localhost needs https even if it
// resolves to a private address, because what it resolves to can change.
func CheckURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("translate: no engine URL given (there is no default: documents go only where you say)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("translate: engine URL %q: %v", raw, err)
	}
	if u.User != nil {
		return nil, errors.New("translate: engine URL must not hold a user name or password (give the API key apart)")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("translate: engine URL %q has no host", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !privateHost(u.Hostname()) {
			return nil, fmt.Errorf("translate: engine URL %q is plain http to a public host; use https, or a loopback or private address", raw)
		}
	default:
		return nil, fmt.Errorf("translate: engine URL %q: scheme must be http or https", raw)
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

func privateHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// NewLibre checks rawURL (see CheckURL) and asks the endpoint for its
// languages, so a wrong address fails here, not in the middle of a batch.
func NewLibre(ctx context.Context, rawURL string, o LibreOptions) (*Libre, error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.MaxRequest <= 0 {
		o.MaxRequest = 32 << 10
	}
	if o.MaxAnswer <= 0 {
		o.MaxAnswer = 4 << 20
	}
	l := &Libre{
		base:   u,
		apiKey: o.APIKey,
		client: &http.Client{
			Timeout: o.Timeout,
			// No proxy from the environment and no redirect: the text goes
			// to the configured address or nowhere.
			Transport: &http.Transport{Proxy: nil, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 8,
				ResponseHeaderTimeout: o.Timeout, TLSHandshakeTimeout: 10 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return errors.New("translate: the engine answered with a redirect, which is not followed")
			},
		},
		MaxRequest: o.MaxRequest,
		MaxAnswer:  o.MaxAnswer,
	}
	body, err := l.get(ctx, "/languages")
	if err != nil {
		return nil, err
	}
	if l.pairs, err = ParseLanguages(body); err != nil {
		return nil, err
	}
	if spec, err := l.get(ctx, "/spec"); err == nil {
		var s struct {
			Info struct {
				Version string `json:"version"`
			} `json:"info"`
		}
		if json.Unmarshal(spec, &s) == nil {
			l.version = s.Info.Version
		}
	}
	return l, nil
}

// Name is "libretranslate".
func (l *Libre) Name() string { return "libretranslate" }

// Version is what the endpoint's /spec says, "" if it does not answer.
func (l *Libre) Version() string { return l.version }

// URL is the endpoint's address, for the chain of custody.
func (l *Libre) URL() string { return l.base.String() }

// Pairs lists the directions /languages offered.
func (l *Libre) Pairs() []Pair { return slices.Clone(l.pairs) }

// Translate sends the paragraphs in requests of at most MaxRequest bytes
// of text; a paragraph longer than that goes in pieces cut at sentence or
// word ends and comes back joined by a space.
func (l *Libre) Translate(ctx context.Context, from, to string, paragraphs []string) ([]string, error) {
	from, to = Canon(from), Canon(to)
	return inRequests(paragraphs, l.MaxRequest, func(q []string) ([]string, error) { return l.post(ctx, from, to, q) })
}

// inRequests translates paragraphs with send, in requests of at most max
// bytes of text; a paragraph longer than max goes in pieces cut at
// sentence or word ends, and its pieces' translations are joined by a
// space. send must return one translation per string it is given.
func inRequests(paragraphs []string, max int, send func([]string) ([]string, error)) ([]string, error) {
	var flat []string
	owner := make([]int, 0, len(paragraphs))
	for i, p := range paragraphs {
		for _, c := range chunks(p, max) {
			flat = append(flat, c)
			owner = append(owner, i)
		}
	}
	got := make([]string, 0, len(flat))
	for start := 0; start < len(flat); {
		end, size := start, 0
		for end < len(flat) && (end == start || size+len(flat[end]) <= max) {
			size += len(flat[end])
			end++
		}
		out, err := send(flat[start:end])
		if err != nil {
			return nil, err
		}
		if len(out) != end-start {
			return nil, fmt.Errorf("%w: %d for %d", ErrMismatch, len(out), end-start)
		}
		got = append(got, out...)
		start = end
	}
	res := make([]string, len(paragraphs))
	for k, t := range got {
		if t = strings.TrimSpace(t); t != "" && res[owner[k]] != "" {
			res[owner[k]] += " "
		}
		res[owner[k]] += strings.TrimSpace(t)
	}
	return res, nil
}

func (l *Libre) post(ctx context.Context, from, to string, q []string) ([]string, error) {
	req := struct {
		Q      []string `json:"q"`
		Source string   `json:"source"`
		Target string   `json:"target"`
		Format string   `json:"format"`
		APIKey string   `json:"api_key,omitempty"`
	}{q, from, to, "text", l.apiKey}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base.String()+"/translate", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	ans, err := l.do(r)
	if err != nil {
		return nil, err
	}
	return ParseTranslation(ans, len(q))
}

func (l *Libre) get(ctx context.Context, path string) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base.String()+path, nil)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	r.Header.Set("Accept", "application/json")
	return l.do(r)
}

// do sends r and reads at most MaxAnswer bytes of a 200 answer; any other
// status becomes an error with the endpoint's own words.
func (l *Libre) do(r *http.Request) ([]byte, error) {
	resp, err := l.client.Do(r)
	if err != nil {
		if ctxErr := r.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("translate: %s %s: %w", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, l.MaxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("translate: %s %s: reading the answer: %w", r.Method, r.URL.Path, err)
	}
	if int64(len(body)) > l.MaxAnswer {
		return nil, fmt.Errorf("translate: %s %s: answer larger than %d bytes", r.Method, r.URL.Path, l.MaxAnswer)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		msg := resp.Status
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			msg += ": " + e.Error
		}
		return nil, fmt.Errorf("translate: %s %s: %s", r.Method, r.URL.Path, msg)
	}
	return body, nil
}

// ParseTranslation reads a /translate answer for n paragraphs: an object
// whose translatedText is an array of exactly n strings (or, for n == 1,
// a string). Anything else is an error, a different count ErrMismatch.
func ParseTranslation(body []byte, n int) ([]string, error) {
	var ans struct {
		Text  json.RawMessage `json:"translatedText"`
		Error string          `json:"error"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, fmt.Errorf("translate: the engine's answer is not JSON: %v", err)
	}
	if ans.Error != "" {
		return nil, fmt.Errorf("translate: the engine says: %s", ans.Error)
	}
	if len(ans.Text) == 0 || string(ans.Text) == "null" {
		return nil, errors.New("translate: the engine's answer has no translatedText")
	}
	var list []string
	if ans.Text[0] == '"' {
		var one string
		if err := json.Unmarshal(ans.Text, &one); err != nil {
			return nil, fmt.Errorf("translate: translatedText: %v", err)
		}
		list = []string{one}
	} else if err := json.Unmarshal(ans.Text, &list); err != nil {
		return nil, fmt.Errorf("translate: translatedText is not a list of strings: %v", err)
	}
	if len(list) != n {
		return nil, fmt.Errorf("%w: %d for %d", ErrMismatch, len(list), n)
	}
	return list, nil
}

// ParseLanguages reads a /languages answer: a list of {code, name,
// targets}; every code → target becomes a Pair (a language to itself is
// left out).
func ParseLanguages(body []byte) ([]Pair, error) {
	var langs []struct {
		Code    string   `json:"code"`
		Targets []string `json:"targets"`
	}
	if err := json.Unmarshal(body, &langs); err != nil {
		return nil, fmt.Errorf("translate: /languages is not a list of languages: %v", err)
	}
	var pairs []Pair
	for _, l := range langs {
		for _, t := range l.Targets {
			p := Pair{From: Canon(l.Code), To: Canon(t)}
			if p.From != "" && p.To != "" && p.From != p.To {
				pairs = append(pairs, p)
			}
		}
	}
	if len(pairs) == 0 {
		return nil, errors.New("translate: the engine offers no language pair")
	}
	return pairs, nil
}

// chunks cuts p into pieces of at most max bytes, at a sentence end if
// there is one in the second half of the piece, else at a space, else at a
// rune boundary.
func chunks(p string, max int) []string {
	var out []string
	for len(p) > max {
		cut := strings.LastIndex(p[:max], ". ")
		if cut >= 0 && cut >= max/2 {
			cut += 2
		} else if sp := strings.LastIndexByte(p[:max], ' '); sp > 0 {
			cut = sp + 1
		} else {
			cut = max
			for cut > 0 && !utf8RuneStart(p[cut]) {
				cut--
			}
			if cut == 0 {
				cut = max
			}
		}
		out = append(out, strings.TrimSpace(p[:cut]))
		p = p[cut:]
	}
	return append(out, p)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
