package dropbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/source"
	"confide/internal/store"
	"confide/internal/store/storetest"
)

// flaky fails one read once it has passed failAt, as a dropped Tor circuit
// does mid-request.
type flaky struct {
	*bytes.Reader
	pos, failAt int64
	failed      bool
}

func (f *flaky) Read(p []byte) (int, error) {
	if !f.failed && f.pos >= f.failAt {
		f.failed = true
		return 0, errors.New("circuit dropped")
	}
	n, err := f.Reader.Read(p)
	f.pos += int64(n)
	return n, err
}

func (f *flaky) Seek(off int64, whence int) (int64, error) {
	n, err := f.Reader.Seek(off, whence)
	f.pos = n
	return n, err
}

func TestAPIResumableSubmission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		ctx := context.Background()
		c, err := source.New(f.ts.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		c.Backoff = time.Millisecond
		// This test server derives cheaply, which the client refuses
		// unless told to.
		if _, err := c.Params(ctx); !errors.Is(err, source.ErrWeakParams) {
			t.Fatalf("fast parameters accepted by default: %v", err)
		}
		c.MinParams = fastParams
		p, err := c.Params(ctx)
		if err != nil || !p.Accepting || len(p.Salt) != 16 {
			t.Fatalf("%+v %v", p, err)
		}
		codename := seal.NewCodename()
		keys, err := source.Derive(codename, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Register(ctx, keys); err != nil {
			t.Fatal(err)
		}
		if err := c.Register(ctx, keys); err == nil {
			t.Fatal("registered the same codename twice")
		}
		data := make([]byte, 700_000)
		rand.Read(data)
		src := &flaky{Reader: bytes.NewReader(data), failAt: 250_000}
		id, err := c.Upload(ctx, "file", "../../archive.zip", "application/zip", "", src, int64(len(data)), 100_000)
		if err != nil {
			t.Fatal(err)
		}
		if !src.failed {
			t.Fatal("the test never dropped the connection")
		}
		msg, err := c.Upload(ctx, "message", "", "text/plain", "", strings.NewReader("see the archive"), 15, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Submit(ctx, []string{msg, id}); err != nil {
			t.Fatal(err)
		}
		s := f.onlySource()
		got := f.openAll(s.ID)
		if len(got) != 2 || string(got[0].content) != "see the archive" || !bytes.Equal(got[1].content, data) {
			t.Fatalf("stored %d items; file intact: %v", len(got), len(got) == 2 && bytes.Equal(got[1].content, data))
		}
		if got[1].manifest.Name != "../../archive.zip" || got[1].manifest.ContentType != "application/zip" {
			t.Fatalf("manifest %+v", got[1].manifest)
		}
		// Replies through the API, decrypted on the client.
		f.reply(s, "received, thank you")
		c2, _ := source.New(f.ts.URL, "")
		if err := c2.Login(ctx, keys); err != nil {
			t.Fatal(err)
		}
		reps, err := c2.Replies(ctx, keys)
		if err != nil || len(reps) != 1 || reps[0].Text != "received, thank you" {
			t.Fatalf("%+v %v", reps, err)
		}
		other, _ := source.Derive(seal.NewCodename(), p)
		var ae *source.APIError
		if err := c2.Login(ctx, other); !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			t.Fatalf("unknown codename: %v", err)
		}
	})
}

// rawClient is a raw client for the malformed requests source.Client never sends.
type rawClient struct {
	t     *testing.T
	base  string
	token string
}

