package newsroom

import (
	"net/http/httptest"
	"strings"
	"testing"

	"confide/internal/store/storetest"
)

// Behind a TLS proxy the request says http and may carry any Host; with
// the newsroom URL set, security keys are bound to that origin instead.
func TestRelyingPartyFromConfiguredURL(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	r := httptest.NewRequest("GET", "http://proxy.internal:8082/account", nil)

	rp, err := f.srv.relyingParty(r)
	if err != nil || rp.Config.RPID != "proxy.internal" || rp.Config.RPOrigins[0] != "http://proxy.internal:8082" {
		t.Fatalf("from the request: %v %+v", err, rp)
	}
	cfg := f.srv.cfg
	cfg.URL = "https://newsroom.example.org"
	pinned, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rp, err = pinned.relyingParty(r)
	if err != nil || rp.Config.RPID != "newsroom.example.org" || len(rp.Config.RPOrigins) != 1 || rp.Config.RPOrigins[0] != "https://newsroom.example.org" {
		t.Fatalf("from the URL: %v %+v", err, rp.Config)
	}
}

func TestNewRefusesANewsroomURLThatIsNotAnOrigin(t *testing.T) {
	for _, u := range []string{"newsroom.example.org", "ftp://newsroom.example.org", "https://", "https://newsroom.example.org/login", "https://%zz"} {
		f := newFixture(t, storetest.Backends()[0])
		cfg := f.srv.cfg
		cfg.URL = u
		if _, err := New(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "newsroom: ") {
			t.Errorf("%q: %v", u, err)
		}
	}
	f := newFixture(t, storetest.Backends()[0])
	cfg := f.srv.cfg
	cfg.URL = "https://newsroom.example.org/"
	if _, err := New(t.Context(), cfg); err != nil {
		t.Errorf("an origin with a trailing slash: %v", err)
	}
}
