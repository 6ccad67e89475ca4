package dropbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

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
		if p.Status != http.StatusSeeOther && fx.count("items") != before {
			t.Fatal("a refused submission stored items")
		}
	})
}

// FuzzAPIUpload throws arbitrary JSON and offsets at the upload endpoints.
func FuzzAPIUpload(f *testing.F) {
	fx := newFixture(f, storetest.Backends()[0], true, func(c *Config) { c.MaxUpload = 64 << 10 })
	a := api{t: nil, base: fx.ts.URL}
	f.Add(`{"kind":"file","name":"a"}`, "0", "data")
	f.Add(`{"kind":"message"}`, "7", "")
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
		st, out := a.call("POST", "/api/v1/uploads", strings.NewReader(meta), nil)
		if st >= 500 {
			t.Fatalf("create: %d", st)
		}
		id, _ := out["id"].(string)
		if id == "" {
			return
		}
		if st, _ := a.call("PATCH", "/api/v1/uploads/"+id, strings.NewReader(chunk), map[string]string{"Upload-Offset": offset}); st >= 500 {
			t.Fatalf("append: %d", st)
		}
		if st, _ := a.call("POST", "/api/v1/submissions", strings.NewReader(`{"uploads":["`+id+`"]}`), nil); st >= 500 {
			t.Fatalf("submit: %d", st)
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
