package source

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Progress hears every byte as it goes out, never more than the item, and
// goes back to the dropbox's offset when a chunk is sent again after a
// failure; it ends at the item's size.
func TestUploadProgress(t *testing.T) {
	var mu sync.Mutex
	var have int64
	failed := false
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case "POST":
			w.Write([]byte(`{"id":"u1","offset":0}`))
		case "GET":
			w.Write([]byte(`{"offset":` + strconv.FormatInt(have, 10) + `}`))
		case "PATCH":
			b, _ := io.ReadAll(r.Body)
			if have == 2048 && !failed {
				failed = true // the second chunk is lost on the way
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			have += int64(len(b))
			w.Header().Set("Upload-Offset", strconv.FormatInt(have, 10))
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer ts.Close()
	c, err := New(ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = time.Millisecond
	var seen []int64
	c.Progress = func(n int64) { seen = append(seen, n) }
	data := bytes.Repeat([]byte("x"), 5000)
	if _, err := c.Upload(context.Background(), "file", "a", "text/plain", bytes.NewReader(data), int64(len(data)), 2048); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 || seen[len(seen)-1] != 5000 {
		t.Fatalf("does not end at the size: %v", seen)
	}
	back := false
	for i, n := range seen {
		if n < 0 || n > 5000 {
			t.Fatalf("out of range: %v", seen)
		}
		if i > 0 && n < seen[i-1] {
			back = back || n == 2048
		}
	}
	if !back {
		t.Fatalf("never went back to the dropbox's offset after the failed chunk: %v", seen)
	}
}
