package dropbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"confide/internal/store/storetest"
	"confide/internal/web/webtest"

	"filippo.io/age"
)

// apiSource registers a new source through the API and returns its client.
func (f *fixture) apiSource(t *testing.T) rawClient {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	id, _ := age.GenerateX25519Identity()
	body, _ := json.Marshal(map[string]any{"login_key": key, "recipient": id.Recipient().String()})
	a := rawClient{t: t, base: f.ts.URL}
	st, out := a.call("POST", "/api/v1/sources", strings.NewReader(string(body)), nil)
	if st != http.StatusCreated {
		t.Fatalf("register: %d %v", st, out)
	}
	a.token = out["token"].(string)
	return a
}

// openUpload starts an upload and returns its status and ID.
func (a rawClient) openUpload() (int, string, map[string]any) {
	a.t.Helper()
	st, out := a.call("POST", "/api/v1/uploads", strings.NewReader(`{"kind":"message"}`), nil)
	id, _ := out["id"].(string)
	return st, id, out
}

// openFDs counts this process's file descriptors, or -1 off Linux.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// watchFDs samples this process's descriptors until stop is called, and
// returns the most it saw.
func watchFDs() (stop func() int) {
	done, most := make(chan struct{}), make(chan int)
	go func() {
		m := 0
		for {
			m = max(m, openFDs())
			select {
			case <-done:
				most <- m
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	return func() int { close(done); return <-most }
}

// A submission of more parts than the cap gets the clear "too many" page,
// stores nothing, and never holds more files than the cap: counted by the
// dropbox's reservations and by the process's own descriptors.
func TestPartsPerSubmissionAreCapped(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true, func(c *Config) { c.MaxParts = 8 })
	br := f.browser()
	br.newSource()
	tok := br.Get("/inbox").CSRF(t)
	files := make([]filePart, 300)
	for i := range files {
		files[i] = filePart{fmt.Sprintf("f%d.txt", i), []byte("x")}
	}
	ct, body := multipartBody(tok, "", files...)
	before := openFDs()
	stop := watchFDs()
	req, _ := http.NewRequest("POST", br.Base+"/submit", body)
	req.Header.Set("Content-Type", ct)
	p := br.Do(req)
	most := stop()
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "too many documents") {
		t.Fatalf("%d %.300s", p.Status, p.Body)
	}
	if n := f.count("items"); n != 0 {
		t.Fatalf("%d items stored from a refused submission", n)
	}
	open, peak, _ := f.srv.files.stats()
	if open != 0 || peak > 8 {
		t.Fatalf("files open after: %d, at most %d at once", open, peak)
	}
	if before > 0 && most-before > 8+16 {
		t.Fatalf("descriptors grew from %d to %d during one submission", before, most)
	}
	// At the cap it goes through.
	if p := br.submit(br.Get("/inbox").CSRF(t), "", files[:8]...); !delivered(p) {
		t.Fatalf("eight parts: %d %.300s", p.Status, p.Body)
	}
	if open, _, _ := f.srv.files.stats(); open != 0 {
		t.Fatalf("%d files left open after a submission", open)
	}
}

// The web form and the API share one budget of open files, and the API may
// take only its part of it: with the API's share used, a web submission
// still goes through, and past the whole budget it gets the "busy" page
// (503, Retry-After) and keeps nothing.
func TestOpenFilesAreShared(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true, func(c *Config) { c.MaxOpenFiles, c.MaxUploads = 4, 2 })
	a := f.apiSource(t)
	for i := 0; i < 2; i++ {
		if st, _, out := a.openUpload(); st != http.StatusCreated {
			t.Fatalf("upload %d: %d %v", i, st, out)
		}
	}
	if st, _, out := a.openUpload(); st != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(out["error"]), "busy") {
		t.Fatalf("past the API's share: %d %v", st, out)
	}
	br := f.browser()
	br.newSource()
	p := br.submit(br.Get("/inbox").CSRF(t), "a message", filePart{"a.txt", []byte("a")}, filePart{"b.txt", []byte("b")})
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "busy") || p.Header.Get("Retry-After") == "" {
		t.Fatalf("past the budget: %d %v %.300s", p.Status, p.Header, p.Body)
	}
	if n := f.count("items"); n != 0 {
		t.Fatalf("%d items kept from a refused submission", n)
	}
	if p := br.submit(br.Get("/inbox").CSRF(t), "a message", filePart{"a.txt", []byte("a")}); !delivered(p) {
		t.Fatalf("within the budget: %d %.300s", p.Status, p.Body)
	}
	if open, peak, _ := f.srv.files.stats(); open != 2 || peak != 4 {
		t.Fatalf("open %d, peak %d", open, peak)
	}
}

