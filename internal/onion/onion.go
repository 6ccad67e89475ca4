// Package onion runs the system tor (Debian's package) to put the dropbox,
// and optionally the newsroom, behind v3 onion services; or, in the
// archive's own process, the archive.
//
// Contract: tor is started with a torrc this package writes under the data
// folder, with SafeLogging on and its proof-of-work defence enabled for the
// dropbox. Onion keys stay under the data folder, so the address survives
// restarts. The newsroom and archive services only admit clients listed
// for client authorisation (at least one is required). Tor's log goes to
// Confide's log, and tor logs no client addresses for onion services.
package onion

import (
	"bytes"
	"context"
	"crypto/sha3"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Config describes the onion services to run.
type Config struct {
	// Dir holds the torrc, tor's state and the services' keys.
	Dir string
	// Dropbox is the local address the dropbox listens on; empty for no
	// dropbox service (the archive's process).
	Dropbox string
	// Newsroom, if set, also puts the newsroom behind an onion service
	// that needs client authorisation.
	Newsroom string
	// NewsroomClients are x25519 public keys (base32) allowed to reach it.
	NewsroomClients []string
	// Archive, if set, puts the archive behind an onion service that needs
	// client authorisation; ArchiveClients are the keys it admits.
	Archive        string
	ArchiveClients []string
	// DisableNetwork starts tor without touching the network (tests).
	DisableNetwork bool
}

func (c Config) serviceDir(name string) string { return filepath.Join(c.Dir, name) }

// service is one onion service of a Config.
type service struct {
	name, addr, comment string
	clients             []string
	restricted          bool // client authorisation required
}

// services lists what c asks for, in torrc order.
func (c Config) services() []service {
	var out []service
	if c.Dropbox != "" {
		out = append(out, service{name: "dropbox", addr: c.Dropbox, comment: "The dropbox, for sources."})
	}
	if c.Newsroom != "" {
		out = append(out, service{name: "newsroom", addr: c.Newsroom, comment: "The newsroom, for listed journalists only.", clients: c.NewsroomClients, restricted: true})
	}
	if c.Archive != "" {
		out = append(out, service{name: "archive", addr: c.Archive, comment: "The archive, for listed clients only.", clients: c.ArchiveClients, restricted: true})
	}
	return out
}

// Torrc renders the configuration tor runs with.
func Torrc(c Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DataDirectory %s\n", filepath.Join(c.Dir, "state"))
	b.WriteString("SocksPort 0\nLog notice stdout\nSafeLogging 1\nAvoidDiskWrites 1\n")
	if c.DisableNetwork {
		b.WriteString("DisableNetwork 1\n")
	}
	for _, sv := range c.services() {
		fmt.Fprintf(&b, "\n# %s\nHiddenServiceDir %s\nHiddenServiceVersion 3\nHiddenServicePort 80 %s\n", sv.comment, c.serviceDir(sv.name), sv.addr)
		if sv.name == "dropbox" {
			// Tor's defence against introduction floods: clients solve a
			// puzzle whose cost rises with load (proposal 327).
			b.WriteString("HiddenServicePoWDefensesEnabled 1\n")
		}
	}
	return b.String()
}

// Tor is a running tor process.
type Tor struct {
	cmd  *exec.Cmd
	done chan error
	// DropboxOnion, NewsroomOnion and ArchiveOnion are the services'
	// addresses ("" for one not asked for).
	DropboxOnion, NewsroomOnion, ArchiveOnion string
}

// Start writes the torrc, starts tor and waits until the addresses exist.
func Start(ctx context.Context, c Config, log io.Writer) (*Tor, error) {
	torPath, err := exec.LookPath("tor")
	if err != nil {
		return nil, errors.New("onion: tor is not installed (apt-get install tor)")
	}
	services := c.services()
	if len(services) == 0 {
		return nil, errors.New("onion: no service to run")
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("onion: %w", err)
	}
	os.Chmod(c.Dir, 0o700)
	for _, sv := range services {
		if sv.restricted {
			if err := writeClients(c.serviceDir(sv.name), sv.name, sv.clients); err != nil {
				return nil, err
			}
			continue
		}
		if err := os.MkdirAll(c.serviceDir(sv.name), 0o700); err != nil {
			return nil, fmt.Errorf("onion: %w", err)
		}
		os.Chmod(c.serviceDir(sv.name), 0o700)
	}
	torrc := filepath.Join(c.Dir, "torrc")
	if err := os.WriteFile(torrc, []byte(Torrc(c)), 0o600); err != nil {
		return nil, fmt.Errorf("onion: %w", err)
	}
	cmd := exec.Command(torPath, "-f", torrc)
	cmd.Stdout, cmd.Stderr = log, log
	// tor must not outlive Confide.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("onion: start tor: %w", err)
	}
	t := &Tor{cmd: cmd, done: make(chan error, 1)}
	go func() { t.done <- cmd.Wait() }()
	wait := func(name string) (string, error) {
		host := filepath.Join(c.serviceDir(name), "hostname")
		for {
			if b, err := os.ReadFile(host); err == nil && len(bytes.TrimSpace(b)) > 0 {
				addr := strings.TrimSpace(string(b))
				if err := VerifyService(c.serviceDir(name), addr); err != nil {
					return "", err
				}
				return addr, nil
			}
			select {
			case err := <-t.done:
				return "", fmt.Errorf("onion: tor exited: %v (see its log above)", err)
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	for _, sv := range services {
		addr, err := wait(sv.name)
		if err != nil {
			t.Stop()
			return nil, err
		}
		switch sv.name {
		case "dropbox":
			t.DropboxOnion = addr
		case "newsroom":
			t.NewsroomOnion = addr
		case "archive":
			t.ArchiveOnion = addr
		}
	}
	return t, nil
}

// Stop ends tor.
func (t *Tor) Stop() {
	if t.cmd.Process != nil {
		t.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-t.done:
		case <-time.After(5 * time.Second):
			t.cmd.Process.Kill()
		}
	}
}

// writeClients lists the keys a restricted service admits, and only
// those: a key dropped from the flags is no longer admitted.
func writeClients(dir, name string, clients []string) error {
	ac := filepath.Join(dir, "authorized_clients")
	if err := os.MkdirAll(ac, 0o700); err != nil {
		return fmt.Errorf("onion: %w", err)
	}
	os.Chmod(dir, 0o700)
	if len(clients) == 0 {
		return fmt.Errorf("onion: the %s onion service needs at least one authorised client key", name)
	}
	old, _ := filepath.Glob(filepath.Join(ac, "*.auth"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("onion: %w", err)
		}
	}
	for i, k := range clients {
		k = strings.TrimSpace(k)
		if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(k)); err != nil || len(raw) != 32 {
			return fmt.Errorf("onion: client key %d is not a base32 x25519 public key", i+1)
		}
		line := "descriptor:x25519:" + strings.ToUpper(k) + "\n"
		if err := os.WriteFile(filepath.Join(ac, fmt.Sprintf("client%d.auth", i+1)), []byte(line), 0o600); err != nil {
			return fmt.Errorf("onion: %w", err)
		}
	}
	return nil
}

// AddressFromKey computes a v3 onion address from an ed25519 public key
// (rend-spec-v3: base32(pubkey ‖ checksum ‖ version) + ".onion").
func AddressFromKey(pub []byte) string {
	h := sha3.New256()
	h.Write([]byte(".onion checksum"))
	h.Write(pub)
	h.Write([]byte{3})
	sum := h.Sum(nil)
	raw := append(append(append([]byte{}, pub...), sum[:2]...), 3)
	return strings.ToLower(base32.StdEncoding.EncodeToString(raw)) + ".onion"
}

// VerifyService checks that a service's hostname is the address of its key.
func VerifyService(dir, addr string) error {
	b, err := os.ReadFile(filepath.Join(dir, "hs_ed25519_public_key"))
	if err != nil {
		return fmt.Errorf("onion: %w", err)
	}
	const header = "== ed25519v1-public: type0 ==\x00\x00\x00"
	if len(b) != 64 || string(b[:32]) != header {
		return errors.New("onion: unexpected public key file")
	}
	if want := AddressFromKey(b[32:]); addr != want {
		return fmt.Errorf("onion: hostname %s does not match key (%s)", addr, want)
	}
	return nil
}
