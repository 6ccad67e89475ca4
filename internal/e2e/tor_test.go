package e2e

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"confide/internal/onion"
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

// TestArchiveServeWithTor: archive serve --tor puts the archive, from its
// own process and data folder, behind an onion service that admits only
// the listed client keys; tor runs offline here. The address printed is
// the one tor made for the key under DATA/tor, the torrc has the archive
// alone (no dropbox), and the archive's process still listens on loopback
// only.
func TestArchiveServeWithTor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "archive")
	clientPub := make([]byte, 32)
	rand.Read(clientPub)
	client := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(clientPub)
	srv, base := startArchive(t, data, nil, "--tor", "--tor-offline", "--tor-client", client)
	m := regexp.MustCompile(`(?m)^archive onion: http://([a-z2-7]{56}\.onion) \(client authorisation required`).FindStringSubmatch(srv.stdout.String())
	if m == nil {
		t.Fatalf("no onion address printed:\n%s\n%s", srv.stdout.String(), srv.stderr.String())
	}
	tor := filepath.Join(data, "tor")
	host, err := os.ReadFile(filepath.Join(tor, "archive", "hostname"))
	if err != nil || strings.TrimSpace(string(host)) != m[1] {
		t.Fatalf("hostname file %q, printed %q", host, m[1])
	}
	key, _ := os.ReadFile(filepath.Join(tor, "archive", "hs_ed25519_public_key"))
	if len(key) != 64 || onion.AddressFromKey(key[32:]) != m[1] {
		t.Fatalf("the address is not the key's")
	}
	auth, err := os.ReadFile(filepath.Join(tor, "archive", "authorized_clients", "client1.auth"))
	if err != nil || string(auth) != "descriptor:x25519:"+client+"\n" {
		t.Fatalf("client authorisation %q %v", auth, err)
	}
	for _, d := range []string{tor, filepath.Join(tor, "archive")} {
		if info, err := os.Stat(d); err != nil || info.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v", d, info, err)
		}
	}
	torrc, _ := os.ReadFile(filepath.Join(tor, "torrc"))
	want := "HiddenServiceDir " + filepath.Join(tor, "archive") + "\nHiddenServiceVersion 3\nHiddenServicePort 80 " + strings.TrimPrefix(base, "http://") + "\n"
	if !strings.Contains(string(torrc), want) || strings.Contains(string(torrc), "dropbox") || strings.Count(string(torrc), "HiddenServiceDir") != 1 {
		t.Fatalf("torrc:\n%s", torrc)
	}
	if !strings.Contains(srv.stderr.String(), "tor: ") {
		t.Fatal("tor's log is not passed through")
	}
	// Every socket the archive's process listens on is loopback.
	listening := listeningAddrs(t, srv.cmd.Process.Pid)
	if len(listening) == 0 {
		t.Fatal("found no listening socket of the archive's process")
	}
	for _, a := range listening {
		if a != "127.0.0.1" && a != "::1" {
			t.Fatalf("the archive listens on %s: %v", a, listening)
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("the archive answers %d", resp.StatusCode)
	}
}

// listeningAddrs lists the local IP addresses of the TCP sockets process
// pid listens on, from its file descriptors and /proc/net/tcp{,6}.
func listeningAddrs(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if in, ok := strings.CutPrefix(l, "socket:["); ok {
			inodes[strings.TrimSuffix(in, "]")] = true
		}
	}
	var out []string
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] { // 0A: LISTEN
				continue
			}
			ipHex, _, _ := strings.Cut(f[1], ":")
			raw, err := hex.DecodeString(ipHex)
			if err != nil {
				t.Fatal(err)
			}
			// /proc prints each 32-bit word in host (little-endian) order.
			for i := 0; i+4 <= len(raw); i += 4 {
				raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
			}
			out = append(out, net.IP(raw).String())
		}
	}
	return out
}
