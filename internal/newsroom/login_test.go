package newsroom

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store/storetest"
	"confide/internal/web/webtest"
)

// answer is what a sign-in from one client address got.
type answer struct {
	status     int
	body, loc  string
	retryAfter string
}

// loginFrom posts the login form as a client at addr would, straight into
// the handler so each test client can have its own address.
func (f *fixture) loginFrom(addr, name, pass, code string) answer {
	f.t.Helper()
	req := webtest.FormRequest("/login", "newsroom_csrf", url.Values{"name": {name}, "passphrase": {pass}, "code": {code}})
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	f.ts.Config.Handler.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Body.String(), rec.Header().Get("Location"), rec.Header().Get("Retry-After")}
}

// A lock-out must not be a weapon: failing on purpose neither keeps the
// journalist out nor tells a real name from an unknown one.
func TestLockoutIsNotADenialOfService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		f.login(ann) // second factor set up
		// The same failures for a real name and an unknown one, each from
		// its own client, get the same status, words and lock time.
		for i := 1; i <= 7; i++ {
			real := f.loginFrom("192.0.2.1:4000", "ann", "guess", "123456")
			unknown := f.loginFrom("192.0.2.2:4000", "nobody", "guess", "123456")
			// The form keeps the name typed; apart from that the pages
			// must be the same, byte for byte.
			if !strings.Contains(real.body, `name="name" value="ann"`) || !strings.Contains(unknown.body, `name="name" value="nobody"`) {
				t.Fatalf("try %d: a failed sign-in lost the name typed: %.2000s", i, real.body)
			}
			real.body = strings.Replace(real.body, `value="ann"`, `value="NAME"`, 1)
			unknown.body = strings.Replace(unknown.body, `value="nobody"`, `value="NAME"`, 1)
			if real != unknown {
				t.Fatalf("try %d: ann got %d %q, an unknown name %d %q", i, real.status, real.retryAfter, unknown.status, unknown.retryAfter)
			}
			want := http.StatusUnauthorized
			if i >= 5 {
				want = http.StatusTooManyRequests
			}
			if real.status != want {
				t.Fatalf("try %d: %d, want %d", i, real.status, want)
			}
		}
		// The lock says when it ends.
		g := f.loginFrom("192.0.2.1:4000", "ann", "guess", "123456")
		j, _ := f.store.JournalistByName(context.Background(), "ann")
		until := time.Unix(j.LockedUntil, 0).UTC().Format("15:04 UTC")
		if g.status != http.StatusTooManyRequests || !strings.Contains(g.body, "locked until "+until) || g.retryAfter == "" {
			t.Fatalf("lock answer %d (Retry-After %q) does not name %s: %.600s", g.status, g.retryAfter, until, g.body)
		}
		// The right passphrase and code pass the lock, from anywhere.
		if r := f.loginFrom("198.51.100.7:5000", "ann", ann.pass, f.code(ann)); r.status != http.StatusSeeOther || r.loc != "/" {
			t.Fatalf("ann kept out by a lock: %d %.300s", r.status, r.body)
		}
		if j, _ := f.store.JournalistByName(context.Background(), "ann"); j.Failures != 0 || j.LockedUntil != 0 {
			t.Fatalf("a sign-in left failures %d, lock %d", j.Failures, j.LockedUntil)
		}
		// The passphrase alone does not: while locked, a wrong code also
		// spends this moment's codes, so someone who holds the passphrase
		// gets one code guess per step.
		for i := 0; i < 5; i++ {
			f.loginFrom("192.0.2.3:4000", "ann", "guess", "123456")
		}
		if r := f.loginFrom("192.0.2.3:4000", "ann", ann.pass, "000000"); r.status != http.StatusTooManyRequests {
			t.Fatalf("right passphrase, wrong code, locked: %d", r.status)
		}
		now, _ := seal.TOTPCode(ann.secret, f.clock.Now())
		next, _ := seal.TOTPCode(ann.secret, f.clock.Now().Add(30*time.Second))
		for _, c := range []string{now, next} {
			if r := f.loginFrom("192.0.2.3:4000", "ann", ann.pass, c); r.status == http.StatusSeeOther {
				t.Fatal("a code of the moment worked after a wrong guess under a lock")
			}
		}
		f.clock.Advance(time.Minute)
		if r := f.loginFrom("192.0.2.4:4000", "ann", ann.pass, f.code(ann)); r.status != http.StatusSeeOther {
			t.Fatalf("the next step's code: %d", r.status)
		}
		// Failures are counted per client too: one client spraying names
		// is locked after ten, others are not, and the journalist still
		// gets in from that client.
		for i := 0; i < 10; i++ {
			f.loginFrom("203.0.113.9:4000", "name"+string(rune('a'+i)), "guess", "123456")
		}
		if r := f.loginFrom("203.0.113.9:4000", "fresh", "guess", "123456"); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "locked until") {
			t.Fatalf("spraying client not locked: %d", r.status)
		}
		if r := f.loginFrom("203.0.113.10:4000", "fresh", "guess", "123456"); r.status != http.StatusUnauthorized {
			t.Fatalf("another client locked with it: %d", r.status)
		}
		if r := f.loginFrom("203.0.113.9:4000", "ann", ann.pass, f.code(ann)); r.status != http.StatusSeeOther {
			t.Fatalf("ann kept out by her address's lock: %d", r.status)
		}
	})
}

