// Package webtest is a browser for tests of Confide's zones: it keeps
// cookies, does not follow redirects (so tests see every step), and posts
// forms with the CSRF token of the page they come from.
package webtest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is one visitor with its own cookies.
type Browser struct {
	T      testing.TB
	Client *http.Client
	Base   string
}

// New makes a browser for the server at base.
func New(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, Base: base, Client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is an answer.
type Page struct {
	Status int
	Body   string
	Header http.Header
	Loc    string // the Location header of a redirect
}

// Do sends a request.
func (b *Browser) Do(req *http.Request) Page {
	b.T.Helper()
	resp, err := b.Client.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return Page{resp.StatusCode, string(body), resp.Header, resp.Header.Get("Location")}
}

// Get fetches a path.
func (b *Browser) Get(path string) Page {
	b.T.Helper()
	req, _ := http.NewRequest("GET", b.Base+path, nil)
	return b.Do(req)
}

// PostRaw posts a form as is.
func (b *Browser) PostRaw(path string, form url.Values) Page {
	b.T.Helper()
	req, _ := http.NewRequest("POST", b.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Post posts a form with the CSRF token of the page at from, as a browser
// submitting that page's form would.
func (b *Browser) Post(from, path string, form url.Values) Page {
	b.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.Get(from).CSRF(b.T))
	return b.PostRaw(path, form)
}

// CSRFPattern finds a form's CSRF token in a page.
var CSRFPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF returns the page's first form token, failing the test if it has none.
func (p Page) CSRF(t testing.TB) string {
	t.Helper()
	m := CSRFPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no form token in the page (%d): %.300s", p.Status, p.Body)
	}
	return m[1]
}

// CheckHTTPS checks an answer served by a zone that is (https) or is not
// configured at an https:// address: HSTS is sent and every cookie is
// Secure, or neither. It notes each cookie's name in seen, so a test can
// check the cookies it meant to look at were there.
func CheckHTTPS(t testing.TB, h http.Header, https bool, seen map[string]bool) {
	t.Helper()
	if got := h.Get("Strict-Transport-Security"); (got != "") != https {
		t.Errorf("https=%v: HSTS %q", https, got)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		seen[c.Name] = true
		if c.Secure != https {
			t.Errorf("https=%v: cookie %s Secure=%v", https, c.Name, c.Secure)
		}
	}
}

// FormRequest is a POST of form to path with a fixed CSRF token in both
// the zone's csrfCookie and the form, for tests that hand a request to a
// handler directly (to give it its own RemoteAddr, say) instead of going
// through a Browser.
func FormRequest(path, csrfCookie string, form url.Values) *http.Request {
	tok := strings.Repeat("t", 43)
	form.Set("csrf", tok)
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return req
}
