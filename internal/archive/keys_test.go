package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"confide/internal/auth/authtest"
	"confide/internal/web"
)

// keyZone is newWebZone reached by a host name: security keys refuse an
// IP address, as browsers do.
func keyZone(t *testing.T, c Config) *webZone {
	z := newWebZone(t, c)
	z.ts.URL = strings.Replace(z.ts.URL, "127.0.0.1", "localhost", 1)
	return z
}

// send makes a request of the zone's script: JSON, with the page's CSRF
// token in its header unless csrf is empty.
func (b *browser) send(method, path, csrf string, body []byte) (*http.Response, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.z.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set(web.CSRFHeader, csrf)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, out
}

// csrfOf is a page's CSRF token.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in %s", page)
	}
	return m[1]
}

// addKey registers k from the account page, as its script does.
func (b *browser) addKey(k *authtest.Key) {
	b.t.Helper()
	_, page := b.get("/account")
	res, opts := b.send("GET", "/account/keys/options", "", nil)
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("registration options: %d %s", res.StatusCode, opts)
	}
	answer, err := k.Register(b.z.ts.URL, opts)
	if err != nil {
		b.t.Fatal(err)
	}
	if res, body := b.send("POST", "/account/keys", csrfOf(b.t, page), answer); res.StatusCode != http.StatusCreated || !strings.Contains(string(body), "/account?added=1") {
		b.t.Fatalf("registering: %d %s", res.StatusCode, body)
	}
}

// keySignIn signs name in with the passphrase and k, through the key step;
// it returns the key step's answer.
func (z *webZone) keySignIn(t *testing.T, name, pass string, k *authtest.Key) (*browser, int, string) {
	return z.keySignInTo(t, "/", name, pass, k)
}

