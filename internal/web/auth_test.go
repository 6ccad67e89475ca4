package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLocalPath checks the redirect target never leaves this host, as a
// browser would resolve it against it.
func FuzzLocalPath(f *testing.F) {
	f.Add("/stories/x")
	f.Add("//evil.example")
	f.Add("/\\evil")
	f.Fuzz(func(t *testing.T, p string) {
		got := LocalPath(p)
		base, _ := url.Parse("http://confide.example/")
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q -> %q does not parse", p, got)
		}
		if u := base.ResolveReference(ref); u.Host != "confide.example" || !strings.HasPrefix(got, "/") {
			t.Fatalf("%q -> %q leaves the site (%s)", p, got, u)
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
