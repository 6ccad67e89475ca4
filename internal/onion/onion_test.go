package onion

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRealTor starts the system tor with the network disabled and checks the
// generated address against the service key, byte for byte.
func TestRealTor(t *testing.T) {
	if _, err := exec.LookPath("tor"); err != nil {
		t.Fatal("tor is required (apt-get install tor)")
	}
	dir := filepath.Join(t.TempDir(), "tor")
	clientPub := make([]byte, 32)
	rand.Read(clientPub)
	client := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(clientPub)
	cfg := Config{Dir: dir, Dropbox: "127.0.0.1:18081", Newsroom: "127.0.0.1:18082", NewsroomClients: []string{client}, DisableNetwork: true}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var log bytes.Buffer
	tor, err := Start(ctx, cfg, &log)
	if err != nil {
		t.Fatal(err, log.String())
	}
	defer tor.Stop()
	re := regexp.MustCompile(`^[a-z2-7]{56}\.onion$`)
	if !re.MatchString(tor.DropboxOnion) || !re.MatchString(tor.NewsroomOnion) || tor.DropboxOnion == tor.NewsroomOnion {
		t.Fatalf("addresses %q %q", tor.DropboxOnion, tor.NewsroomOnion)
	}
	auth, err := os.ReadFile(filepath.Join(dir, "newsroom", "authorized_clients", "client1.auth"))
	if err != nil || !strings.Contains(string(auth), "descriptor:x25519:"+client) {
		t.Fatalf("client auth %q %v", auth, err)
	}
	torrc, _ := os.ReadFile(filepath.Join(dir, "torrc"))
	for _, want := range []string{"HiddenServicePoWDefensesEnabled 1", "SafeLogging 1", "HiddenServicePort 80 127.0.0.1:18081"} {
		if !strings.Contains(string(torrc), want) {
			t.Errorf("torrc lacks %q", want)
		}
	}
	// The same keys give the same address on restart.
	tor.Stop()
	tor2, err := Start(ctx, cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	defer tor2.Stop()
	if tor2.DropboxOnion != tor.DropboxOnion {
		t.Fatal("the onion address changed across restarts")
	}
	// tor verifies its own config: a torrc it rejects fails here.
	out, err := exec.Command("tor", "--verify-config", "-f", filepath.Join(dir, "torrc")).CombinedOutput()
	if err != nil {
		t.Fatalf("tor rejects the torrc: %s", out)
	}
}

func TestAddressMatchesTorsKey(t *testing.T) {
	// Tor's own output is the reference: the address it writes for a key it
	// generated must be what AddressFromKey computes from that key.
	dir := filepath.Join(t.TempDir(), "tor")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var log bytes.Buffer
	tor, err := Start(ctx, Config{Dir: dir, Dropbox: "127.0.0.1:18083", DisableNetwork: true}, &log)
	if err != nil {
		t.Fatal(err, log.String())
	}
	defer tor.Stop()
	key, _ := os.ReadFile(filepath.Join(dir, "dropbox", "hs_ed25519_public_key"))
	host, _ := os.ReadFile(filepath.Join(dir, "dropbox", "hostname"))
	if got := AddressFromKey(key[32:]); got != strings.TrimSpace(string(host)) {
		t.Fatalf("computed %s, tor wrote %s", got, host)
	}
	bad := "a" + tor.DropboxOnion[1:]
	if bad == tor.DropboxOnion {
		bad = "b" + tor.DropboxOnion[1:]
	}
	if err := VerifyService(filepath.Join(dir, "dropbox"), bad); err == nil {
		t.Fatal("a wrong address verified")
	}
}

func TestBadClientKey(t *testing.T) {
	err := writeClients(t.TempDir(), []string{"not-a-key"})
	if err == nil {
		t.Fatal("a bad client key was accepted")
	}
	if err := writeClients(t.TempDir(), nil); err == nil {
		t.Fatal("a newsroom service with no clients was accepted")
	}
}
