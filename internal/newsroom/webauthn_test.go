package newsroom

import (
	"strings"
	"testing"

	"confide/internal/store/storetest"
)

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
