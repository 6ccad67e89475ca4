package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeWithTor starts confide with --tor: the system tor runs (with its
// network off, as this machine has none) and the site's dropbox page shows
// the onion address tor generated.
func TestServeWithTor(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t, "--tor", "--tor-offline")
	addr := strings.TrimPrefix(srv.urls["dropbox onion"], "http://")
	if !regexp.MustCompile(`^[a-z2-7]{56}\.onion$`).MatchString(addr) {
		t.Fatalf("onion address %q\n%s", addr, srv.stderr.String())
	}
	host, err := os.ReadFile(filepath.Join(n.data, "tor", "dropbox", "hostname"))
	if err != nil || strings.TrimSpace(string(host)) != addr {
		t.Fatalf("hostname file %q, printed %q", host, addr)
	}
	resp, err := http.Get(srv.urls["site"] + "/dropbox")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), `id="onion">`+addr) {
		t.Fatalf("the site's dropbox page does not show %s", addr)
	}
	if !strings.Contains(srv.stderr.String(), "tor: ") {
		t.Fatal("tor's log is not passed through")
	}
}