func (a rawClient) call(method, path string, body io.Reader, hdr map[string]string) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.base+path, body)
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestAPIBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true, func(c *Config) { c.MaxUpload = 64 << 10 })
		a := rawClient{t: t, base: f.ts.URL}
		keys, _ := seal.Derive("a b c d e f g", []byte("saltsalt"), fastParams)
		body, _ := json.Marshal(map[string]any{"login_key": keys.LoginKey[:], "recipient": keys.Identity.Recipient().String()})
		st, out := a.call("POST", "/api/v1/sources", bytes.NewReader(body), nil)
		if st != http.StatusCreated {
			t.Fatalf("register: %d %v", st, out)
		}
		a.token = out["token"].(string)
		// A first good submission that nothing below may disturb.
		_, up := a.call("POST", "/api/v1/uploads", strings.NewReader(`{"kind":"message"}`), nil)
		a.call("PATCH", "/api/v1/uploads/"+up["id"].(string), strings.NewReader("kept"), map[string]string{"Upload-Offset": "0"})
		if st, _ := a.call("POST", "/api/v1/submissions", strings.NewReader(`{"uploads":["`+up["id"].(string)+`"]}`), nil); st != http.StatusCreated {
			t.Fatalf("good submission: %d", st)
		}
		_, up = a.call("POST", "/api/v1/uploads", strings.NewReader(`{"kind":"file","name":"x.bin"}`), nil)
		uid := up["id"].(string)
		a.call("PATCH", "/api/v1/uploads/"+uid, strings.NewReader("0123456789"), map[string]string{"Upload-Offset": "0"})

		cases := []struct {
			name         string
			method, path string
			body         string
			hdr          map[string]string
			token        string
			status       int
		}{
			{"no token", "POST", "/api/v1/uploads", `{"kind":"file","name":"a"}`, nil, "-", http.StatusUnauthorized},
			{"bad token", "POST", "/api/v1/uploads", `{"kind":"file","name":"a"}`, nil, "nonsense", http.StatusUnauthorized},
			{"not json", "POST", "/api/v1/uploads", `{kind:`, nil, "", http.StatusBadRequest},
			{"unknown field", "POST", "/api/v1/uploads", `{"kind":"file","name":"a","path":"/etc"}`, nil, "", http.StatusBadRequest},
			{"bad kind", "POST", "/api/v1/uploads", `{"kind":"exe","name":"a"}`, nil, "", http.StatusBadRequest},
			{"file without name", "POST", "/api/v1/uploads", `{"kind":"file"}`, nil, "", http.StatusBadRequest},
			{"out of order chunk", "PATCH", "/api/v1/uploads/" + uid, "abc", map[string]string{"Upload-Offset": "5"}, "", http.StatusConflict},
			{"chunk replayed", "PATCH", "/api/v1/uploads/" + uid, "abc", map[string]string{"Upload-Offset": "0"}, "", http.StatusConflict},
			{"malformed offset", "PATCH", "/api/v1/uploads/" + uid, "abc", map[string]string{"Upload-Offset": "-1"}, "", http.StatusBadRequest},
			{"missing offset", "PATCH", "/api/v1/uploads/" + uid, "abc", nil, "", http.StatusBadRequest},
			{"unknown upload", "PATCH", "/api/v1/uploads/" + store.NewID(), "abc", map[string]string{"Upload-Offset": "0"}, "", http.StatusNotFound},
			{"oversized chunk", "PATCH", "/api/v1/uploads/" + uid, strings.Repeat("z", 70<<10), map[string]string{"Upload-Offset": "10"}, "", http.StatusRequestEntityTooLarge},
			{"submit unknown", "POST", "/api/v1/submissions", `{"uploads":["` + store.NewID() + `"]}`, nil, "", http.StatusNotFound},
			{"submit repeated", "POST", "/api/v1/submissions", `{"uploads":["` + uid + `","` + uid + `"]}`, nil, "", http.StatusNotFound},
			{"submit nothing", "POST", "/api/v1/submissions", `{"uploads":[]}`, nil, "", http.StatusBadRequest},
			{"short login key", "POST", "/api/v1/login", `{"login_key":"AAAA"}`, nil, "-", http.StatusBadRequest},
			{"bad recipient", "POST", "/api/v1/sources", `{"login_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","recipient":"age1nope"}`, nil, "-", http.StatusBadRequest},
			{"delete unknown reply", "DELETE", "/api/v1/replies/" + store.NewID(), "", nil, "", http.StatusNotFound},
		}
		for _, c := range cases {
			ca := a
			switch c.token {
			case "-":
				ca.token = ""
			case "":
			default:
				ca.token = c.token
			}
			st, out := ca.call(c.method, c.path, strings.NewReader(c.body), c.hdr)
			msg, _ := out["error"].(string)
			if st != c.status || msg == "" {
				t.Errorf("%s: %d %v, want %d with a message", c.name, st, out, c.status)
			}
			if strings.Contains(msg, "store:") || strings.Contains(msg, "sql") {
				t.Errorf("%s: internal detail leaked: %s", c.name, msg)
			}
		}
		// None of that disturbed the upload: an oversized chunk that says
		// its length is refused before a byte is read.
		if st, out := a.call("GET", "/api/v1/uploads/"+uid, nil, nil); st != http.StatusOK || out["offset"].(float64) != 10 {
			t.Fatalf("the upload moved: %d %v", st, out)
		}
		s := f.onlySource()
		if got := f.openAll(s.ID); len(got) != 1 || string(got[0].content) != "kept" {
			t.Fatalf("earlier submission disturbed: %d items", len(got))
		}
	})
}

