package dropbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/testwait"
	"confide/internal/web/webtest"
)

func TestSourceFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		br := f.browser()
		if p := br.Get("/"); p.Status != 200 || !strings.Contains(p.Body, `href="/new"`) {
			t.Fatalf("landing: %d", p.Status)
		}
		codename := br.newSource()
		inbox := br.Get("/inbox")
		if inbox.Status != 200 || !strings.Contains(inbox.Body, "No replies yet") {
			t.Fatalf("inbox: %d %s", inbox.Status, inbox.Body)
		}
		one := make([]byte, 100_000)
		rand.Read(one)
		two := []byte("second file, Кириллица")
		p := br.submit(inbox.CSRF(t), "the mayor's accounts are in the second file", filePart{"ledger.xlsx", one}, filePart{"заметки.txt", two})
		if !delivered(p) || !strings.Contains(p.Body, "delivered to our journalists") {
			t.Fatalf("submit: %d %s", p.Status, p.Body)
		}
		// The receipt names what arrived, from the request alone.
		for _, want := range []string{"Your message (words: 8, characters: 43).", "ledger.xlsx</span> · 97.7 KiB", "заметки.txt</span> · 31 B"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the receipt lacks %q: %s", want, p.Body)
			}
		}
		if strings.Contains(p.Body, "empty (0 bytes)") {
			t.Error("an empty-file warning without an empty file")
		}
		if strings.Contains(br.Get("/inbox").Body, "ledger.xlsx") {
			t.Error("the receipt outlived its response: the names were kept somewhere")
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
		lo := br.postForm("/logout", map[string]string{"csrf": br.Get("/inbox").CSRF(t)})
		if lo.Status != 200 || !strings.Contains(lo.Body, "New Identity") {
			t.Fatalf("logout: %d", lo.Status)
		}
		if p := br.Get("/inbox"); p.Status != http.StatusUnauthorized {
			t.Fatalf("inbox after logout: %d", p.Status)
		}
		lp := br.Get("/login")
		// Typed again by hand: any case, tabs and double spaces between words.
		typed := "  " + strings.ReplaceAll(strings.ToUpper(codename), " ", "\t  ") + " \n"
		li := br.postForm("/login", map[string]string{"csrf": lp.CSRF(t), "codename": typed})
		if li.Status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", li.Status, li.Body)
		}
		// A reply appears, and can be deleted, ciphertext and all.
		rep := f.reply(src, "Thank you. Can you tell us who signed?")
		inbox = br.Get("/inbox")
		if !strings.Contains(inbox.Body, "Can you tell us who signed?") {
			t.Fatalf("reply not shown: %s", inbox.Body)
		}
		d := br.postForm("/replies/"+rep.ID+"/delete", map[string]string{"csrf": inbox.CSRF(t)})
		if d.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", d.Status, d.Body)
		}
		if _, err := f.blobs.Open(rep.Blob); err == nil {
			t.Fatal("the reply's ciphertext survived deletion")
		}
		if strings.Contains(br.Get("/inbox").Body, "who signed") {
			t.Fatal("the deleted reply is still shown")
		}
	})
}

func TestRussianByHeaderAndLink(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true)
	br := f.browser()
	req, _ := http.NewRequest("GET", f.ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9")
	if p := br.Do(req); !strings.Contains(p.Body, "Расскажите нам конфиденциально") || !strings.Contains(p.Body, `lang="ru"`) {
		t.Fatal("Accept-Language: ru not honoured")
	}
	if p := br.Get("/login?lang=ru"); !strings.Contains(p.Body, "Введите кодовое имя") {
		t.Fatal("?lang=ru not honoured")
	}
	if p := br.Get("/login"); !strings.Contains(p.Body, "Введите кодовое имя") {
		t.Fatal("language choice not remembered")
	}
}

func TestWrongAndUnknownCodenameLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		f.browser().newSource()
		try := func(codename string) webtest.Page {
			br := f.browser()
			return br.postForm("/login", map[string]string{"csrf": br.Get("/login").CSRF(t), "codename": codename})
		}
		wrong := try("abacus abacus abacus abacus abacus abacus abacus")
		unknown := try("zoom zoom zoom zoom zoom zoom zoom")
		if wrong.Status != http.StatusUnauthorized || wrong.Status != unknown.Status {
			t.Fatalf("status %d vs %d", wrong.Status, unknown.Status)
		}
		strip := func(s string) string { return csrfRe.ReplaceAllString(s, "") }
		if strip(wrong.Body) != strip(unknown.Body) || !strings.Contains(wrong.Body, "not recognised") {
			t.Fatal("wrong and unknown codenames are told apart")
		}
		if garbage := try("../../etc/passwd"); garbage.Status != http.StatusUnauthorized || !strings.Contains(garbage.Body, "seven words") {
			t.Fatalf("malformed codename: %d", garbage.Status)
		}
	})
}

func TestBadInputLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true, func(c *Config) { c.MaxUpload = 256 << 10 })
		br := f.browser()
		br.newSource()
		tok := br.Get("/inbox").CSRF(t)
		if p := br.submit(tok, "first, kept"); !delivered(p) {
			t.Fatalf("good submission: %d", p.Status)
		}
		src := f.onlySource()
		before := len(f.openAll(src.ID))

		big := make([]byte, 300<<10)
		cases := []struct {
			name   string
			page   func() webtest.Page
			status int
			text   string
		}{
			{"oversized", func() webtest.Page { return br.submit(tok, "x", filePart{"big.bin", big}) }, http.StatusRequestEntityTooLarge, "too large"},
			{"no csrf", func() webtest.Page { return br.submit("", "forged") }, http.StatusForbidden, "expired"},
			{"wrong csrf", func() webtest.Page { return br.submit(strings.Repeat("A", 43), "forged") }, http.StatusForbidden, "expired"},
			{"empty", func() webtest.Page { return br.submit(tok, "") }, http.StatusBadRequest, "nothing to send"},
			{"garbage multipart", func() webtest.Page {
				req, _ := http.NewRequest("POST", br.Base+"/submit", strings.NewReader("--xx\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+tok+"\r\n--xx\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\ntruncated"))
				req.Header.Set("Content-Type", "multipart/form-data; boundary=xx")
				return br.Do(req)
			}, http.StatusBadRequest, "could not read"},
			{"not multipart", func() webtest.Page {
				req, _ := http.NewRequest("POST", br.Base+"/submit", strings.NewReader("message=hi"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return br.Do(req)
			}, http.StatusBadRequest, "could not read"},
			{"login without csrf", func() webtest.Page {
				return f.browser().postForm("/login", map[string]string{"codename": "a b c d e f g"})
			}, http.StatusForbidden, "expired"},
			{"delete someone else's reply", func() webtest.Page {
				return br.postForm("/replies/"+store.NewID()+"/delete", map[string]string{"csrf": tok})
			}, http.StatusNotFound, "no such page"},
		}
		for _, c := range cases {
			p := c.page()
			if p.Status != c.status || !strings.Contains(strings.ToLower(p.Body), c.text) {
				t.Errorf("%s: %d, want %d with %q: %s", c.name, p.Status, c.status, c.text, p.Body)
			}
			if strings.Contains(p.Body, "store:") || strings.Contains(p.Body, "dropbox:") {
				t.Errorf("%s: internal detail leaked: %s", c.name, p.Body)
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
		if p := br.submit(tok, "", filePart{"../../etc/passwd", []byte("root:x:0:0")}); !delivered(p) {
			t.Fatalf("traversal name: %d", p.Status)
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
	if p := br.Get("/"); !strings.Contains(p.Body, "not accepting submissions yet") || strings.Contains(p.Body, `href="/new"`) {
		t.Fatal("landing does not say the dropbox is closed")
	}
	if p := br.Get("/new"); p.Status != http.StatusServiceUnavailable {
		t.Fatalf("new: %d", p.Status)
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
	for _, c := range br.Client.Jar.Cookies(u.URL) {
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
	for _, c := range br.Client.Jar.Cookies(u.URL) {
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

// With the derivation slots and queue taken, a login gets the "busy" page
// (503, Retry-After) at once and derives nothing.
func TestBusyPage(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0], true, func(c *Config) { c.Derivations, c.Queue = 1, 1 })
	release := make(chan struct{})
	defer close(release)
	for i := 0; i < 2; i++ {
		go f.srv.argon.Do(context.Background(), func() { <-release })
	}
	testwait.For(t, "the limiter holds the two blocking derivations", func() bool { return f.srv.argon.Stats().Active+f.srv.argon.Stats().Waiting >= 2 })
	br := f.browser()
	p := br.postForm("/login", map[string]string{"csrf": br.Get("/login").CSRF(t), "codename": "zoom zoom zoom zoom zoom zoom zoom"})
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "busy") || p.Header.Get("Retry-After") == "" {
		t.Fatalf("%d %v %s", p.Status, p.Header, p.Body)
	}
	if st := f.srv.argon.Stats(); st.Busy != 1 || st.Runs != 0 {
		t.Fatalf("limiter: %+v", st)
	}
}

// A submission the dropbox cannot take is answered on the form: the message
// as typed, back in the text box, and each chosen file named, since a
// browser cannot be handed files back. Nothing is stored.
func TestRefusedSubmissionKeepsTheForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true, func(c *Config) { c.MaxUpload, c.MaxParts = 64<<10, 3 })
		br := f.browser()
		br.newSource()
		tok := br.Get("/inbox").CSRF(t)
		typed := "Dear editor,\nthe <b>minutes</b> & the ledger — see attached."
		kept := `<textarea id="message" name="message">` + html.EscapeString(typed) + `</textarea>`
		big := make([]byte, 80<<10)
		one := []byte("1")
		cases := []struct {
			name    string
			message string
			files   []filePart
			status  int
			problem string
		}{
			{"empty", "", nil, http.StatusBadRequest, "nothing to send"},
			{"white space only", " \n\t \r\n ", nil, http.StatusBadRequest, "nothing to send"},
			{"too large mid-stream", typed, []filePart{{"first.pdf", one}, {"huge.bin", big}, {"after.txt", one}}, http.StatusRequestEntityTooLarge, "too large"},
			{"too many", typed, []filePart{{"a.txt", one}, {"b.txt", one}, {"c.txt", one}, {"d.txt", one}}, http.StatusRequestEntityTooLarge, "too many"},
		}
		for _, c := range cases {
			p := br.submit(tok, c.message, c.files...)
			if p.Status != c.status || !strings.Contains(p.Body, `id="refused"`) || !strings.Contains(strings.ToLower(p.Body), c.problem) {
				t.Errorf("%s: %d, want %d with %q on the form: %s", c.name, p.Status, c.status, c.problem, p.Body)
				continue
			}
			if !strings.Contains(p.Body, `action="/submit"`) {
				t.Errorf("%s: not answered on the form", c.name)
			}
			if strings.TrimSpace(c.message) != "" && (!strings.Contains(p.Body, kept) || !strings.Contains(p.Body, "back in the form")) {
				t.Errorf("%s: the typed message was not given back: %s", c.name, p.Body)
			}
			for _, fp := range c.files {
				if !strings.Contains(p.Body, "<li lang=\"\">"+fp.name+"</li>") {
					t.Errorf("%s: %s not named to choose again", c.name, fp.name)
				}
			}
			if strings.Contains(p.Body, `id="sent"`) {
				t.Errorf("%s: a receipt for a refusal", c.name)
			}
		}
		// Too large by its Content-Length: refused before anything is
		// encrypted, yet the message still comes back.
		ct, body := multipartBody(tok, typed, filePart{"big.bin", make([]byte, 100<<10)})
		req, _ := http.NewRequest("POST", br.Base+"/submit", body)
		req.Header.Set("Content-Type", ct)
		if p := br.Do(req); p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, kept) || !strings.Contains(p.Body, `<li lang="">big.bin</li>`) {
			t.Errorf("over the limit by Content-Length: %d %s", p.Status, p.Body)
		}
		// A whitespace-only message beside a file sends the file alone.
		if p := br.submit(tok, "  \n ", filePart{"empty.txt", nil}); !delivered(p) || !strings.Contains(p.Body, "No message, only documents") || !strings.Contains(p.Body, "empty (0 bytes)") {
			t.Errorf("white space and an empty file: %d %s", p.Status, p.Body)
		}
		if n := f.count("items"); n != 1 {
			t.Fatalf("%d items stored, want the one empty file", n)
		}
		ents, _ := os.ReadDir(filepath.Join(f.dataDir, "blobs", "tmp"))
		if len(ents) != 0 {
			t.Fatalf("%d pending files left behind", len(ents))
		}
	})
}

// A submission posted after the session ended cannot be sent or held: the
// codename form says so, and gives the message back to copy.
func TestSubmitAfterSessionEnded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		br := f.browser()
		br.newSource()
		tok := br.Get("/inbox").CSRF(t)
		lo := br.postForm("/logout", map[string]string{"csrf": tok})
		if lo.Status != 200 {
			t.Fatalf("logout: %d", lo.Status)
		}
		typed := "written before the session ended"
		p := br.submit(br.Get("/login").CSRF(t), typed, filePart{"scan.pdf", []byte("%PDF")})
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `action="/login"`) || !strings.Contains(p.Body, "session has ended") {
			t.Fatalf("after the session: %d %s", p.Status, p.Body)
		}
		if !strings.Contains(p.Body, `<textarea id="kept-message" readonly>`+typed+`</textarea>`) || !strings.Contains(p.Body, `<li lang="">scan.pdf</li>`) || !strings.Contains(p.Body, "nothing was sent") {
			t.Fatalf("the typed message or the file names are not given back: %s", p.Body)
		}
		if n := f.count("items"); n != 0 {
			t.Fatalf("%d items stored without a session", n)
		}
		// Without a valid token nothing is echoed back.
		if p := br.submit("", typed); p.Status != http.StatusForbidden || strings.Contains(p.Body, typed) {
			t.Fatalf("a forged post after the session: %d %s", p.Status, p.Body)
		}
	})
}

