package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// archive serve answers its status page on loopback and stops cleanly.
func TestArchiveServe(t *testing.T) {
	data := t.TempDir()
	var out lockedBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard}
	if err := e.archive(context.Background(), []string{"ingest", "--data", data, "--collection", "kgb", "--no-ocr", "archive_test.go"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- e.archive(ctx, []string{"serve", "--data", data, "--listen", "127.0.0.1:0"}) }()
	addr := regexp.MustCompile(`archive: http://(127\.0\.0\.1:[0-9]+)/ \(status only for now\)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; time.Sleep(20 * time.Millisecond) {
		if m = addr.FindStringSubmatch(out.String()); m == nil && time.Now().After(deadline) {
			t.Fatalf("no address printed: %q", out.String())
		}
	}
	resp, err := http.Get("http://" + m[1] + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "kgb: 1 done, 0 queued, 0 running, 0 failed; 1 documents, 1 pages") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
}
