// Package onion runs the system tor (Debian's package) to put the dropbox,
// and optionally the newsroom, behind v3 onion services.
//
// Contract: tor is started with a torrc this package writes under the data
// folder, with SafeLogging on and its proof-of-work defence enabled for the
// dropbox. Onion keys stay under the data folder, so the address survives
// restarts. The newsroom service, when asked for, only admits clients listed
// for client authorisation. Tor's log goes to Confide's log, and tor logs no
// client addresses for onion services.
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
	// Dropbox is the local address the dropbox listens on.
	Dropbox string
	// Newsroom, if set, also puts the newsroom behind an onion service
	// that needs client authorisation.
	Newsroom string
	// NewsroomClients are x25519 public keys (base32) allowed to reach it.
	NewsroomClients []string
	// DisableNetwork starts tor without touching the network (tests).
	DisableNetwork bool
}

func (c Config) serviceDir(name string) string { return filepath.Join(c.Dir, name) }

// Torrc renders the configuration tor runs with.
func Torrc(c Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DataDirectory %s\n", filepath.Join(c.Dir, "state"))
	b.WriteString("SocksPort 0\nLog notice stdout\nSafeLogging 1\nAvoidDiskWrites 1\n")
	if c.DisableNetwork {
		b.WriteString("DisableNetwork 1\n")
	}
	fmt.Fprintf(&b, "\n# The dropbox, for sources.\nHiddenServiceDir %s\nHiddenServiceVersion 3\nHiddenServicePort 80 %s\n", c.serviceDir("dropbox"), c.Dropbox)
	// Tor's defence against introduction floods: clients solve a puzzle
	// whose cost rises with load (proposal 327).
	b.WriteString("HiddenServicePoWDefensesEnabled 1\n")
	if c.Newsroom != "" {
		fmt.Fprintf(&b, "\n# The newsroom, for listed journalists only.\nHiddenServiceDir %s\nHiddenServiceVersion 3\nHiddenServicePort 80 %s\n", c.serviceDir("newsroom"), c.Newsroom)
	}
	return b.String()
}

// Tor is a running tor process.
type Tor struct {
	cmd  *exec.Cmd
	done chan error
	// DropboxOnion and NewsroomOnion are the services' addresses.
	DropboxOnion, NewsroomOnion string
}

// Start writes the torrc, starts tor and waits until the addresses exist.
func Start(ctx context.Context, c Config, log io.Writer) (*Tor, error) {
	torPath, err := exec.LookPath("tor")
	if err != nil {
		return nil, errors.New("onion: tor is not installed (apt-get install tor)")
	}
	for _, d := range []string{c.Dir, c.serviceDir("dropbox")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("onion: %w", err)
		}
		os.Chmod(d, 0o700)
	}
	if c.Newsroom != "" {
		if err := writeClients(c.serviceDir("newsroom"), c.NewsroomClients); err != nil {
			return nil, err
		}
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
	if t.DropboxOnion, err = wait("dropbox"); err != nil {
		t.Stop()
		return nil, err
	}
	if c.Newsroom != "" {
		if t.NewsroomOnion, err = wait("newsroom"); err != nil {
			t.Stop()
			return nil, err
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

func writeClients(dir string, clients []string) error {
	ac := filepath.Join(dir, "authorized_clients")
	if err := os.MkdirAll(ac, 0o700); err != nil {
		return fmt.Errorf("onion: %w", err)
	}
	os.Chmod(dir, 0o700)
	if len(clients) == 0 {
		return errors.New("onion: the newsroom onion service needs at least one authorised client key")
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
