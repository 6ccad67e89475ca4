package translate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// standIn is a stand-in that speaks LibreTranslate's /translate and
// /languages as documented (https://docs.libretranslate.com, "API usage"):
// POST /translate takes JSON {q, source, target, format, api_key} and
// answers {"translatedText": …} (a list when q is a list) or {"error": …}
// with a 4xx status; GET /languages lists {code, name, targets}; GET /spec
// is the OpenAPI document whose info.version is the server's version. It
// "translates" by upper-casing and prefixing the target code, so a test can
// check which text came back where.
type standIn struct {
	mu       sync.Mutex
	requests [][]string // the q of each /translate, in order
	keys     []string
	key      string // required api_key, if set
	answer   func(q []string) any
	delay    time.Duration
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/languages":
		fmt.Fprint(w, `[{"code":"en","name":"English","targets":["en","es","ru"]},{"code":"ru","name":"Russian","targets":["en"]}]`)
	case r.Method == http.MethodGet && r.URL.Path == "/spec":
		fmt.Fprint(w, `{"info":{"title":"LibreTranslate","version":"1.6.2"},"paths":{}}`)
	case r.Method == http.MethodPost && r.URL.Path == "/translate":
		var req struct {
			Q      []string `json:"q"`
			Source string   `json:"source"`
			Target string   `json:"target"`
			Format string   `json:"format"`
			APIKey string   `json:"api_key"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"Invalid request: %s"}`, err)
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, req.Q)
		s.keys = append(s.keys, req.APIKey)
		s.mu.Unlock()
		if s.key != "" && req.APIKey != s.key {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":"Invalid API key"}`)
			return
		}
		if req.Format != "text" || req.Source != "ru" && req.Source != "en" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"%s is not supported"}`, req.Source)
			return
		}
		if s.delay > 0 {
			select {
			case <-time.After(s.delay):
			case <-r.Context().Done():
				return
			}
		}
		var ans any
		if s.answer != nil {
			ans = s.answer(req.Q)
		} else {
			out := make([]string, len(req.Q))
			for i, q := range req.Q {
				out[i] = req.Target + ":" + strings.ToUpper(q)
			}
			ans = map[string]any{"translatedText": out}
		}
		json.NewEncoder(w).Encode(ans)
	default:
		http.NotFound(w, r)
	}
}

func newStandIn(t *testing.T, s *standIn, o LibreOptions) *Libre {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	l, err := NewLibre(context.Background(), srv.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLibreTranslatesAPage(t *testing.T) {
	s := &standIn{key: "k1"}
	l := newStandIn(t, s, LibreOptions{APIKey: "k1"})
	if l.Name() != "libretranslate" || l.Version() != "1.6.2" {
		t.Errorf("name %q version %q", l.Name(), l.Version())
	}
	if !Offers(l, "ru", "en") || !Offers(l, "eng", "spa") || Offers(l, "ru", "es") || Offers(l, "en", "en") {
		t.Errorf("pairs %v", l.Pairs())
	}
	tr, err := Page(context.Background(), l, "rus", "en", "Протокол засе-\nдания.\n\nВторой абзац.")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"en:ПРОТОКОЛ ЗАСЕДАНИЯ.", "en:ВТОРОЙ АБЗАЦ."}
	if strings.Join(tr.Translated, "|") != strings.Join(want, "|") {
		t.Errorf("translated %q, want %q", tr.Translated, want)
	}
	p := tr.Provenance
	if !p.Machine || p.Engine != "libretranslate" || p.Version != "1.6.2" || p.From != "ru" || p.To != "en" {
		t.Errorf("provenance %+v", p)
	}
	if got := p.Label(); got != "Machine translation (libretranslate 1.6.2), ru→en" {
		t.Errorf("label %q", got)
	}
	if rows := tr.Rows(); len(rows) != 2 || rows[1].Original != "Второй абзац." || rows[1].Translation != want[1] {
		t.Errorf("rows %v", rows)
	}
	if len(s.requests) != 1 || s.keys[0] != "k1" {
		t.Errorf("requests %q keys %q, want one with the key", s.requests, s.keys)
	}
	if _, err := Page(context.Background(), l, "ru", "es", "текст"); !errors.Is(err, ErrPair) {
		t.Errorf("an unoffered pair: %v, want ErrPair", err)
	}
}

func TestLibreSplitsLargePages(t *testing.T) {
	s := &standIn{}
	l := newStandIn(t, s, LibreOptions{MaxRequest: 40})
	paras := []string{
		"short one",
		"another short",
		"a third that fills",
		"This paragraph is far longer than forty bytes. It has two sentences in it.",
	}
	out, err := l.Translate(context.Background(), "en", "es", paras)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(paras) {
		t.Fatalf("%d out for %d", len(out), len(paras))
	}
	for i, p := range paras {
		if out[i] != "es:"+strings.ToUpper(p) && i < 3 {
			t.Errorf("paragraph %d: %q", i, out[i])
		}
	}
	if out[3] != "es:THIS PARAGRAPH IS FAR LONGER THAN FORTY es:BYTES. IT HAS TWO SENTENCES IN IT." {
		t.Errorf("long paragraph folded back as %q", out[3])
	}
	if len(s.requests) < 3 {
		t.Errorf("%d requests, want the page split", len(s.requests))
	}
	for _, q := range s.requests {
		n := 0
		for _, p := range q {
			n += len(p)
		}
		if n > 40 {
			t.Errorf("a request of %d bytes of text, more than the bound of 40: %q", n, q)
		}
	}
}

func TestLibreErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong key: the endpoint's words", func(t *testing.T) {
		l := newStandIn(t, &standIn{key: "right"}, LibreOptions{APIKey: "wrong"})
		_, err := l.Translate(ctx, "en", "es", []string{"x"})
		if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "Invalid API key") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("fewer paragraphs back", func(t *testing.T) {
		l := newStandIn(t, &standIn{answer: func(q []string) any { return map[string]any{"translatedText": q[:len(q)-1]} }}, LibreOptions{})
		_, err := l.Translate(ctx, "en", "es", []string{"a", "b"})
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("err = %v, want ErrMismatch", err)
		}
	})
	t.Run("answer too large", func(t *testing.T) {
		l := newStandIn(t, &standIn{answer: func(q []string) any {
			return map[string]any{"translatedText": []string{strings.Repeat("x", 5000)}}
		}}, LibreOptions{MaxAnswer: 1000})
		_, err := l.Translate(ctx, "en", "es", []string{"a"})
		if err == nil || !strings.Contains(err.Error(), "larger than 1000") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("slow endpoint times out", func(t *testing.T) {
		l := newStandIn(t, &standIn{delay: 5 * time.Second}, LibreOptions{Timeout: 200 * time.Millisecond})
		start := time.Now()
		_, err := l.Translate(ctx, "en", "es", []string{"a"})
		if err == nil || time.Since(start) > 3*time.Second {
			t.Errorf("err = %v after %v", err, time.Since(start))
		}
	})
	t.Run("redirect not followed", func(t *testing.T) {
		var hit bool
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
		defer other.Close()
		s := &standIn{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/translate" {
				http.Redirect(w, r, other.URL+"/translate", http.StatusTemporaryRedirect)
				return
			}
			s.ServeHTTP(w, r)
		}))
		defer srv.Close()
		l, err := NewLibre(ctx, srv.URL, LibreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Translate(ctx, "en", "es", []string{"secret"}); err == nil || !strings.Contains(err.Error(), "redirect") || hit {
			t.Errorf("err = %v, other server hit: %v", err, hit)
		}
	})
	t.Run("not a LibreTranslate", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		if _, err := NewLibre(ctx, srv.URL, LibreOptions{}); err == nil || !strings.Contains(err.Error(), "/languages") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCheckURL(t *testing.T) {
	ok := []string{"https://mt.example.org", "https://mt.example.org/api/", "http://127.0.0.1:5000", "http://localhost:5000",
		"http://10.0.0.7", "http://192.168.1.2:5000/lt", "http://172.16.0.1", "http://[::1]:5000", "http://[fd00::1]"}
	bad := []string{"", "  ", "http://mt.example.org", "http://8.8.8.8", "http://172.32.0.1", "ftp://127.0.0.1",
		"https://user:pw@mt.example.org", "http://internal.lan", "127.0.0.1:5000", "https://"}
	for _, u := range ok {
		if _, err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v, want accepted", u, err)
		}
	}
	for _, u := range bad {
		if _, err := CheckURL(u); err == nil {
			t.Errorf("CheckURL(%q) accepted, want refused", u)
		}
	}
	// NewLibre applies the rule before it dials anything.
	if _, err := NewLibre(context.Background(), "http://203.0.113.9:5000", LibreOptions{Timeout: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "use https") {
		t.Errorf("NewLibre to a public plain-http host: %v", err)
	}
}

func TestParseTranslation(t *testing.T) {
	cases := []struct {
		body string
		n    int
		want string // "" means an error
	}{
		{`{"translatedText":["a","b"]}`, 2, "a|b"},
		{`{"translatedText":"one"}`, 1, "one"},
		{`{"translatedText":"one"}`, 2, ""},
		{`{"translatedText":["a"]}`, 2, ""},
		{`{"translatedText":["a","b","c"]}`, 2, ""},
		{`{"translatedText":[1,2]}`, 2, ""},
		{`{"translatedText":null}`, 0, ""},
		{`{"error":"Slow down"}`, 1, ""},
		{`[]`, 0, ""},
		{`not json`, 1, ""},
	}
	for _, c := range cases {
		got, err := ParseTranslation([]byte(c.body), c.n)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseTranslation(%s, %d) = %q, want an error", c.body, c.n, got)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != c.want {
			t.Errorf("ParseTranslation(%s, %d) = %q, %v; want %q", c.body, c.n, got, err, c.want)
		}
	}
}

// FuzzParseTranslation: whatever the body, an accepted answer has exactly
// the count asked for, and a well-formed list of another length is never
// accepted.
func FuzzParseTranslation(f *testing.F) {
	f.Add([]byte(`{"translatedText":["a","b"]}`), 2)
	f.Add([]byte(`{"translatedText":"x"}`), 1)
	f.Add([]byte(`{"translatedText":["a"],"translatedText":["a","b"]}`), 1)
	f.Add([]byte(`{"error":"x","translatedText":[]}`), 0)
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		got, err := ParseTranslation(body, n)
		if err == nil && len(got) != n {
			t.Fatalf("accepted %d paragraphs for %d: %q", len(got), n, body)
		}
		var probe struct {
			Text []string `json:"translatedText"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Text != nil && len(probe.Text) != n && err == nil {
			t.Fatalf("accepted a list of %d for %d: %q", len(probe.Text), n, body)
		}
		if err != nil && errors.Is(err, ErrMismatch) && got != nil {
			t.Fatalf("a mismatch returned paragraphs")
		}
	})
}
