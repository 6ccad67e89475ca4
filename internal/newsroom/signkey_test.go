package newsroom

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confide/internal/store"
	"confide/internal/store/storetest"
)

// With --newsroom-key the signing seed moves out of the database into a
// 0600 file, keeping the key workstations pinned: a copy of the database
// then holds no seed, and a server without the file refuses to start
// rather than make a new key.
func TestSigningKeyMovesToAFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, _ := b.Open(t)
		ctx := context.Background()
		open := func(file string) (*Server, error) {
			return New(ctx, Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SigningKeyFile: file})
		}
		first, err := open("")
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := st.Setting(ctx, settingSigningSeed)
		file := filepath.Join(t.TempDir(), "newsroom-api.key")
		moved, err := open(file)
		if err != nil || string(moved.PublicKey()) != string(first.PublicKey()) {
			t.Fatalf("moving the key changed it: %v", err)
		}
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v %v", fi, err)
		}
		if v, _ := st.Setting(ctx, settingSigningSeed); v != "" || strings.Contains(dump(t, st), seed) {
			t.Fatalf("the seed is still in the database: %q", v)
		}
		if _, err := open(""); err == nil || !strings.Contains(err.Error(), "--newsroom-key") {
			t.Fatalf("started without the key file: %v", err)
		}
		if _, err := open(filepath.Join(t.TempDir(), "elsewhere.key")); err == nil {
			t.Fatal("made a new key while the real one lives in a file")
		}
		again, err := open(file)
		if err != nil || string(again.PublicKey()) != string(first.PublicKey()) {
			t.Fatalf("reopened: %v", err)
		}
		// Another key in the file is refused, and so is a file others read.
		other := filepath.Join(t.TempDir(), "other.key")
		os.WriteFile(other, []byte(hex.EncodeToString(make([]byte, 32))+"\n"), 0o600)
		if _, err := open(other); err == nil || !strings.Contains(err.Error(), "another API signing key") {
			t.Fatalf("another key: %v", err)
		}
		os.Chmod(file, 0o644)
		if _, err := open(file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("a readable key file: %v", err)
		}
	})
}

// A new newsroom given a key file never puts a seed in the database.
func TestSigningKeyFileFromTheStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, _ := b.Open(t)
		file := filepath.Join(t.TempDir(), "newsroom-api.key")
		s, err := New(context.Background(), Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SigningKeyFile: file})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := st.Setting(context.Background(), settingSigningSeed); err == nil && v != "" {
			t.Fatalf("seed in the database: %q", v)
		}
		b2, _ := os.ReadFile(file)
		if pub, _ := st.Setting(context.Background(), settingSigningPublic); pub != hex.EncodeToString(s.PublicKey()) || len(strings.TrimSpace(string(b2))) != 64 {
			t.Fatalf("public %q, file %q", pub, b2)
		}
	})
}

// dump is every setting's value, as a copy of the database would show it.
func dump(t *testing.T, st *store.DB) string {
	t.Helper()
	rows, err := st.SQL().Query(`SELECT name, value FROM settings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		var n, v string
		rows.Scan(&n, &v)
		sb.WriteString(n + "=" + v + "\n")
	}
	return sb.String()
}
