package workstation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// State is what the workstation keeps between commands, in --state DIR:
// the newsroom, its pinned signing key, the token and the sync cursors.
// It holds no plaintext and no private key.
type State struct {
	Newsroom    string            `json:"newsroom"`
	User        string            `json:"user"`
	ServerKey   ed25519.PublicKey `json:"server_key"`
	Token       string            `json:"token"`
	Expires     time.Time         `json:"expires"`
	ItemsCursor int64             `json:"items_cursor"`
	TombsCursor int64             `json:"tombs_cursor"`
	// Pulled maps item IDs to the files written for them.
	Pulled map[string]string `json:"pulled"`
	// PulledSHA256 maps item IDs to the hex SHA-256 of the ciphertext
	// each was decrypted from, as the custody records say: archive ingest
	// checks the records against it.
	PulledSHA256 map[string]string `json:"pulled_sha256,omitempty"`
}

const stateFile = "state.json"

// LoadState reads the state, or returns an empty one.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Pulled: map[string]string{}, PulledSHA256: map[string]string{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("workstation: the state file is damaged: %w", err)
	}
	if s.Pulled == nil {
		s.Pulled = map[string]string{}
	}
	if s.PulledSHA256 == nil {
		s.PulledSHA256 = map[string]string{}
	}
	return &s, nil
}

// Save writes the state atomically, readable by its owner only.
func (s *State) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, stateFile))
}

// Client returns a client for the state's newsroom and token.
func (s *State) Client() (*Client, error) {
	if s.Newsroom == "" || s.Token == "" {
		return nil, errors.New("workstation: not logged in: run `confide workstation login` first")
	}
	if time.Now().After(s.Expires) {
		return nil, errors.New("workstation: your token has expired: run `confide workstation login` again")
	}
	c, err := NewClient(s.Newsroom, s.ServerKey)
	if err != nil {
		return nil, err
	}
	c.Token = s.Token
	return c, nil
}

// Login signs in to the newsroom at rawURL and records the token in st.
// The newsroom's key is checked first, against serverKey when given, else
// against the key st has pinned; only then is secrets called and are the
// passphrase and code sent. A state folder belongs to one newsroom (one
// key): another key is refused unless serverKey names it. notice gets the
// lines a journalist should read (the key trusted on first use).
func Login(ctx context.Context, st *State, rawURL, user string, serverKey ed25519.PublicKey,
	secrets func() (pass, code string, err error), notice io.Writer) (time.Time, error) {
	base, err := NormalizeURL(rawURL)
	if err != nil {
		return time.Time{}, err
	}
	var pinned ed25519.PublicKey
	if len(st.ServerKey) == ed25519.PublicKeySize {
		pinned = st.ServerKey
	}
	want := serverKey
	if want == nil {
		want = pinned
	}
	c, err := NewClient(base, want)
	if err != nil {
		return time.Time{}, err
	}
	got, err := c.FetchKey(ctx, want)
	b64 := base64.StdEncoding.EncodeToString
	switch {
	case errors.Is(err, ErrKeyChanged) && serverKey == nil:
		return time.Time{}, fmt.Errorf("%w: this state folder pinned %s (for %s), and %s now answers with %s. "+
			"Someone may be impersonating the newsroom; nothing was sent. If the newsroom really changed its key, "+
			"check the new one against confide serve's \"newsroom API key\" line and pass it with --server-key",
			ErrKeyChanged, b64(pinned), st.Newsroom, base, b64(got))
	case errors.Is(err, ErrKeyChanged):
		return time.Time{}, fmt.Errorf("%w: %s answers with %s, not the --server-key given; nothing was sent", ErrKeyChanged, base, b64(got))
	case err != nil:
		return time.Time{}, err
	}
	switch {
	case want == nil:
		fmt.Fprintf(notice, "Trusting the newsroom's API key on first use: %s\nCompare it with the \"newsroom API key\" line that confide serve printed.\n", b64(got))
	case pinned != nil && !bytes.Equal(pinned, got):
		fmt.Fprintf(notice, "Replacing the pinned newsroom API key %s with the --server-key given.\n", b64(pinned))
	}
	c.ServerKey = got
	pass, code, err := secrets()
	if err != nil {
		return time.Time{}, err
	}
	exp, err := c.Login(ctx, user, pass, code)
	if err != nil {
		return time.Time{}, err
	}
	// The key names the newsroom; a new address for the same key (onion
	// and clearnet, say) keeps what was already pulled.
	if !bytes.Equal(pinned, got) {
		*st = State{Pulled: map[string]string{}, PulledSHA256: map[string]string{}}
	}
	st.Newsroom, st.User, st.ServerKey, st.Token, st.Expires = base, user, got, c.Token, exp
	return exp, nil
}
