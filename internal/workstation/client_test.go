package workstation

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server that answers an error with an endless body is cut off, not
// buffered into the journalist's memory.
func TestErrorAnswerIsCapped(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 64 { // 4 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer ts.Close()
	pub, _, _ := ed25519.GenerateKey(nil)
	c, err := NewClient(ts.URL, pub)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Sync(context.Background(), 0, 0, false)
	if err == nil || !strings.Contains(err.Error(), "larger than expected") {
		t.Fatalf("err = %v", err)
	}
}