// One source may hold only its share of uploads (429, and another source
// is unaffected). A source idle past UploadIdle loses its uploads, their
// files given back, and may open new ones; a source still sending keeps
// all of its own, the finished ones waiting for the submission included.
func TestUploadsPerSourceExpire(t *testing.T) {
	clock := webtest.NewClock(time.Now())
	f := newFixture(t, storetest.Backends()[0], true, func(c *Config) {
		c.UploadsPerSource, c.UploadIdle, c.Now = 3, 10*time.Minute, clock.Now
	})
	a, b := f.apiSource(t), f.apiSource(t)
	var ids []string
	for i := 0; i < 3; i++ {
		st, id, out := a.openUpload()
		if st != http.StatusCreated {
			t.Fatalf("upload %d: %d %v", i, st, out)
		}
		ids = append(ids, id)
	}
	st, _, out := a.openUpload()
	if st != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(out["error"]), "3 uploads open") {
		t.Fatalf("fourth upload: %d %v", st, out)
	}
	st, idB, _ := b.openUpload()
	if st != http.StatusCreated {
		t.Fatalf("another source: %d", st)
	}
	if open, _, _ := f.srv.files.stats(); open != 4 {
		t.Fatalf("%d files open, want 4", open)
	}
	clock.Advance(6 * time.Minute)
	if st, _ := a.call("PATCH", "/api/v1/uploads/"+ids[2], strings.NewReader("still here"), map[string]string{"Upload-Offset": "0"}); st != 200 {
		t.Fatalf("append: %d", st)
	}
	clock.Advance(6 * time.Minute)
	if st, _ := b.call("GET", "/api/v1/uploads/"+idB, nil, nil); st != http.StatusNotFound {
		t.Fatalf("an idle source's upload is still there: %d", st)
	}
	if st, out := a.call("GET", "/api/v1/uploads/"+ids[0], nil, nil); st != 200 || out["offset"] != float64(0) {
		t.Fatalf("a sending source's waiting upload: %d %v", st, out)
	}
	if open, _, _ := f.srv.files.stats(); open != 3 {
		t.Fatalf("%d files open after expiry, want 3", open)
	}
	if st, _ := a.call("POST", "/api/v1/submissions", strings.NewReader(`{"uploads":["`+ids[2]+`"]}`), nil); st != http.StatusCreated {
		t.Fatalf("submit: %d", st)
	}
	clock.Advance(11 * time.Minute)
	for i := 0; i < 3; i++ {
		if st, _, out := a.openUpload(); st != http.StatusCreated {
			t.Fatalf("after expiry, upload %d: %d %v", i, st, out)
		}
	}
	if open, _, _ := f.srv.files.stats(); open != 3 {
		t.Fatalf("%d files open, want the 3 new ones", open)
	}
	if st, _ := a.call("GET", "/api/v1/uploads/"+ids[0], nil, nil); st != http.StatusNotFound {
		t.Fatalf("an upload idle for 11 minutes is still there: %d", st)
	}
	f.srv.uploads.mu.Lock()
	if len(f.srv.uploads.last) != 1 {
		t.Errorf("activity kept for %d sources, want 1", len(f.srv.uploads.last))
	}
	f.srv.uploads.mu.Unlock()
}
