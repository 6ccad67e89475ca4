package workstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// pulledFiles lists what a pull left under out, temp files included.
func pulledFiles(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	return got
}

// setBody replaces an answer's body, as a proxy can, headers untouched.
func setBody(r *http.Response, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	r.Header.Set("Content-Length", strconv.Itoa(len(b)))
}

// An honest reverse proxy changes nothing: the signatures, in headers,
// cross it, and the pull writes the plaintext.
func TestPullThroughHonestProxy(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "a message", "a file")
	st, c := n.login(n.proxy(nil, nil).URL)
	out := t.TempDir()
	res, err := Pull(context.Background(), c, st, n.id, out)
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("pull: %+v %v", res, err)
	}
	b, _ := os.ReadFile(filepath.Join(out, res.Written[1]))
	if string(b) != "a file" {
		t.Fatalf("pulled %q", b)
	}
}

// A proxy that swaps a download for another valid age file, sealed to the
// journalist from the public recipient, keeping the real signature: the
// workstation refuses it and writes nothing.
func TestPullRefusesSwappedDownload(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "the real message")
	forged := n.seal("a forged message")
	ts := n.proxy(nil, func(r *http.Response) error {
		if strings.HasPrefix(r.Request.URL.Path, "/api/v1/items/") {
			r.Body.Close()
			setBody(r, forged)
		}
		return nil
	})
	st, c := n.login(ts.URL)
	out := t.TempDir()
	_, err := Pull(context.Background(), c, st, n.id, out)
	if !errors.Is(err, ErrTampered) {
		t.Fatalf("swapped download: %v", err)
	}
	if got := pulledFiles(t, out); len(got) != 0 {
		t.Fatalf("written from a swapped download: %v", got)
	}
	if len(st.Pulled) != 0 {
		t.Fatal("the swapped item was recorded as pulled")
	}
}

// A proxy that replays an earlier signed answer (here, the sync from before
// a new submission, hiding it): the workstation refuses it, since the
// signature covers the nonce of the request it answered.
func TestSyncRefusesReplayedAnswer(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "first")
	var mu sync.Mutex
	recorded := map[string]*http.Response{}
	ts := n.proxy(nil, func(r *http.Response) error {
		mu.Lock()
		defer mu.Unlock()
		key := r.Request.URL.RequestURI()
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if old, ok := recorded[key]; ok {
			// Serve the earlier answer, signature and all.
			ob, _ := io.ReadAll(old.Body)
			old.Body = io.NopCloser(bytes.NewReader(ob))
			r.StatusCode, r.Header = old.StatusCode, old.Header.Clone()
			setBody(r, ob)
			return nil
		}
		recorded[key] = &http.Response{StatusCode: r.StatusCode, Header: r.Header.Clone(), Body: io.NopCloser(bytes.NewReader(b))}
		setBody(r, b)
		return nil
	})
	_, c := n.login(ts.URL)
	first, err := c.Sync(context.Background(), 0, 0, true)
	if err != nil || len(first.Items) != 1 {
		t.Fatalf("first sync: %+v %v", first, err)
	}
	n.submit("brave otter", "second")
	if again, err := c.Sync(context.Background(), 0, 0, true); !errors.Is(err, ErrTampered) {
		t.Fatalf("a replayed sync was accepted: %d items, %v", len(again.Items), err)
	}
}

// A proxy that swaps the reply a workstation uploads for another age file:
// the newsroom signs the hash of the body it received, so the workstation
// learns its reply did not arrive as sent.
func TestReplyRefusesChangedBody(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "hello")
	forged := n.seal("a forged reply")
	ts := n.proxy(func(r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/replies") {
			return
		}
		var body map[string][]byte
		json.NewDecoder(r.Body).Decode(&body)
		body["ciphertext"] = forged
		b, _ := json.Marshal(body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
	}, nil)
	_, c := n.login(ts.URL)
	if err := Reply(context.Background(), c, "brave otter", "the real reply"); !errors.Is(err, ErrTampered) {
		t.Fatalf("a changed reply went unnoticed: %v", err)
	}
	// Untouched, the same reply goes through.
	_, direct := n.login(n.ts.URL)
	if err := Reply(context.Background(), direct, "brave otter", "the real reply"); err != nil {
		t.Fatal(err)
	}
}