// Sending the same code at once from many requests: exactly one signs in.
func TestTOTPCodeRaceThroughLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		f.login(ann)
		code := f.code(ann)
		var mu sync.Mutex
		passed := 0
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Go(func() {
				r := f.loginFrom("192.0.2.1:4000", "ann", ann.pass, code)
				mu.Lock()
				defer mu.Unlock()
				if r.status == http.StatusSeeOther {
					passed++
				}
			})
		}
		wg.Wait()
		if passed != 1 {
			t.Fatalf("%d of 8 identical codes signed in", passed)
		}
	})
}

// The login, setup and logout forms need their CSRF token: a forged one
// neither signs in (login CSRF), nor confirms a factor, nor signs out.
func TestSignInFormsNeedCSRF(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	ann := f.person("ann", false)
	br := f.browser()
	if r := br.PostRaw("/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}}); r.Status != http.StatusForbidden {
		t.Fatalf("login without token: %d", r.Status)
	}
	if r := br.Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}}); r.Status != http.StatusSeeOther || r.Loc != "/setup" {
		t.Fatalf("login: %d", r.Status)
	}
	if r := br.PostRaw("/setup", url.Values{"code": {f.code(ann)}}); r.Status != http.StatusForbidden {
		t.Fatalf("setup without token: %d", r.Status)
	}
	if j, _ := f.store.JournalistByName(context.Background(), "ann"); j.TOTPConfirmed {
		t.Fatal("a forged setup confirmed the second factor")
	}
	if r := br.Post("/setup", "/setup", url.Values{"code": {f.code(ann)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("setup: %d", r.Status)
	}
	if r := br.PostRaw("/logout", nil); r.Status != http.StatusForbidden {
		t.Fatalf("logout without token: %d", r.Status)
	}
	if r := br.Get("/"); r.Status != http.StatusOK {
		t.Fatalf("a forged logout ended the session: %d", r.Status)
	}
	// A valid token of another visitor is no better than none.
	other := f.browser().Get("/login").CSRF(t)
	if r := br.PostRaw("/logout", url.Values{"csrf": {other}}); r.Status != http.StatusForbidden {
		t.Fatalf("logout with another's token: %d", r.Status)
	}
}

// Seen in headless Chromium: "/x/../\evil.example" left the newsroom as
// Location: /\evil.example, which the browser followed to another host.
func TestLoginRedirectStaysInNewsroom(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	ann := f.person("ann", false)
	f.login(ann)
	for _, next := range []string{`/x/../\evil.example`, `//evil.example`, `/x/..//evil.example`, `https://evil.example`} {
		br := f.browser()
		r := br.Post("/login?next="+url.QueryEscape(next), "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {f.code(ann)}, "next": {next}})
		if r.Status != http.StatusSeeOther || strings.HasPrefix(r.Loc, "//") || strings.Contains(r.Loc, `\`) || !strings.HasPrefix(r.Loc, "/") {
			t.Fatalf("next=%q: %d to %q", next, r.Status, r.Loc)
		}
	}
	if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {f.code(ann)}, "next": {"/stories"}}); r.Loc != "/stories" {
		t.Fatalf("a local next was lost: %q", r.Loc)
	}
}

// With an https:// --newsroom-url every cookie is Secure and HSTS is sent;
// without one (plain HTTP, or the onion service) neither.
func TestNewsroomHTTPSCookies(t *testing.T) {
	for _, https := range []bool{false, true} {
		f := newFixture(t, storetest.Backends()[0])
		if https {
			f.srv.cfg.URL = "https://newsroom.example"
			f.ts.Config.Handler = f.srv.Handler()
		}
		ann := f.person("ann", false)
		seen := map[string]bool{}
		check := func(h http.Header) { webtest.CheckHTTPS(t, h, https, seen) }
		br := f.browser()
		check(br.Get("/login?lang=ru").Header)
		r := br.Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}})
		check(r.Header)
		r = br.Post("/setup", "/setup", url.Values{"code": {f.code(ann)}})
		check(r.Header)
		check(br.Post("/", "/logout", nil).Header)
		if !seen["lang"] || !seen["newsroom_csrf"] || !seen[sessionCookie] {
			t.Fatalf("cookies seen: %v", seen)
		}
	}
}

// The API's token sign-in follows the same rules: a guess under a lock is
// a 429, the right passphrase and code still get a token.
func TestAPITokenThroughLock(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	ann := f.person("ann", false)
	f.store.ConfirmTOTP(context.Background(), ann.j.ID)
	for i := 1; i <= 6; i++ {
		st, body, _ := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": "guess", "code": "123456"})
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusUnauthorized}[i >= 5]; st != want {
			t.Fatalf("guess %d: %d %s", i, st, body)
		}
	}
	if st, body, ok := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": ann.pass, "code": f.code(ann)}); st != http.StatusOK || !ok {
		t.Fatalf("the right passphrase and code under a lock: %d %s", st, body)
	}
}

// With a security key, the passphrase alone is half a sign-in: it must not
// clear the failures, and a key that does not answer counts as one more
// and keeps the lock (it used to set the lock to zero).
func TestSecurityKeyStepKeepsTheCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		// Security keys need a host name for the relying party, not 127.0.0.1.
		cfg := f.srv.cfg
		cfg.URL = "http://localhost"
		srv, err := New(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		f.srv, f.ts.Config.Handler = srv, srv.Handler()
		ann := f.person("ann", false)
		f.login(ann)
		ctx := context.Background()
		if err := f.store.AddSecurityKey(ctx, ann.j.ID, "AQID", `{"id":"AQID"}`); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			f.loginFrom("192.0.2.1:4000", "ann", "guess", "123456")
		}
		br := f.browser()
		if r := br.Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}}); r.Status != http.StatusSeeOther || r.Loc != "/login/key" {
			t.Fatalf("passphrase, no code: %d %q", r.Status, r.Loc)
		}
		if j, _ := f.store.JournalistByName(ctx, "ann"); j.Failures != 4 {
			t.Fatalf("the passphrase alone changed the count to %d", j.Failures)
		}
		if r := br.Get("/login/key/options"); r.Status != http.StatusOK {
			t.Fatalf("options: %d %s", r.Status, r.Body)
		}
		req, _ := http.NewRequest("POST", f.ts.URL+"/login/key", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(csrfHeader, br.Get("/login/key").CSRF(t))
		// The fifth failure: refused, and the lock it brings is told.
		if r := br.Do(req); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "did not verify") || !strings.Contains(r.Body, "locked until") {
			t.Fatalf("a bad assertion: %d %s", r.Status, r.Body)
		}
		j, _ := f.store.JournalistByName(ctx, "ann")
		if j.Failures != 5 || j.LockedUntil <= f.clock.Now().Unix() {
			t.Fatalf("after a failed key: failures %d, locked until %d", j.Failures, j.LockedUntil)
		}
	})
}
