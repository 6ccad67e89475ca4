package workstation

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

// Decrypted material must not land inside a git checkout, where it would
// sit as untracked plaintext one "git add ." from a push.
func TestOutInsideGitCheckoutRefused(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o700); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(repo, "sub", "pulled")
	id, _ := age.GenerateX25519Identity()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := NewUI(inside, t.TempDir(), id, log); !errors.Is(err, ErrInsideGit) {
		t.Fatalf("serve into a checkout: %v", err)
	}
	if _, err := Pull(context.Background(), nil, nil, id, inside); !errors.Is(err, ErrInsideGit) {
		t.Fatalf("pull into a checkout: %v", err)
	}
	if _, err := os.Stat(inside); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the refused folder was created")
	}
	// A worktree's .git is a file; it counts too.
	wt := t.TempDir()
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: /elsewhere\n"), 0o600)
	if err := checkOut(filepath.Join(wt, "out")); !errors.Is(err, ErrInsideGit) {
		t.Fatalf("worktree: %v", err)
	}
	if _, err := NewUI(filepath.Join(t.TempDir(), "pulled"), t.TempDir(), id, log); err != nil {
		t.Fatalf("a folder outside any checkout: %v", err)
	}
}
