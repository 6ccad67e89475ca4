package auth

import (
	"errors"
	"net/http/httptest"
	"testing"
)

// Behind a TLS proxy the request says http and may carry any Host; with
// Config.URL set, security keys are bound to that origin instead.
func TestRelyingPartyFromConfiguredURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://proxy.internal:8082/account", nil)
	s, err := New(Config{Issuer: "Confide"})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := s.relyingParty(r)
	if err != nil || rp.Config.RPID != "proxy.internal" || rp.Config.RPOrigins[0] != "http://proxy.internal:8082" {
		t.Fatalf("from the request: %v %+v", err, rp)
	}
	pinned, err := New(Config{Issuer: "Confide", URL: "https://newsroom.example.org"})
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
		if _, err := New(Config{URL: u}); !errors.Is(err, ErrOrigin) {
			t.Errorf("%q: %v", u, err)
		}
	}
	if _, err := New(Config{URL: "https://newsroom.example.org/"}); err != nil {
		t.Errorf("an origin with a trailing slash: %v", err)
	}
}
