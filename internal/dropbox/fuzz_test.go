package dropbox

import (
	"bytes"
	"confide/internal/api"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store/storetest"
)

// FuzzSubmitBody throws arbitrary multipart bodies at /submit with a valid
// session and token. Whatever arrives, the answer is a page, never a 5xx,
// and nothing is stored unless the submission was confirmed.
func FuzzSubmitBody(f *testing.F) {
	fx := newFixture(f, storetest.Backends()[0], true, func(c *Config) { c.MaxUpload = 64 << 10 })
	br := fx.browser()
	br.newSource()
	tok := br.Get("/inbox").CSRF(f)
	ct, body := multipartBody(tok, "hello", filePart{"a.txt", []byte("x")})
	boundary := strings.TrimPrefix(ct, "multipart/form-data; boundary=")
	f.Add(boundary, body.String())
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+tok+"\r\n--b--\r\n")
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../x\"\r\n\r\nzz\r\n--b--")
	f.Fuzz(func(t *testing.T, boundary, body string) {
		if !headerSafe(boundary) {
			return // net/http will not send it, so no server can receive it
		}
		before := fx.count("items")
		req, _ := http.NewRequest("POST", br.Base+"/submit", strings.NewReader(strings.ReplaceAll(body, "TOKEN", tok)))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		// The same cookies, reporting to this iteration's t.
		b := *br.Browser
		b.T = t
		p := b.Do(req)
		if p.Status >= 500 {
			t.Fatalf("%d for %q", p.Status, body)
		}
		if !delivered(p) && fx.count("items") != before {
			t.Fatal("a refused submission stored items")
		}
		if delivered(p) && fx.count("items") == before {
			t.Fatal("a receipt for a submission that stored nothing")
		}
	})
}

// FuzzAPIUpload throws arbitrary JSON, offsets and chunks at the upload
// endpoints. Besides never answering 5xx: a chunk is taken only at a
// canonical offset that is where the upload stands (0 here), and then the
// answer and its Upload-Offset header say exactly how far it got; a
// refused offset gets 400 or the true position; a submission stores one
// item that decrypts to exactly the bytes taken; and no open file outlives
// its upload.
func FuzzAPIUpload(f *testing.F) {
	fx := newFixture(f, storetest.Backends()[0], true, func(c *Config) { c.MaxUpload = 64 << 10 })
	a := rawClient{t: nil, base: fx.ts.URL}
	f.Add(`{"kind":"file","name":"a"}`, "0", "data")
	f.Add(`{"kind":"message"}`, "7", "")
	f.Add(`{"kind":"message"}`, "+0", "x")
	f.Add(`{"kind":"file","name":"\u0000../"}`, "-1", "x")
	f.Fuzz(func(t *testing.T, meta, offset, chunk string) {
		if !headerSafe(offset) {
			return
		}
		a.t = t
		if a.token == "" {
			keysBody := `{"login_key":"` + strings.Repeat("A", 43) + `=","recipient":"` + fx.journo.Recipient().String() + `"}`
			st, out := a.call("POST", "/api/v1/sources", strings.NewReader(keysBody), nil)
			if st == http.StatusCreated {
				a.token = out["token"].(string)
			} else {
				st, out = a.call("POST", "/api/v1/login", strings.NewReader(`{"login_key":"`+strings.Repeat("A", 43)+`="}`), nil)
				if st != 200 {
					t.Fatalf("login %d", st)
				}
				a.token = out["token"].(string)
			}
		}
		defer func() {
			fx.srv.uploads.abortAll()
			if open, _, _ := fx.srv.files.stats(); open != 0 {
				t.Fatalf("%d files open with no upload", open)
			}
		}()
		st, out := a.call("POST", "/api/v1/uploads", strings.NewReader(meta), nil)
		if st >= 500 {
			t.Fatalf("create: %d", st)
		}
		id, _ := out["id"].(string)
		if id == "" {
			return
		}
		if st != http.StatusCreated || out["offset"] != float64(0) {
			t.Fatalf("create: %d %v", st, out)
		}
		// Where the upload should stand after the append.
		want := ""
		req, _ := http.NewRequest("PATCH", a.base+"/api/v1/uploads/"+id, strings.NewReader(chunk))
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Upload-Offset", offset)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		off, perr := api.ParseOffset(offset)
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("append: %d", resp.StatusCode)
		case perr != nil:
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("offset %q taken: %d", offset, resp.StatusCode)
			}
		case off != 0:
			if resp.StatusCode != http.StatusConflict || got["offset"] != float64(0) {
				t.Fatalf("offset %q at byte 0: %d %v", offset, resp.StatusCode, got)
			}
		case resp.StatusCode == http.StatusOK:
			n := strconv.Itoa(len(chunk))
			if got["offset"] != float64(len(chunk)) || resp.Header.Get("Upload-Offset") != n {
				t.Fatalf("took %d bytes, said %v / %q", len(chunk), got["offset"], resp.Header.Get("Upload-Offset"))
			}
			want = chunk
		default:
			t.Fatalf("offset 0 refused: %d %v", resp.StatusCode, got)
		}
		src, err := fx.store.SourceByLogin(context.Background(), seal.LoginHash(make([]byte, 32))) // the key above
		if err != nil {
			t.Fatal(err)
		}
		before := fx.count("items")
		st, _ = a.call("POST", "/api/v1/submissions", strings.NewReader(`{"uploads":["`+id+`"]}`), nil)
		if st != http.StatusCreated {
			t.Fatalf("submit: %d", st)
		}
		items, err := fx.store.Items(context.Background(), src.ID)
		if err != nil || fx.count("items") != before+1 || len(items) == 0 {
			t.Fatalf("items: %d after %d, %v", fx.count("items"), before, err)
		}
		// Opened as a journalist's tools do: cut at the manifest's size, the
		// rest checked to be padding.
		it := items[len(items)-1]
		var buf bytes.Buffer
		if _, err := fx.blobs.Copy(&buf, it.Blob); err != nil {
			t.Fatal(err)
		}
		m, err := seal.OpenManifest(it.Manifest, fx.journo)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := seal.OpenBytes(buf.Bytes(), 2<<20, fx.journo)
		if err != nil || m.Size > int64(len(plain)) || string(plain[:m.Size]) != want || len(bytes.Trim(plain[m.Size:], "\x00")) != 0 {
			t.Fatalf("stored %q (manifest: %d bytes), %v; want %q and padding", plain, m.Size, err, want)
		}
	})
}

func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// FuzzSessionLookup feeds arbitrary cookie and bearer values to the session
// store: only the exact value handed out may open a session.
func FuzzSessionLookup(f *testing.F) {
	s := newSessions(time.Hour)
	good, err := s.create("source-1", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", 86))
	f.Fuzz(func(t *testing.T, v string) {
		sess, _, err := s.lookup(v)
		if v == good {
			if err != nil || sess.sourceID != "source-1" {
				t.Fatal("the real token was refused")
			}
			return
		}
		if err == nil {
			t.Fatalf("%q opened a session", v)
		}
	})
}