// keySignInTo is keySignIn from the sign-in page that next sent to.
func (z *webZone) keySignInTo(t *testing.T, next, name, pass string, k *authtest.Key) (*browser, int, string) {
	t.Helper()
	b := z.browser(t)
	_, page := b.get("/login?next=" + url.QueryEscape(next))
	// The form's hidden field, as the browser sends it.
	kept := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(page)
	if kept == nil {
		t.Fatalf("no next field: %s", page)
	}
	res, _ := b.post("/login", page, url.Values{"name": {name}, "passphrase": {pass}, "next": {html.UnescapeString(kept[1])}})
	step := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(step, "/login/key?next=") {
		t.Fatalf("passphrase and no code: %d %q", res.StatusCode, step)
	}
	// The script posts to its page's address, query included.
	res, page = b.get(step)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="use-key"`) || !strings.Contains(page, `<noscript>`) || !strings.Contains(page, `href="/login"`) {
		t.Fatalf("key step %d: %s", res.StatusCode, page)
	}
	res, opts := b.send("GET", "/login/key/options", "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("key options: %d %s", res.StatusCode, opts)
	}
	answer, err := k.Login(z.ts.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, body := b.send("POST", step, csrfOf(t, page), answer)
	return b, res.StatusCode, string(body)
}

func (z *webZone) userID(t *testing.T, name string) string {
	t.Helper()
	a, err := z.a.Accounts().AccountByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (z *webZone) failures(t *testing.T, name string) (int, int64) {
	t.Helper()
	a, err := z.a.Accounts().AccountByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a.Failures, a.LockedUntil
}

// A user adds a security key on the account page and signs in with the
// passphrase and the key instead of a code; the code stays the fallback.
func TestWebSecurityKeySignIn(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := keyZone(t, c)
		b, pass, _ := z.signUp(t, "ann", RoleJournalist, "kgb")
		res, page := b.get("/account")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="add-key"`) || !strings.Contains(page, `<script src="/static/webauthn.js">`) ||
			!strings.Contains(page, "Security keys registered: 0") || !strings.Contains(page, "<noscript>") {
			t.Fatalf("account page %d: %s", res.StatusCode, page)
		}
		// Only the key pages may run script, and only the archive's own.
		if csp := res.Header.Get("Content-Security-Policy"); csp != web.KeyCSP {
			t.Fatalf("account page CSP %q", csp)
		}
		for _, p := range []string{"/", "/search?q=архивы", "/login"} {
			if res, _ := b.get(p); res.Header.Get("Content-Security-Policy") != web.CSP {
				t.Fatalf("%s CSP %q", p, res.Header.Get("Content-Security-Policy"))
			}
		}
		if res, js := b.get("/static/webauthn.js"); res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(js, "/login/key/options") {
			t.Fatalf("script %d %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
		key := authtest.NewKey()
		b.addKey(key)
		if _, page = b.get("/account?added=1"); !strings.Contains(page, "Security keys registered: 1") || !strings.Contains(page, key.ID()[:12]) ||
			!strings.Contains(page, `action="/account/keys/`+key.ID()+`/remove"`) || !strings.Contains(page, "was added") {
			t.Fatalf("account page after adding: %s", page)
		}
		if !z.audited(t, "ann", "add security key", "") {
			t.Fatal("adding a key was not audited")
		}
		kb, status, body := z.keySignIn(t, "ann", pass, key)
		if status != http.StatusOK || !strings.Contains(body, `"next":"/"`) {
			t.Fatalf("signing in with the key: %d %s", status, body)
		}
		if res, home := kb.get("/"); res.StatusCode != http.StatusOK || !strings.Contains(home, `href="/collections/kgb"`) {
			t.Fatalf("home after the key: %d", res.StatusCode)
		}
		if !z.audited(t, "ann", "login", "web, security key") {
			t.Fatal("the key sign-in was not audited")
		}
		// Sent to sign in from a page, the key brings the user back to it,
		// and only to a page of this site.
		if _, status, body := z.keySignInTo(t, "/search?q=архивы", "ann", pass, key); status != http.StatusOK || !strings.Contains(body, `"next":"/search?q=`) {
			t.Fatalf("back to the search: %d %s", status, body)
		}
		if _, status, body := z.keySignInTo(t, "//evil.example/x", "ann", pass, key); status != http.StatusOK || !strings.Contains(body, `"next":"/"`) {
			t.Fatalf("an outside next: %d %s", status, body)
		}
		// A half-way session (passphrase only) opens nothing.
		half := z.browser(t)
		_, page = half.get("/login")
		half.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {pass}})
		if res, _ := half.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("the key session reached a page: %d", res.StatusCode)
		}
		// With a code typed, sign-in takes the code's path, key or not.
		_, page = half.get("/login")
		if res, body := half.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {pass}, "code": {"000000"}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-error"`) {
			t.Fatalf("a wrong code with a key registered: %d", res.StatusCode)
		}
	})
}

// twoWithKeys is a zone where ann (the passphrase returned, reading kgb)
// and bob are signed in, each with a security key registered.
func twoWithKeys(t *testing.T, c Config) (z *webZone, ann *browser, pass string, key, bobs *authtest.Key) {
	z = keyZone(t, c)
	ann, pass, _ = z.signUp(t, "ann", RoleJournalist, "kgb")
	bob, _, _ := z.signUp(t, "bob", RoleJournalist)
	key, bobs = authtest.NewKey(), authtest.NewKey()
	ann.addKey(key)
	bob.addKey(bobs)
	return z, ann, pass, key, bobs
}