// The "I'm new" page draws from the page language's list by default, offers
// the other, and states each list's strength; a Russian codename logs in
// again typed with ё and capitals.
func TestRussianCodenameOption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		br := f.browser()
		en := br.Get("/new")
		if m := codenameRe.FindStringSubmatch(en.Body); m == nil || len(strings.Fields(m[1])) != 7 || !strings.Contains(en.Body, "90.5 bits") || !strings.Contains(en.Body, `href="/new?words=ru"`) {
			t.Fatalf("English default: %s", en.Body)
		}
		ru := br.Get("/new?lang=ru")
		m := codenameRe.FindStringSubmatch(ru.Body)
		if m == nil || len(strings.Fields(m[1])) != 8 || !strings.Contains(ru.Body, "96 бит") || !strings.Contains(ru.Body, `href="/new?words=en"`) || !strings.Contains(ru.Body, `lang="ru">`+m[1]) {
			t.Fatalf("Russian default: %s", ru.Body)
		}
		if strings.Contains(ru.Body, "запомнил") {
			t.Error("the Russian page still assumes a man")
		}
		if p := br.Get("/new?words=en"); len(strings.Fields(codenameRe.FindStringSubmatch(p.Body)[1])) != 7 {
			t.Fatal("?words=en on a Russian page did not give English words")
		}
		codename := m[1]
		if r := br.postForm("/new", map[string]string{"csrf": ru.CSRF(t), "codename": codename}); r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		br2 := f.browser()
		typed := strings.ToUpper(strings.ReplaceAll(codename, "е", "ё"))
		li := br2.postForm("/login", map[string]string{"csrf": br2.Get("/login").CSRF(t), "codename": typed})
		if li.Status != http.StatusSeeOther || li.Header.Get("Location") != "/inbox" {
			t.Fatalf("log in with %q: %d %s", typed, li.Status, li.Body)
		}
	})
}