// rawAPI registers a source and returns a raw client holding its token.
func (f *fixture) rawAPI(t *testing.T) rawClient {
	t.Helper()
	a := rawClient{t: t, base: f.ts.URL}
	keys, _ := seal.Derive("a b c d e f g", []byte("saltsalt"), fastParams)
	body, _ := json.Marshal(map[string]any{"login_key": keys.LoginKey[:], "recipient": keys.Identity.Recipient().String()})
	st, out := a.call("POST", "/api/v1/sources", bytes.NewReader(body), nil)
	if st != http.StatusCreated {
		t.Fatalf("register: %d %v", st, out)
	}
	a.token = out["token"].(string)
	return a
}

func TestAPIOffsetConflictReportsPosition(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true)
	a := f.rawAPI(t)
	_, up := a.call("POST", "/api/v1/uploads", strings.NewReader(`{"kind":"file","name":"a"}`), nil)
	uid := up["id"].(string)
	a.call("PATCH", "/api/v1/uploads/"+uid, strings.NewReader("12345"), map[string]string{"Upload-Offset": "0"})
	st, out := a.call("PATCH", "/api/v1/uploads/"+uid, strings.NewReader("x"), map[string]string{"Upload-Offset": "9"})
	if st != http.StatusConflict || out["offset"].(float64) != 5 {
		t.Fatalf("%d %v", st, out)
	}
	st, out = a.call("GET", "/api/v1/uploads/"+uid, nil, nil)
	if st != 200 || out["offset"].(float64) != 5 {
		t.Fatalf("%d %v", st, out)
	}
}

// A resume tag finds only its own source's unfinished upload: another
// source sending the same tag gets an upload of its own.
func TestAPIResumeTagIsPerSource(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true)
	ctx := context.Background()
	client := func() *source.Client {
		c, err := source.New(f.ts.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		c.MinParams = fastParams
		p, err := c.Params(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := source.Derive(seal.NewCodename(), p)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Register(ctx, keys); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := client(), client()
	// A's first try sends only 10 of 20 bytes: the rest of the body never
	// comes, as when a circuit drops for good.
	src := &flaky{Reader: bytes.NewReader(bytes.Repeat([]byte("x"), 20)), failAt: 10}
	a.Retries = 0
	if _, err := a.Upload(ctx, "file", "n.txt", "text/plain", "tag-1", src, 20, 10); err == nil {
		t.Fatal("the upload did not fail")
	}
	a.Retries = 3
	// Where each upload starts: Progress is told the offset first.
	first := func(c *source.Client) *int64 {
		at := int64(-1)
		c.Progress = func(n int64) {
			if at < 0 {
				at = n
			}
		}
		return &at
	}
	startA, startB := first(a), first(b)
	idA, err := a.Upload(ctx, "file", "n.txt", "text/plain", "tag-1", bytes.NewReader(bytes.Repeat([]byte("x"), 20)), 20, 10)
	if err != nil || *startA != 10 {
		t.Fatalf("A's own tag resumed at %d: %v", *startA, err)
	}
	idB, err := b.Upload(ctx, "file", "n.txt", "text/plain", "tag-1", bytes.NewReader(bytes.Repeat([]byte("y"), 20)), 20, 10)
	if err != nil || idA == idB || *startB != 0 {
		t.Fatalf("the other source got upload %s of %s, at %d: %v", idB, idA, *startB, err)
	}
	if err := a.Submit(ctx, []string{idA}); err != nil {
		t.Fatal(err)
	}
	if err := b.Submit(ctx, []string{idB}); err != nil {
		t.Fatal(err)
	}
}
