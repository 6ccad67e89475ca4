package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/blob"
	"confide/internal/dropbox"
	"confide/internal/source"
	"confide/internal/store"
	"confide/internal/store/storetest"

	"filippo.io/age"
)

// More items than the dropbox takes in one submission are refused before
// anything is sent (no source registered, nothing uploaded), with a
// sentence that says what to do, not after the first uploads went through.
// newDropbox is a dropbox on SQLite with one journalist, closed at the
// end of the test.
func newDropbox(t *testing.T, uploadsPerSource int) (*store.DB, *dropbox.Server) {
	st, _ := storetest.Backends()[0].Open(t)
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.GenerateX25519Identity()
	st.AddJournalist(context.Background(), store.Journalist{Name: "ann", Recipient: id.Recipient().String()})
	db, err := dropbox.New(context.Background(), dropbox.Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), UploadsPerSource: uploadsPerSource})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return st, db
}

func TestSourceSubmitTooManyItems(t *testing.T) {
	st, db := newDropbox(t, 3)
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
	err := e.sourceSubmit(context.Background(), ts.URL, "", "", "", msg, 1<<20, files)
	if err == nil || !strings.Contains(err.Error(), "at most 3 items") || !strings.Contains(err.Error(), "this is 4") {
		t.Fatalf("%v", err)
	}
	var n int
	st.SQL().QueryRow(`SELECT COUNT(*) FROM sources`).Scan(&n)
	if n != 0 || strings.Contains(out.String(), "codename") {
		t.Fatalf("%d sources registered; printed %q", n, out.String())
	}
}

// A dropped connection that does not come back ends with what to do: run
// the same command again, with the codename just printed to stay the same
// source, and nothing was submitted.
func TestSourceSubmitDroppedSaysRunAgain(t *testing.T) {
	st, db := newDropbox(t, 0)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch { // the circuit drops mid-chunk
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		db.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	name := filepath.Join(t.TempDir(), "leak.pdf")
	os.WriteFile(name, []byte("%PDF-1.4 ledger"), 0o600)
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, tweakSource: func(c *source.Client) { c.Retries, c.Backoff = 1, time.Millisecond }}
	err := e.sourceSubmit(context.Background(), ts.URL, "", "", "", "", 1<<20, []string{name})
	if err == nil || !strings.Contains(err.Error(), "nothing was submitted: run the same command again with --codename-file holding the codename above") {
		t.Fatalf("%v", err)
	}
	if strings.Contains(out.String(), "uploaded") || !strings.Contains(out.String(), "codename: ") {
		t.Fatalf("printed %q", out.String())
	}
	var subs, sources int
	if err := st.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM submissions), (SELECT COUNT(*) FROM sources)`).Scan(&subs, &sources); err != nil || subs != 0 || sources != 1 {
		t.Fatalf("%d submissions, %d sources: %v", subs, sources, err)
	}
	// A refusal by the dropbox is not a dropped connection: no such advice.
	if err := interrupted(&source.APIError{Status: 413, Message: "too large"}, true); strings.Contains(err.Error(), "again") {
		t.Fatalf("refusal: %v", err)
	}
}
