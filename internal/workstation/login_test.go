package workstation

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// switchProxy forwards to whichever newsroom it currently points at, as an
// attacker on the path or a hijacked name would, and counts the logins
// that reach it.
type switchProxy struct {
	target atomic.Pointer[url.URL]
	logins atomic.Int32
}

func (p *switchProxy) start(t *testing.T) *httptest.Server {
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(p.target.Load()) }}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/token" {
			p.logins.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (p *switchProxy) point(ts *httptest.Server) {
	u, _ := url.Parse(ts.URL)
	p.target.Store(u)
}

func TestLoginPinsTheKeyAndChecksItFirst(t *testing.T) {
	genuine, other := startNewsroom(t), startNewsroom(t)
	var sp switchProxy
	sp.point(genuine.ts)
	ts := sp.start(t)
	ctx := context.Background()
	st := &State{Pulled: map[string]string{}}
	var notice strings.Builder

	// First use, with a trailing slash, and no second factor confirmed on
	// the web yet: a valid code confirms it.
	if _, err := Login(ctx, st, ts.URL+"/", genuine.name, nil, genuine.secrets, &notice); err != nil {
		t.Fatalf("first login: %v", err)
	}
	if !strings.Contains(notice.String(), "Trusting the newsroom's API key on first use") || string(st.ServerKey) != string(genuine.srv.PublicKey()) {
		t.Fatalf("first use: %q, pinned %x", notice.String(), st.ServerKey)
	}
	st.Pulled["item"], st.ItemsCursor = "brave otter/000001-message.txt", 1

	// The same newsroom spelled differently is the same pin, not a new
	// first use.
	notice.Reset()
	if _, err := Login(ctx, st, strings.Replace(ts.URL, "http://", "HTTP://", 1), genuine.name, nil, genuine.secrets, &notice); err != nil || notice.Len() != 0 {
		t.Fatalf("second login: %v %q", err, notice.String())
	}

	// Someone else answers at that address: refused before any secret is
	// asked for or sent, and the state keeps its pin.
	sp.point(other.ts)
	asked := false
	ask := func() (string, string, error) { asked = true; return genuine.secrets() }
	logins := sp.logins.Load()
	_, err := Login(ctx, st, ts.URL, genuine.name, nil, ask, &notice)
	if !errors.Is(err, ErrKeyChanged) || asked || sp.logins.Load() != logins {
		t.Fatalf("impostor: %v, secrets asked %v, logins sent %d", err, asked, sp.logins.Load()-logins)
	}
	if !strings.Contains(err.Error(), "nothing was sent") || string(st.ServerKey) != string(genuine.srv.PublicKey()) || st.ItemsCursor != 1 {
		t.Fatalf("impostor: %v, state %+v", err, st)
	}

	// A --server-key the server cannot sign for is refused the same way.
	sp.point(genuine.ts)
	if _, err := Login(ctx, &State{Pulled: map[string]string{}}, ts.URL, genuine.name, other.srv.PublicKey(), ask, &notice); !errors.Is(err, ErrKeyChanged) || asked {
		t.Fatalf("wrong --server-key: %v, secrets asked %v", err, asked)
	}

	// The same key at another address is the same newsroom: what was
	// pulled is kept.
	if _, err := Login(ctx, st, genuine.ts.URL, genuine.name, nil, genuine.secrets, &notice); err != nil || st.Pulled["item"] == "" || st.ItemsCursor != 1 {
		t.Fatalf("same key, new address: %v %+v", err, st)
	}
}

// A server that does not hold the key it names is refused on first use:
// its answer is not signed by that key.
func TestFetchKeyNeedsTheKeyToSign(t *testing.T) {
	n := startNewsroom(t)
	liar := n.proxy(nil, func(r *http.Response) error {
		if r.Request.URL.Path == "/api/v1/key" {
			r.Header.Set("Confide-Signature", strings.Repeat("A", 86)+"==")
		}
		return nil
	})
	c, _ := NewClient(liar.URL, nil)
	if _, err := c.FetchKey(context.Background(), nil); !errors.Is(err, ErrTampered) {
		t.Fatalf("unsigned key accepted: %v", err)
	}
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8082/":              "http://127.0.0.1:8082",
		"HTTPS://Newsroom.Example.ORG:443/":   "https://newsroom.example.org",
		"http://newsroom.example:80/confide/": "http://newsroom.example/confide",
		"http://[::1]:8082":                   "http://[::1]:8082",
	} {
		if got, err := NormalizeURL(in); err != nil || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "newsroom.example", "ftp://x", "http://user:pw@x", "http://x/?a=b", "http://x/#f"} {
		if got, err := NormalizeURL(bad); err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", bad, got)
		}
	}
}
