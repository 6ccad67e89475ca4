package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 || !bytes.Equal(ha, TokenHash(a)) || bytes.Equal(ha, []byte(a)) {
		t.Fatal("tokens are not random, or the hash does not match")
	}
}

func TestLockout(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 0, 4: 0, 5: time.Minute, 6: 2 * time.Minute, 10: 32 * time.Minute, 11: time.Hour, 50: time.Hour} {
		if got := Lockout(n); got != want {
			t.Errorf("Lockout(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/sources/abc": "/sources/abc", "/": "/", "": "/", "//evil.example/x": "/", "/\\evil.example": "/",
		"https://evil.example": "/", "evil": "/", "/\t/evil.example": "/", "/ok?next=//x": "/ok?next=//x", "/000%": "/",
		// Seen in headless Chromium: Redirect cleaned this to "/\evil.example".
		"/x/../\\evil.example": "/", "/x/..//evil.example": "/evil.example", "/a/b/../c/": "/a/c/", "/stories/x?notice=a/../b": "/stories/x?notice=a/../b",
	} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLocalPath checks the redirect target never leaves this host: as
// net/url resolves it, as a browser reads it (backslashes are slashes, dot
// segments go), and as http.Redirect sends it. It also checks that a plain
// local path is kept, so "always /" cannot pass.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/stories/x", "//evil.example", "/\\evil", "/x/../\\evil.example", "/x/..//evil", "/%2e%2e//evil", "/a?b=//c", "/a#//b"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://site.example/")
	onSite := func(t *testing.T, in, target string) {
		t.Helper()
		ref, err := url.Parse(target)
		if err != nil {
			t.Fatalf("%q -> %q does not parse", in, target)
		}
		if u := base.ResolveReference(ref); u.Host != "site.example" || u.Scheme != "https" {
			t.Fatalf("%q -> %q leaves the site (%s)", in, target, u)
		}
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := LocalPath(p)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("%q -> %q is not a local path", p, got)
		}
		onSite(t, p, got)
		// A browser: backslash is slash, then dot segments and empty ones
		// are resolved in the path (before any query or fragment).
		b := strings.ReplaceAll(got, "\\", "/")
		rest, tail := b, ""
		if i := strings.IndexAny(b, "?#"); i >= 0 {
			rest, tail = b[:i], b[i:]
		}
		if strings.HasPrefix(rest, "//") {
			t.Fatalf("%q -> %q reads as a host to a browser", p, got)
		}
		onSite(t, p, path.Clean(rest)+tail)
		// What http.Redirect really sends.
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest("GET", "/login", nil), got, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		if strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
			t.Fatalf("%q -> Location %q", p, loc)
		}
		onSite(t, p, loc)
		if LocalPath(got) != got {
			t.Fatalf("not stable: %q -> %q -> %q", p, got, LocalPath(got))
		}
		if ok := "/" + url.PathEscape(p); LocalPath(ok) != path.Clean(ok) {
			t.Fatalf("a plain local path %q was changed to %q", ok, LocalPath(ok))
		}
	})
}

func TestReadJSON(t *testing.T) {
	var v struct{ A int }
	for body, ok := range map[string]bool{`{"A":1}`: true, `{"A":1}{}`: false, `{"B":1}`: false, `{`: false, strings.Repeat(" ", 2000) + `{"A":1}`: false} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if got := ReadJSON(rec, r, 1024, &v); got != ok {
			t.Errorf("%.20q: %v", body, got)
		}
		if !ok && (rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"error"`)) {
			t.Errorf("%.20q: answer %d %s", body, rec.Code, rec.Body.String())
		}
	}
}

func TestFailures(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	f := NewFailures(3, 2)
	for i := 1; i <= 8; i++ {
		var got time.Duration
		if until := f.Fail("198.51.100.1", now); !until.IsZero() {
			got = until.Sub(now)
		}
		if want := Lockout(i - 2); got != want {
			t.Fatalf("failure %d: locked for %v, want %v", i, got, want)
		}
	}
	if got := f.Until("198.51.100.1", now); !got.Equal(now.Add(2 * time.Minute)) {
		t.Fatalf("Until %v", got)
	}
	if !f.Until("198.51.100.2", now).IsZero() || !f.Until("198.51.100.1", now.Add(3*time.Minute)).IsZero() {
		t.Fatal("a lock spread to another key, or did not end")
	}
	// What is kept is a keyed hash, not the address.
	for id := range f.m {
		if bytes.Contains(id[:], []byte("198.51")) {
			t.Fatal("the key is kept in the clear")
		}
	}
	f.Clear("198.51.100.1")
	if got := f.Fail("198.51.100.1", now); !got.IsZero() {
		t.Fatal("Clear kept the count")
	}
	// A count is forgotten a day after its last failure.
	for range 8 {
		f.Fail("a", now)
	}
	if got := f.Fail("a", now.Add(25*time.Hour)); !got.IsZero() {
		t.Fatal("a day-old count still locks")
	}
	// Bounded: more keys than max never grow the map past it.
	for i := range 10 {
		f.Fail(string(rune('k'+i)), now)
		if len(f.m) > 3 {
			t.Fatalf("%d keys kept, max 3", len(f.m))
		}
	}
}
