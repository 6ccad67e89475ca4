package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/seal"

	"filippo.io/age"
)

// counting is a transport that counts the answer bytes the client reads.
type counting struct {
	mu sync.Mutex
	n  int64
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		resp.Body = &countedBody{resp.Body, c}
	}
	return resp, err
}

func (c *counting) read() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

type countedBody struct {
	io.ReadCloser
	c *counting
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.mu.Lock()
	b.c.n += int64(n)
	b.c.mu.Unlock()
	return n, err
}

// answering is a hostile or broken dropbox: it answers what the test says.
type answering struct {
	mu       sync.Mutex
	params   []byte
	list     []byte
	reply    []byte
	endless  bool
	requests int
}

func (a *answering) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	params, list, reply, endless := a.params, a.list, a.reply, a.endless
	a.requests++
	a.mu.Unlock()
	switch {
	case endless:
		// A string that never ends: only the client's bound stops it.
		io.WriteString(w, `{"salt":"`)
		chunk := bytes.Repeat([]byte("A"), 64<<10)
		for i := 0; i < 1024; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case r.URL.Path == "/api/v1/params":
		w.Write(params)
	case r.URL.Path == "/api/v1/replies":
		w.Write(list)
	default:
		w.Write(reply)
	}
}

func newAnswering(t testing.TB) (*answering, *Client, *counting) {
	a := &answering{}
	ts := httptest.NewServer(a)
	t.Cleanup(ts.Close)
	c, err := New(ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	cnt := &counting{}
	c.http.Transport = cnt
	return a, c, cnt
}

func paramsJSON(p Params) []byte {
	b, _ := json.Marshal(p)
	return b
}

// A dropbox cannot make the client derive more cheaply than
// seal.DefaultParams's passes and memory (the login key it receives would be cheap to search
// for the codename), nor make it run out of memory or time: weaker and
// heavier parameters are refused before any derivation.
func TestParamsFloorAndCeiling(t *testing.T) {
	a, c, _ := newAnswering(t)
	good := Params{Salt: bytes.Repeat([]byte{7}, 16), Time: 3, MemoryKiB: 64 << 10, Threads: 4, Accepting: true}
	for _, tc := range []struct {
		name string
		edit func(*Params)
		weak bool
		ok   bool
	}{
		{"the default", func(*Params) {}, false, true},
		{"one thread", func(p *Params) { p.Threads = 1 }, false, true},
		{"more passes", func(p *Params) { p.Time = 4 }, false, true},
		{"one pass", func(p *Params) { p.Time = 1 }, true, false},
		{"64 KiB", func(p *Params) { p.MemoryKiB = 64 }, true, false},
		{"no threads", func(p *Params) { p.Threads = 0 }, true, false},
		{"a short salt", func(p *Params) { p.Salt = p.Salt[:8] }, true, false},
		{"4 GiB", func(p *Params) { p.MemoryKiB = 4 << 20 }, false, false},
		{"a billion passes", func(p *Params) { p.Time = 1 << 30 }, false, false},
		{"a long salt", func(p *Params) { p.Salt = bytes.Repeat([]byte{1}, 1000) }, false, false},
	} {
		p := good
		tc.edit(&p)
		a.params = paramsJSON(p)
		got, err := c.Params(context.Background())
		if tc.ok != (err == nil) || tc.weak != errors.Is(err, ErrWeakParams) {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
		// Derive itself refuses what no machine should run, before running.
		if !tc.ok && !tc.weak {
			if _, err := Derive(seal.NewCodename(), p); err == nil || errors.Is(err, seal.ErrCodenameFormat) {
				t.Errorf("%s: Derive %v", tc.name, err)
			}
		}
	}
	// With the floor lowered (tests of a fast dropbox), weak is accepted,
	// heavy still not.
	c.MinParams = seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}
	a.params = paramsJSON(Params{Salt: good.Salt, Time: 1, MemoryKiB: 64, Threads: 1})
	if _, err := c.Params(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.params = paramsJSON(Params{Salt: good.Salt, Time: 1, MemoryKiB: 8 << 20, Threads: 1})
	if _, err := c.Params(context.Background()); err == nil {
		t.Fatal("8 GiB accepted")
	}
}

// An answer that never ends is cut off at maxAnswer, not buffered.
func TestAnswersAreBounded(t *testing.T) {
	a, c, cnt := newAnswering(t)
	a.endless = true
	_, err := c.Params(context.Background())
	if err == nil || !strings.Contains(err.Error(), "over") {
		t.Fatalf("endless answer: %v", err)
	}
	if n := cnt.read(); n > maxAnswer+64<<10 {
		t.Fatalf("read %d bytes of an endless answer", n)
	}
	cnt.n = 0
	keys := &seal.SourceKeys{}
	keys.Identity, _ = age.GenerateX25519Identity()
	if _, err := c.Replies(context.Background(), keys); err == nil || cnt.read() > maxAnswer+64<<10 {
		t.Fatalf("endless reply list: %v after %d bytes", err, cnt.read())
	}
	// A dropbox's error is shown without the control characters it sent.
	a.endless = false
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"bad\u001b[2J\u001b]0;owned\u0007 request\r\n"}`)
	}))
	defer ts.Close()
	c2, _ := New(ts.URL, "")
	_, err = c2.Params(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Message != "bad[2J]0;owned request" {
		t.Fatalf("%q", err)
	}
}

// FuzzParams: whatever a dropbox answers to /api/v1/params, what the
// client accepts is within the floor and ceiling, and the client reads a
// bounded amount of it.
func FuzzParams(f *testing.F) {
	a, c, cnt := newAnswering(f)
	good := Params{Salt: bytes.Repeat([]byte{7}, 16), Time: 3, MemoryKiB: 64 << 10, Threads: 4, Accepting: true}
	f.Add(paramsJSON(good))
	f.Add([]byte(`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","argon2_time":1,"argon2_memory_kib":64,"argon2_threads":1}`))
	f.Add([]byte(`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","argon2_time":3,"argon2_memory_kib":4294967295,"argon2_threads":255}`))
	f.Add([]byte(`{"argon2_time":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a.mu.Lock()
		a.params = body
		a.mu.Unlock()
		cnt.n = 0
		p, err := c.Params(context.Background())
		if cnt.read() > maxAnswer+64<<10 {
			t.Fatalf("read %d bytes", cnt.read())
		}
		if err != nil {
			return
		}
		d := seal.DefaultParams
		if p.Time < d.Time || p.MemoryKiB < d.MemoryKiB || p.Threads < 1 || len(p.Salt) < seal.SaltSize ||
			p.Time > maxTime || p.MemoryKiB > maxMemoryKiB || p.Threads > maxThreads || len(p.Salt) > maxSalt {
			t.Fatalf("accepted %+v from %q", p, body)
		}
	})
}

// FuzzReplies: whatever list and reply bodies a dropbox sends, the client
// returns only replies that really open with the source's identity, each
// exactly what stock age decrypts, within the size and count bounds.
func FuzzReplies(f *testing.F) {
	a, c, _ := newAnswering(f)
	id, _ := age.GenerateX25519Identity()
	keys := &seal.SourceKeys{Identity: id}
	sealed, _ := seal.SealBytes([]byte("thank you"), []age.Recipient{id.Recipient()})
	other, _ := age.GenerateX25519Identity()
	forOther, _ := seal.SealBytes([]byte("not yours"), []age.Recipient{other.Recipient()})
	f.Add([]byte(`[{"id":"r1","day":"2026-11-29"}]`), sealed)
	f.Add([]byte(`[{"id":"r1","day":"2026-11-29"},{"id":"../../x","day":"\u001b[2J"}]`), sealed)
	f.Add([]byte(`[{"id":"r1","day":"x"}]`), forOther)
	f.Add([]byte(`[]`), []byte("junk"))
	f.Add([]byte(`{"id":1}`), sealed[:len(sealed)-3])
	f.Fuzz(func(t *testing.T, list, reply []byte) {
		a.mu.Lock()
		a.list, a.reply = list, reply
		a.mu.Unlock()
		got, err := c.Replies(context.Background(), keys)
		if err != nil {
			return
		}
		if len(got) > maxReplies {
			t.Fatalf("%d replies", len(got))
		}
		for _, r := range got {
			want, err := ageDecrypt(reply, id)
			want = strings.TrimRight(want, "\x00") // trailing zeros are padding
			if err != nil || r.Text != want || len(r.Text) > maxReply {
				t.Fatalf("returned %q for a reply age opens as %q (%v)", r.Text, want, err)
			}
			if printable(r.Day) != r.Day {
				t.Fatalf("control characters in day %q", r.Day)
			}
		}
	})
}

// ageDecrypt opens b with stock age, as the reference.
func ageDecrypt(b []byte, id age.Identity) (string, error) {
	r, err := age.Decrypt(bytes.NewReader(b), id)
	if err != nil {
		return "", err
	}
	out, err := io.ReadAll(r)
	return string(out), err
}

// An upload stops with an error when the dropbox answers a chunk with an
// offset that is not plain digits, goes back, stands still or runs past
// what was sent, instead of looping for ever or calling it sent; a true
// answer, even one that took less than was sent, goes on from there.
func TestUploadOffsetsFromTheDropbox(t *testing.T) {
	for _, tc := range []struct {
		answer func(off, n int64) string
		ok     bool
	}{
		{func(off, n int64) string { return strconv.FormatInt(off+n, 10) }, true},
		{func(off, n int64) string { return strconv.FormatInt(off+max(n/2, 1), 10) }, true},
		{func(off, n int64) string { return strconv.FormatInt(off, 10) }, false},
		{func(off, n int64) string { return strconv.FormatInt(off+n+1, 10) }, false},
		{func(off, n int64) string { return "999999999" }, false},
		{func(off, n int64) string { return "+" + strconv.FormatInt(off+n, 10) }, false},
		{func(off, n int64) string { return "" }, false},
	} {
		patches := 0
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				io.WriteString(w, `{"id":"u1","offset":0}`)
				return
			}
			patches++
			off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
			n, _ := io.Copy(io.Discard, r.Body)
			w.Header().Set("Upload-Offset", tc.answer(off, n))
			io.WriteString(w, `{}`)
		}))
		c, _ := New(ts.URL, "")
		c.Backoff = time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := c.Upload(ctx, "file", "a", "", "", strings.NewReader(strings.Repeat("x", 100)), 100, 10)
		cancel()
		ts.Close()
		if tc.ok != (err == nil) || patches > 30 {
			t.Errorf("answer %q: %v after %d chunks", tc.answer(0, 10), err, patches)
		}
	}
}
