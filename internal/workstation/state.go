package workstation

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
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
}

const stateFile = "state.json"

// LoadState reads the state, or returns an empty one.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Pulled: map[string]string{}}, nil
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
