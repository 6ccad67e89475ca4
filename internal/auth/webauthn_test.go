package auth

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"confide/internal/web"
)

// Behind a TLS proxy the request says http and may carry any Host; with
// Config.URL set, security keys are bound to that origin instead.
func TestRelyingPartyFromConfiguredURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://proxy.internal:8082/account", nil)
	s, err := New(Config{Issuer: "Confide", Cookie: "s", CSRF: web.CSRF{Cookie: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := s.relyingParty(r)
	if err != nil || rp.Config.RPID != "proxy.internal" || rp.Config.RPOrigins[0] != "http://proxy.internal:8082" {
		t.Fatalf("from the request: %v %+v", err, rp)
	}
	pinned, err := New(Config{Issuer: "Confide", Cookie: "s", CSRF: web.CSRF{Cookie: "c"}, URL: "https://newsroom.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	rp, err = pinned.relyingParty(r)
	if err != nil || rp.Config.RPID != "newsroom.example.org" || len(rp.Config.RPOrigins) != 1 || rp.Config.RPOrigins[0] != "https://newsroom.example.org" {
		t.Fatalf("from the URL: %v %+v", err, rp.Config)
	}
}

func TestNewRefusesAURLThatIsNotAnOrigin(t *testing.T) {
	for _, u := range []string{"newsroom.example.org", "ftp://newsroom.example.org", "https://", "https://newsroom.example.org/login", "https://%zz"} {
		if _, err := New(Config{Cookie: "s", CSRF: web.CSRF{Cookie: "c"}, URL: u}); !errors.Is(err, ErrOrigin) {
			t.Errorf("%q: %v", u, err)
		}
	}
	if _, err := New(Config{Cookie: "s", CSRF: web.CSRF{Cookie: "c"}, URL: "https://newsroom.example.org/"}); err != nil {
		t.Errorf("an origin with a trailing slash: %v", err)
	}
}

// A zone must name its cookies, apart; an unset idle time is not "expire at
// once".
func TestNewConfig(t *testing.T) {
	for _, c := range []Config{{}, {Cookie: "s"}, {CSRF: web.CSRF{Cookie: "c"}}, {Cookie: "x", CSRF: web.CSRF{Cookie: "x"}}} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	s, err := New(Config{Cookie: "s", CSRF: web.CSRF{Cookie: "c"}})
	if err != nil || s.cfg.Idle != 30*time.Minute {
		t.Fatalf("idle %v, %v", s.cfg.Idle, err)
	}
}
