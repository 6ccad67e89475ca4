package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"confide/internal/blob"
	"confide/internal/dropbox"
	"confide/internal/store"
	"confide/internal/store/storetest"

	"filippo.io/age"
)

// More items than the dropbox takes in one submission are refused before
// anything is sent (no source registered, nothing uploaded), with a
// sentence that says what to do, not after the first uploads went through.
func TestSourceSubmitTooManyItems(t *testing.T) {
	st, _ := storetest.Backends()[0].Open(t)
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.GenerateX25519Identity()
	st.AddJournalist(context.Background(), store.Journalist{Name: "ann", Recipient: id.Recipient().String()})
	db, err := dropbox.New(context.Background(), dropbox.Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), UploadsPerSource: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := httptest.NewServer(db.Handler())
	defer ts.Close()
	dir := t.TempDir()
	var files []string
	for i := 0; i < 3; i++ {
		name := filepath.Join(dir, "f"+strconv.Itoa(i))
		os.WriteFile(name, []byte("x"), 0o600)
		files = append(files, name)
	}
	msg := filepath.Join(dir, "message.txt")
	os.WriteFile(msg, []byte("and a message"), 0o600)
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out}
	err = e.sourceSubmit(context.Background(), ts.URL, "", "", "", "en", msg, 1<<20, files)
	if err == nil || !strings.Contains(err.Error(), "at most 3 items") || !strings.Contains(err.Error(), "this is 4") {
		t.Fatalf("%v", err)
	}
	var n int
	st.SQL().QueryRow(`SELECT COUNT(*) FROM sources`).Scan(&n)
	if n != 0 || strings.Contains(out.String(), "codename") {
		t.Fatalf("%d sources registered; printed %q", n, out.String())
	}
}
