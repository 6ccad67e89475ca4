package source

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confide/internal/seal"

	"filippo.io/age"
)

// A reply longer than a source's client accepts is cut off while it
// streams in, junk and a truncated reply are refused, and a normal one
// decrypts.
func TestRepliesAreBounded(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys := &seal.SourceKeys{Identity: id}
	short, _ := seal.SealBytes([]byte("thank you"), []age.Recipient{id.Recipient()})
	long, _ := seal.SealBytes(bytes.Repeat([]byte("x"), 3<<20), []age.Recipient{id.Recipient()})
	for _, tc := range []struct {
		body []byte
		want string
	}{{short, ""}, {long, "could not be decrypted"}, {[]byte("not age at all"), "could not be decrypted"}, {short[:len(short)-8], "could not be decrypted"}} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/replies" {
				w.Write([]byte(`[{"id":"r1","day":"2026-11-29"}]`))
				return
			}
			w.Write(tc.body)
		}))
		c, err := New(ts.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Replies(context.Background(), keys)
		ts.Close()
		if tc.want == "" {
			if err != nil || len(got) != 1 || got[0].Text != "thank you" || got[0].Day != "2026-11-29" {
				t.Fatalf("short reply: %v %+v", err, got)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("long reply: %v", err)
		}
	}
}
