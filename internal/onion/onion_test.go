package onion

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"io"
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
	err := writeClients(t.TempDir(), "newsroom", []string{"not-a-key"})
	if err == nil {
		t.Fatal("a bad client key was accepted")
	}
	if err := writeClients(t.TempDir(), "archive", nil); err == nil || !strings.Contains(err.Error(), "archive") {
		t.Fatalf("an archive service with no clients: %v", err)
	}
}

// A key dropped from the flags is no longer admitted: the service's
// client list is rewritten, not added to.
func TestClientListIsRewritten(t *testing.T) {
	dir := t.TempDir()
	key := func() string {
		b := make([]byte, 32)
		rand.Read(b)
		return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	}
	a, b := key(), key()
	if err := writeClients(dir, "archive", []string{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := writeClients(dir, "archive", []string{b}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "authorized_clients", "*"))
	var all []byte
	for _, f := range files {
		c, _ := os.ReadFile(f)
		all = append(all, c...)
	}
	if len(files) != 1 || string(all) != "descriptor:x25519:"+b+"\n" {
		t.Fatalf("after dropping a key: %d files, %q", len(files), all)
	}
}

// The archive's process runs an archive service alone: client
// authorisation, no dropbox, no proof-of-work section of the dropbox's.
func TestArchiveAlone(t *testing.T) {
	c := Config{Dir: "/d/tor", Archive: "127.0.0.1:8083", ArchiveClients: []string{"X"}}
	torrc := Torrc(c)
	if strings.Contains(torrc, "dropbox") || strings.Contains(torrc, "PoW") || !strings.Contains(torrc, "HiddenServiceDir /d/tor/archive\nHiddenServiceVersion 3\nHiddenServicePort 80 127.0.0.1:8083\n") {
		t.Fatalf("torrc:\n%s", torrc)
	}
	if _, err := Start(context.Background(), Config{Dir: t.TempDir()}, io.Discard); err == nil {
		t.Fatal("tor started with no service")
	}
}
