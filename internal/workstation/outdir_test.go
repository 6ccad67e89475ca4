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

// Pulled folders are named without spaces, and a folder an older version
// pulled into ("brave otter/") moves to the new name, so a source's
// material stays in one place; replies find the source by either name.
func TestPullFolderWithoutSpaces(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "a message", "a file")
	st, c := n.login(n.proxy(nil, nil).URL)
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "brave otter"), 0o700)
	os.WriteFile(filepath.Join(out, "brave otter", "000000-earlier.txt"), []byte("kept"), 0o600)
	res, err := Pull(context.Background(), c, st, n.id, out)
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("pull: %+v %v", res, err)
	}
	for _, w := range res.Written {
		if dir := filepath.Dir(w); dir != "brave-otter" {
			t.Fatalf("wrote %s, want it under brave-otter/", w)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "brave-otter", "000000-earlier.txt")); err != nil || string(b) != "kept" {
		t.Fatalf("the earlier pull was not moved: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "brave otter")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the folder with a space remains")
	}
	if err := Reply(context.Background(), c, "brave-otter", "by the folder's name"); err != nil {
		t.Fatalf("reply by folder name: %v", err)
	}
}
