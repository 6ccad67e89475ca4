package web

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestEveryCatalogueHasEveryKey(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Langs()) < 2 || !c.Has("ru") {
		t.Fatalf("languages: %v", c.Langs())
	}
	for key := range c.msgs[DefaultLang] {
		for _, l := range c.Langs() {
			if _, ok := c.msgs[l][key]; !ok {
				t.Errorf("%s lacks %q", l, key)
			}
		}
	}
	if c.T("ru", "dropbox.logout") != "Выйти" || c.T("xx", "dropbox.logout") != "Log out" || c.T("en", "no.such") != "no.such" {
		t.Fatal("lookup or fallback broken")
	}
}

func TestNegotiate(t *testing.T) {
	c, _ := LoadCatalog()
	cases := []struct {
		query, cookie, accept, want string
	}{
		{"", "", "", "en"},
		{"", "", "ru-RU,ru;q=0.9,en;q=0.5", "ru"},
		{"", "", "de, en;q=0.1, ru;q=0.5", "ru"},
		{"", "", "ru;q=0, en", "en"},
		{"", "ru", "en", "ru"},
		{"lang=ru", "en", "en", "ru"},
		{"lang=../../x", "", "en", "en"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/?"+tc.query, nil)
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: tc.cookie})
		}
		r.Header.Set("Accept-Language", tc.accept)
		rec := httptest.NewRecorder()
		if got := c.Negotiate(rec, r); got != tc.want {
			t.Errorf("%+v: got %s", tc, got)
		}
		if got := c.Preferred(r); got != tc.want {
			t.Errorf("%+v: Preferred got %s", tc, got)
		}
		// Only an explicit, valid link is remembered.
		if remembered := len(rec.Result().Cookies()) > 0; remembered != (tc.query == "lang=ru") {
			t.Errorf("%+v: cookie set %v", tc, remembered)
		}
	}
}

func TestParseAcceptLanguage(t *testing.T) {
	got := ParseAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5, <script>;q=1")
	if want := []string{"fr-ch", "fr", "en", "de"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}
}

func FuzzParseAcceptLanguage(f *testing.F) {
	f.Add("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")
	f.Add(";q=,,;;q=1e309")
	f.Fuzz(func(t *testing.T, h string) {
		for _, l := range ParseAcceptLanguage(h) {
			if l == "" || !validTag(l) || len(l) > 35 {
				t.Fatalf("bad tag %q from %q", l, h)
			}
		}
	})
}

// FuzzAcceptLanguage holds the page's language choice, which scans the
// header in place, to the same answer as the first catalogue language in
// ParseAcceptLanguage's ordered list.
func FuzzAcceptLanguage(f *testing.F) {
	f.Add("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")
	f.Add("de;q=1, EN-gb;q=0.5, RU;q=0.5")
	f.Add(",,,,ru")
	f.Add("ru;q=0,en;q=0.001")
	f.Add("\u212a")
	c, err := LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, h string) {
		want, wantOK := "", false
		for _, l := range ParseAcceptLanguage(h) {
			if c.Has(l) {
				want, wantOK = l, true
				break
			}
			if base, _, ok := strings.Cut(l, "-"); ok && c.Has(base) {
				want, wantOK = base, true
				break
			}
		}
		if got, ok := c.acceptLanguage(h); got != want || ok != wantOK {
			t.Fatalf("%q: chose %q %v, the ordered list says %q %v", h, got, ok, want, wantOK)
		}
	})
}

func TestSecurityHeadersAndCSRF(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for k, v := range map[string]string{"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if rec.Header().Get(k) != v {
			t.Errorf("%s = %q", k, rec.Header().Get(k))
		}
	}
	c := CSRF{Cookie: "t_csrf"}
	rec = httptest.NewRecorder()
	tok := c.Token(rec, httptest.NewRequest("GET", "/", nil))
	ck := rec.Result().Cookies()[0]
	if ck.SameSite != http.SameSiteStrictMode || !ck.HttpOnly {
		t.Fatal("csrf cookie not strict and httponly")
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.AddCookie(ck)
	if !c.Valid(r, tok) || c.Valid(r, "") || c.Valid(r, tok[:42]+"x") {
		t.Fatal("csrf validation wrong")
	}
	if c.Valid(httptest.NewRequest("POST", "/", nil), tok) {
		t.Fatal("token without cookie accepted")
	}
}

func TestHTTPSOnlyMarksEveryCookie(t *testing.T) {
	set := func(w http.ResponseWriter) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Secure: true})
	}
	handlers := map[string]http.HandlerFunc{
		"write":    func(w http.ResponseWriter, r *http.Request) { set(w); w.Write([]byte("page")) },
		"redirect": func(w http.ResponseWriter, r *http.Request) { set(w); http.Redirect(w, r, "/", http.StatusSeeOther) },
		"nothing":  func(w http.ResponseWriter, r *http.Request) { set(w) },
		"flush":    func(w http.ResponseWriter, r *http.Request) { set(w); http.NewResponseController(w).Flush() },
	}
	for name, h := range handlers {
		ts := httptest.NewServer(HTTPSOnly(h))
		resp, err := http.DefaultTransport.RoundTrip(httptest.NewRequest("GET", ts.URL, nil).WithContext(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ts.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != HSTS {
			t.Errorf("%s: HSTS %q", name, got)
		}
		cs := resp.Header["Set-Cookie"]
		if len(cs) != 2 {
			t.Fatalf("%s: cookies %q", name, cs)
		}
		for _, c := range cs {
			if !hasSecure(c) || strings.Count(c, "Secure") != 1 {
				t.Errorf("%s: %q", name, c)
			}
		}
	}
}

// The security headers' values are shared by every response: what one
// handler adds to or sets on its own must not reach the next response.
func TestSecurityHeadersAreNotShared(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Frame-Options", r.URL.Path)
		if r.URL.Path == "/change" {
			w.Header().Add("Permissions-Policy", "usb=()")
			w.Header().Set("Cache-Control", "no-cache")
			w.Header()["Referrer-Policy"] = append(w.Header()["Referrer-Policy"], "origin")
		}
	}))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/change", nil))
	if got := first.Header().Values("Permissions-Policy"); len(got) != 2 || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("the handler's own changes were lost: %v", first.Header())
	}
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest("GET", "/", nil))
	for _, kv := range securityHeaders {
		if got := second.Header().Values(kv[0]); kv[0] != "X-Frame-Options" && (len(got) != 1 || got[0] != kv[1]) {
			t.Errorf("%s on the next response: %q, want %q", kv[0], got, kv[1])
		}
	}
	// Both responses added to the same shared value: each keeps its own.
	if got := first.Header().Values("X-Frame-Options"); len(got) != 2 || got[1] != "/change" {
		t.Errorf("the first response's header was changed by the second: %q", got)
	}
}
