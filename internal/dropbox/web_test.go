package dropbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confide/internal/store"
	"confide/internal/store/storetest"
)

func TestSourceFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		br := f.browser()
		if p := br.get("/"); p.status != 200 || !strings.Contains(p.body, `href="/new"`) {
			t.Fatalf("landing: %d", p.status)
		}
		codename := br.newSource()
		inbox := br.get("/inbox")
		if inbox.status != 200 || !strings.Contains(inbox.body, "No replies yet") {
			t.Fatalf("inbox: %d %s", inbox.status, inbox.body)
		}
		one := make([]byte, 100_000)
		rand.Read(one)
		two := []byte("second file, Кириллица")
		p := br.submit(inbox.csrf(t), "the mayor's accounts are in the second file", filePart{"ledger.xlsx", one}, filePart{"заметки.txt", two})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/inbox?sent=1" {
			t.Fatalf("submit: %d %s", p.status, p.body)
		}
		if sent := br.get("/inbox?sent=1"); !strings.Contains(sent.body, "delivered to our journalists") {
			t.Fatal("no confirmation shown")
		}
		src := f.onlySource()
		got := f.openAll(src.ID)
		if len(got) != 3 {
			t.Fatalf("%d items", len(got))
		}
		if got[0].manifest.Kind != store.KindMessage || string(got[0].content) != "the mayor's accounts are in the second file" {
			t.Fatalf("message: %+v %q", got[0].manifest, got[0].content)
		}
		if got[1].manifest.Name != "ledger.xlsx" || !bytes.Equal(got[1].content, one) || got[1].manifest.Size != int64(len(one)) {
			t.Fatalf("file one: %+v", got[1].manifest)
		}
		if got[2].manifest.Name != "заметки.txt" || !bytes.Equal(got[2].content, two) {
			t.Fatalf("file two: %+v", got[2].manifest)
		}
		if got[1].manifest.Time.Unix()%86400 != 0 {
			t.Fatal("the manifest time is finer than a day")
		}

		// Log out, log back in with the codename, typed sloppily.
		lo := br.postForm("/logout", map[string]string{"csrf": br.get("/inbox").csrf(t)})
		if lo.status != 200 || !strings.Contains(lo.body, "New Identity") {
			t.Fatalf("logout: %d", lo.status)
		}
		if p := br.get("/inbox"); p.status != http.StatusUnauthorized {
			t.Fatalf("inbox after logout: %d", p.status)
		}
		lp := br.get("/login")
		li := br.postForm("/login", map[string]string{"csrf": lp.csrf(t), "codename": "  " + strings.ToUpper(codename) + " "})
		if li.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", li.status, li.body)
		}
		// A reply appears, and can be deleted, ciphertext and all.
		rep := f.reply(src, "Thank you. Can you tell us who signed?")
		inbox = br.get("/inbox")
		if !strings.Contains(inbox.body, "Can you tell us who signed?") {
			t.Fatalf("reply not shown: %s", inbox.body)
		}
		d := br.postForm("/replies/"+rep.ID+"/delete", map[string]string{"csrf": inbox.csrf(t)})
		if d.status != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", d.status, d.body)
		}
		if _, err := f.blobs.Open(rep.Blob); err == nil {
			t.Fatal("the reply's ciphertext survived deletion")
		}
		if strings.Contains(br.get("/inbox").body, "who signed") {
			t.Fatal("the deleted reply is still shown")
		}
	})
}

func TestRussianByHeaderAndLink(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true)
	br := f.browser()
	req, _ := http.NewRequest("GET", f.ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9")
	if p := br.do(req); !strings.Contains(p.body, "Расскажите нам конфиденциально") || !strings.Contains(p.body, `lang="ru"`) {
		t.Fatal("Accept-Language: ru not honoured")
	}
	if p := br.get("/login?lang=ru"); !strings.Contains(p.body, "Введите кодовое имя") {
		t.Fatal("?lang=ru not honoured")
	}
	if p := br.get("/login"); !strings.Contains(p.body, "Введите кодовое имя") {
		t.Fatal("language choice not remembered")
	}
}

func TestWrongAndUnknownCodenameLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		f.browser().newSource()
		try := func(codename string) page {
			br := f.browser()
			return br.postForm("/login", map[string]string{"csrf": br.get("/login").csrf(t), "codename": codename})
		}
		wrong := try("abacus abacus abacus abacus abacus abacus abacus")
		unknown := try("zoom zoom zoom zoom zoom zoom zoom")
		if wrong.status != http.StatusUnauthorized || wrong.status != unknown.status {
			t.Fatalf("status %d vs %d", wrong.status, unknown.status)
		}
		strip := func(s string) string { return csrfRe.ReplaceAllString(s, "") }
		if strip(wrong.body) != strip(unknown.body) || !strings.Contains(wrong.body, "not recognised") {
			t.Fatal("wrong and unknown codenames are told apart")
		}
		if garbage := try("../../etc/passwd"); garbage.status != http.StatusUnauthorized || !strings.Contains(garbage.body, "seven words") {
			t.Fatalf("malformed codename: %d", garbage.status)
		}
	})
}

func TestBadInputLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true, func(c *Config) { c.MaxUpload = 256 << 10 })
		br := f.browser()
		br.newSource()
		tok := br.get("/inbox").csrf(t)
		if p := br.submit(tok, "first, kept"); p.status != http.StatusSeeOther {
			t.Fatalf("good submission: %d", p.status)
		}
		src := f.onlySource()
		before := len(f.openAll(src.ID))

		big := make([]byte, 300<<10)
		cases := []struct {
			name   string
			page   func() page
			status int
			text   string
		}{
			{"oversized", func() page { return br.submit(tok, "x", filePart{"big.bin", big}) }, http.StatusRequestEntityTooLarge, "too large"},
			{"no csrf", func() page { return br.submit("", "forged") }, http.StatusForbidden, "expired"},
			{"wrong csrf", func() page { return br.submit(strings.Repeat("A", 43), "forged") }, http.StatusForbidden, "expired"},
			{"empty", func() page { return br.submit(tok, "") }, http.StatusBadRequest, "nothing to send"},
			{"garbage multipart", func() page {
				req, _ := http.NewRequest("POST", br.base+"/submit", strings.NewReader("--xx\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+tok+"\r\n--xx\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\ntruncated"))
				req.Header.Set("Content-Type", "multipart/form-data; boundary=xx")
				return br.do(req)
			}, http.StatusBadRequest, "could not read"},
			{"not multipart", func() page {
				req, _ := http.NewRequest("POST", br.base+"/submit", strings.NewReader("message=hi"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return br.do(req)
			}, http.StatusBadRequest, "could not read"},
			{"login without csrf", func() page { return f.browser().postForm("/login", map[string]string{"codename": "a b c d e f g"}) }, http.StatusForbidden, "expired"},
			{"delete someone else's reply", func() page { return br.postForm("/replies/"+store.NewID()+"/delete", map[string]string{"csrf": tok}) }, http.StatusNotFound, "no such page"},
		}
		for _, c := range cases {
			p := c.page()
			if p.status != c.status || !strings.Contains(strings.ToLower(p.body), c.text) {
				t.Errorf("%s: %d, want %d with %q: %s", c.name, p.status, c.status, c.text, p.body)
			}
			if strings.Contains(p.body, "store:") || strings.Contains(p.body, "dropbox:") {
				t.Errorf("%s: internal detail leaked: %s", c.name, p.body)
			}
		}
		if after := len(f.openAll(src.ID)); after != before {
			t.Fatalf("items went from %d to %d", before, after)
		}
		ents, _ := os.ReadDir(filepath.Join(f.dataDir, "blobs", "tmp"))
		if len(ents) != 0 {
			t.Fatalf("%d pending files left behind", len(ents))
		}
		// A traversal filename is only ever a sealed name.
		if p := br.submit(tok, "", filePart{"../../etc/passwd", []byte("root:x:0:0")}); p.status != http.StatusSeeOther {
			t.Fatalf("traversal name: %d", p.status)
		}
		all := f.openAll(src.ID)
		last := all[len(all)-1]
		if last.manifest.Name != "passwd" || string(last.content) != "root:x:0:0" {
			t.Fatalf("traversal manifest: %+v", last.manifest)
		}
		filepath.WalkDir(filepath.Dir(f.dataDir), func(p string, d os.DirEntry, err error) error {
			if d != nil && d.Name() == "passwd" {
				t.Errorf("a file named passwd appeared at %s", p)
			}
			return nil
		})
	})
}

func TestClosedWithoutJournalists(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], false)
	br := f.browser()
	if p := br.get("/"); !strings.Contains(p.body, "not accepting submissions yet") || strings.Contains(p.body, `href="/new"`) {
		t.Fatal("landing does not say the dropbox is closed")
	}
	if p := br.get("/new"); p.status != http.StatusServiceUnavailable {
		t.Fatalf("new: %d", p.status)
	}
	if f.count("sources") != 0 {
		t.Fatal("a source was created")
	}
}

func TestSessionHoldsNoCodename(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true)
	br := f.browser()
	codename := br.newSource()
	u, _ := http.NewRequest("GET", f.ts.URL, nil)
	for _, c := range br.c.Jar.Cookies(u.URL) {
		for _, w := range strings.Fields(codename) {
			if strings.Contains(c.Value, w) {
				t.Fatalf("cookie %s holds a codename word", c.Name)
			}
		}
	}
	// The server's half alone cannot unseal the identity.
	f.srv.sessions.mu.Lock()
	for _, s := range f.srv.sessions.m {
		if bytes.Contains(s.sealedID, []byte("AGE-SECRET-KEY")) {
			t.Fatal("identity stored in the clear")
		}
	}
	f.srv.sessions.mu.Unlock()
	var ck *http.Cookie
	for _, c := range br.c.Jar.Cookies(u.URL) {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	tampered := []byte(ck.Value)
	tampered[len(tampered)-2] ^= 1
	if _, _, err := f.srv.sessions.lookup(string(tampered)); err == nil {
		t.Fatal("a session opened with the wrong key")
	}
}

func TestDeriverBounds(t *testing.T) {
	d := newDeriver(fastParams, []byte("saltsalt"), 1, 1)
	d.waiting <- struct{}{}
	d.waiting <- struct{}{}
	if _, err := d.derive(context.Background(), "a b c d e f g"); err != errBusy {
		t.Fatalf("full queue: %v", err)
	}
	<-d.waiting
	<-d.waiting
	if k, err := d.derive(context.Background(), "a b c d e f g"); err != nil || k == nil {
		t.Fatalf("free queue: %v", err)
	}
}

func TestBusyPage(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true, func(c *Config) { c.Derivations, c.Queue = 1, 1 })
	for i := 0; i < cap(f.srv.deriver.waiting); i++ {
		f.srv.deriver.waiting <- struct{}{}
	}
	br := f.browser()
	p := br.postForm("/login", map[string]string{"csrf": br.get("/login").csrf(t), "codename": "zoom zoom zoom zoom zoom zoom zoom"})
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "busy") {
		t.Fatalf("%d %s", p.status, p.body)
	}
}