// Wrong keys, another user's key, a copied key and forged posts are
// refused; refusals count and lock as wrong codes do.
func TestWebSecurityKeyRefusals(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, ann, pass, key, bobs := twoWithKeys(t, c)

		// CSRF: a registration posted without the page's token adds nothing.
		_, opts := ann.send("GET", "/account/keys/options", "", nil)
		other := authtest.NewKey()
		answer, err := other.Register(z.ts.URL, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := ann.send("POST", "/account/keys", "", answer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a registration without the token: %d", res.StatusCode)
		}
		if res, _ := ann.send("POST", "/account/keys", strings.Repeat("x", 43), answer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a registration with a forged token: %d", res.StatusCode)
		}
		if keys, _ := z.a.SecurityKeys(context.Background(), z.userID(t, "ann")); len(keys) != 1 {
			t.Fatalf("a forged post added a key: %+v", keys)
		}
		// CSRF: a key's answer posted without the token is not even checked.
		kb := z.browser(t)
		_, page := kb.get("/login")
		kb.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {pass}})
		_, opts = kb.send("GET", "/login/key/options", "", nil)
		answer, _ = key.Login(z.ts.URL, opts)
		if res, _ := kb.send("POST", "/login/key", "", answer); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("an answer without the token: %d", res.StatusCode)
		}
		if n, _ := z.failures(t, "ann"); n != 0 {
			t.Fatalf("an answer without the token was counted: %d", n)
		}
		if res, _ := kb.get("/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("an answer without the token signed in: %d", res.StatusCode)
		}

		// A copy made now falls behind once the key is used.
		clone := key.Clone()
		if _, status, body := z.keySignIn(t, "ann", pass, key); status != http.StatusOK {
			t.Fatalf("the right key: %d %s", status, body)
		}
		if _, status, body := z.keySignIn(t, "ann", pass, clone); status != http.StatusUnauthorized || !strings.Contains(body, "copied") {
			t.Fatalf("a copied key (counter went back): %d %s", status, body)
		}
		if !z.audited(t, "ann", "login failed", "counter went back") {
			t.Fatal("the copied key was not audited")
		}
		for i, k := range []*authtest.Key{bobs, key.Impostor(), authtest.NewKey(), bobs} {
			b, status, body := z.keySignIn(t, "ann", pass, k)
			// The fifth refusal (the copy was the first) locks the name, and says so.
			if i < 3 && (status != http.StatusUnauthorized || !strings.Contains(body, "did not verify") || strings.Contains(body, "locked")) ||
				i == 3 && (status != http.StatusTooManyRequests || !strings.Contains(body, "did not verify") || !strings.Contains(body, "locked until")) {
				t.Fatalf("wrong key %d: %d %s", i, status, body)
			}
			if res, _ := b.get("/"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("wrong key %d opened a page: %d", i, res.StatusCode)
			}
		}
		n, lock := z.failures(t, "ann")
		if n != 5 || lock == 0 {
			t.Fatalf("after five refused keys: %d failures, locked until %d", n, lock)
		}
		lb := z.browser(t)
		_, page = lb.get("/login")
		if res, body := lb.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {pass}, "code": {"000000"}}); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "locked until") {
			t.Fatalf("refused keys did not lock the name: %d", res.StatusCode)
		}
		// The lock never refuses the right secrets.
		if _, status, body := z.keySignIn(t, "ann", pass, key); status != http.StatusOK {
			t.Fatalf("the right key while locked: %d %s", status, body)
		}
		if n, lock := z.failures(t, "ann"); n != 0 || lock != 0 {
			t.Fatalf("a key sign-in left the lock: %d %d", n, lock)
		}
	})
}

// A user removes a key from a plain form (no script); another user's key
// cannot be removed, and without the key the passphrase alone is refused.
func TestWebSecurityKeyRemove(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, ann, pass, key, bobs := twoWithKeys(t, c)
		_, page := ann.get("/account")
		if res, _ := ann.post("/account/keys/"+key.ID()+"/remove", "", url.Values{"csrf": {strings.Repeat("x", 43)}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a forged removal: %d", res.StatusCode)
		}
		if res, _ := ann.post("/account/keys/"+bobs.ID()+"/remove", page, url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("removing another user's key: %d", res.StatusCode)
		}
		if keys, _ := z.a.SecurityKeys(context.Background(), z.userID(t, "bob")); len(keys) != 1 || keys[0].ID != bobs.ID() {
			t.Fatalf("bob's keys: %+v", keys)
		}
		if keys, _ := z.a.SecurityKeys(context.Background(), z.userID(t, "ann")); len(keys) != 1 {
			t.Fatalf("a refused removal removed: %+v", keys)
		}
		if res, _ := ann.post("/account/keys/"+key.ID()+"/remove", page, url.Values{}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?removed=1" {
			t.Fatalf("removing: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page = ann.get("/account?removed=1"); !strings.Contains(page, "Security keys registered: 0") || !strings.Contains(page, "was removed") {
			t.Fatalf("account page after removing: %s", page)
		}
		if !z.audited(t, "ann", "remove security key", key.ID()) {
			t.Fatal("the removal was not audited")
		}
		b := z.browser(t)
		_, page = b.get("/login")
		if res, _ := b.post("/login", page, url.Values{"name": {"ann"}, "passphrase": {pass}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the passphrase alone after the key went: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// The security keys' origin is ServerConfig.URL when set (behind a TLS
// proxy, where the request says http and any host): an answer made on the
// request's own origin is refused, one made on the URL's is not. An
// https:// URL marks the zone's cookies Secure.
func TestWebSecurityKeyOrigin(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		discard := slog.New(slog.NewTextHandler(io.Discard, nil))
		if _, err := NewServer(a, discard, ServerConfig{Params: authtest.Params, URL: "archive.example.org"}); err == nil || !strings.HasPrefix(err.Error(), "archive: ") || !strings.Contains(err.Error(), "https://archive.example.org") {
			t.Fatalf("a URL that is not an origin: %v", err)
		}
		if srv, err := NewServer(a, discard, ServerConfig{Params: authtest.Params, URL: "https://archive.example.org"}); err != nil || !srv.cfg.HTTPS {
			t.Fatalf("an https:// URL did not mark the zone HTTPS: %v", err)
		}
		srv, err := NewServer(a, discard, ServerConfig{Params: authtest.Params, URL: "http://archive.example.org"})
		if err != nil {
			t.Fatal(err)
		}
		pinned := &webZone{a: a, ts: httptest.NewServer(srv.Handler())}
		t.Cleanup(pinned.ts.Close)
		b, _, _ := pinned.signUp(t, "ann", RoleJournalist)
		_, opts := b.send("GET", "/account/keys/options", "", nil)
		var o struct {
			PublicKey struct {
				RP struct{ ID string } `json:"rp"`
			} `json:"publicKey"`
		}
		if err := json.Unmarshal(opts, &o); err != nil || o.PublicKey.RP.ID != "archive.example.org" {
			t.Fatalf("relying party %q: %v %s", o.PublicKey.RP.ID, err, opts)
		}
		_, page := b.get("/account")
		answer, _ := authtest.NewKey().Register(pinned.ts.URL, opts)
		if res, body := b.send("POST", "/account/keys", csrfOf(t, page), answer); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "did not verify") {
			t.Fatalf("an answer from another origin: %d %s", res.StatusCode, body)
		}
		_, opts = b.send("GET", "/account/keys/options", "", nil)
		answer, _ = authtest.NewKey().Register("http://archive.example.org", opts)
		if res, body := b.send("POST", "/account/keys", csrfOf(t, page), answer); res.StatusCode != http.StatusCreated {
			t.Fatalf("an answer from the URL's origin: %d %s", res.StatusCode, body)
		}
	})
}

// Reached by an IP address, where no key can be registered, the account
// page says where to open it instead; by a host name it does not.
func TestWebSecurityKeyNeedsAHostName(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		_, page := z.user(t, "ann", RoleJournalist).get("/account")
		u, _ := url.Parse(z.ts.URL)
		if want := "http://localhost:" + u.Port() + "/account"; !strings.Contains(page, `id="by-name"`) || !strings.Contains(page, want) {
			t.Fatalf("no hint to open %s: %s", want, page)
		}
		z.ts.URL = strings.Replace(z.ts.URL, "127.0.0.1", "localhost", 1)
		if _, page = z.user(t, "bob", RoleJournalist).get("/account"); strings.Contains(page, `id="by-name"`) {
			t.Fatalf("a hint on a host name: %s", page)
		}
	})
}
