package newsroom

import (
	"archive/zip"
	"bytes"
	"confide/internal/api"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/testwait"
	"confide/internal/web"
)

func TestLoginWithTwoFactors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		br := f.browser()
		if p := br.Get("/"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
			t.Fatalf("inbox without login: %d", p.Status)
		}
		// First login: the passphrase leads to the QR code, not the inbox.
		r := br.Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/setup" {
			t.Fatalf("first login: %d %s", r.Status, r.Header.Get("Location"))
		}
		setup := br.Get("/setup")
		if !strings.Contains(setup.Body, `src="data:image/png;base64,`) || !strings.Contains(setup.Body, ann.secret) {
			t.Fatal("setup shows no QR code or secret")
		}
		if p := br.Get("/"); p.Status != http.StatusSeeOther {
			t.Fatal("a setup session reached the inbox")
		}
		if r := br.Post("/setup", "/setup", url.Values{"code": {"000000"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong setup code: %d", r.Status)
		}
		if r := br.Post("/setup", "/setup", url.Values{"code": {f.code(ann)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("setup: %d %s", r.Status, r.Body)
		}
		if p := br.Get("/"); p.Status != 200 || !strings.Contains(p.Body, "Sources") {
			t.Fatalf("inbox: %d", p.Status)
		}
		// Logout deletes the session on the server: the old cookie is dead.
		u, _ := url.Parse(f.ts.URL)
		old := br.Client.Jar.Cookies(u)
		br.Post("/", "/logout", nil)
		replay := f.browser()
		replay.Client.Jar.SetCookies(u, old)
		if p := replay.Get("/"); p.Status != http.StatusSeeOther {
			t.Fatal("a logged-out session still works")
		}
		// From now on the code is required, and works once.
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("login without code after setup: %d", r.Status)
		}
		code, _ := seal.TOTPCode(ann.secret, f.clock.Now())
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {code}}); r.Status != http.StatusSeeOther {
			t.Fatalf("good login: %d %s", r.Status, r.Body)
		}
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {code}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "works only once") {
			t.Fatalf("replayed code: %d", r.Status)
		}
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {"wrong"}, "code": {f.code(ann)}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong passphrase: %d", r.Status)
		}
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"nobody"}, "passphrase": {"x"}, "code": {"123456"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("unknown name: %d", r.Status)
		}
	})
}

func TestThrottlingAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		f.login(ann)
		for i := 0; i < 5; i++ {
			f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {"guess"}, "code": {"123456"}})
		}
		// Locked: a guess is refused with the lock's end, but the right
		// passphrase and code still get in (TestLockoutIsNotADenialOfService).
		r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {"guess"}, "code": {"123456"}})
		if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many failed attempts") {
			t.Fatalf("locked account: %d", r.Status)
		}
		br := f.login(ann)
		// Idle sessions expire.
		f.clock.Advance(31 * time.Minute)
		if p := br.Get("/"); p.Status != http.StatusSeeOther {
			t.Fatalf("expired session: %d", p.Status)
		}
		// The global limiter caps attempts across all accounts.
		f.srv.throttle = web.NewThrottle(3, 0)
		f.srv.auth, _ = f.srv.newAuth()
		for i := 0; i < 3; i++ {
			f.browser().Post("/login", "/login", url.Values{"name": {"x"}, "passphrase": {"y"}})
		}
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {f.code(ann)}}); r.Status != http.StatusTooManyRequests {
			t.Fatalf("global throttle: %d", r.Status)
		}
	})
}

func TestInboxConversationReplyDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		bob := f.person("bob", false)
		older, _ := f.source("brave otter", "first message", "a file")
		newer, newerID := f.source("quiet heron", "second message")
		br := f.login(ann)
		inbox := br.Get("/")
		if i, j := strings.Index(inbox.Body, "quiet heron"), strings.Index(inbox.Body, "brave otter"); i < 0 || j < 0 || i > j {
			t.Fatal("inbox not newest first")
		}
		src := br.Get("/sources/" + older.ID)
		if src.Status != 200 || strings.Count(src.Body, `name="item"`) != 2 || strings.Contains(src.Body, "first message") {
			t.Fatalf("source page: %d (contents must stay encrypted)", src.Status)
		}
		if !strings.Contains(src.Body, "1 message, 1 file, 0 replies,") {
			t.Fatalf("source summary without real plurals: %s", src.Body)
		}
		if ru := br.Get("/sources/" + older.ID + "?lang=ru"); !strings.Contains(ru.Body, "1 сообщение, 1 файл, 0 ответов,") {
			t.Fatalf("Russian source summary without real plurals: %s", ru.Body)
		}
		br.Get("/sources/" + older.ID + "?lang=en") // the link above remembered Russian
		// Reply from the web: the source and every journalist can open it.
		r := br.Post("/sources/"+newer.ID, "/sources/"+newer.ID+"/replies", url.Values{"reply": {"Thank you, we will look."}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		// The journalist is told the reply went.
		if p := br.Get(r.Loc); !strings.Contains(p.Body, `id="reply-sent"`) || !strings.Contains(p.Body, "Reply sent") {
			t.Fatalf("no sent notice after a reply (%s): %s", r.Loc, p.Body)
		}
		if strings.Contains(src.Body, `id="reply-sent"`) {
			t.Fatal("sent notice without a reply")
		}
		// Reading is explained with commands to copy, with no literal backticks.
		for _, want := range []string{"go install ./cmd/confide", "confide workstation login --newsroom " + f.ts.URL + " --user ann",
			"confide workstation serve --identity your-key.txt", "<code>confide workstation</code>"} {
			if !strings.Contains(src.Body, want) {
				t.Errorf("source page lacks %q", want)
			}
		}
		if strings.Contains(src.Body, "`") {
			t.Errorf("source page shows a literal backtick: %s", src.Body)
		}
		replies, _ := f.store.Items(context.Background(), newer.ID, store.KindReply)
		if len(replies) != 1 || replies[0].Author != ann.j.ID {
			t.Fatalf("replies %+v", replies)
		}
		var ct bytes.Buffer
		f.blobs.Copy(&ct, replies[0].Blob)
		for _, who := range []seal.Identity{newerID, ann.id, bob.id} {
			if got, err := seal.OpenReply(bytes.NewReader(ct.Bytes()), 1<<20, who); err != nil || got != "Thank you, we will look." {
				t.Fatalf("reply not readable: %v", err)
			}
		}
		if bytes.Contains(ct.Bytes(), []byte("Thank you")) {
			t.Fatal("reply stored in the clear")
		}
		// Star, hide, assign.
		br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/flags", url.Values{"action": {"star"}})
		br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/flags", url.Values{"action": {"assign"}, "assignee": {"ann"}})
		if p := br.Get("/?filter=starred"); !strings.Contains(p.Body, "brave otter") || strings.Contains(p.Body, "quiet heron") {
			t.Fatal("starred filter")
		}
		if p := br.Get("/?filter=mine"); !strings.Contains(p.Body, "brave otter") || strings.Contains(p.Body, "quiet heron") {
			t.Fatal("mine filter")
		}
		br.Post("/sources/"+newer.ID, "/sources/"+newer.ID+"/flags", url.Values{"action": {"hide"}})
		if p := br.Get("/"); strings.Contains(p.Body, "quiet heron") {
			t.Fatal("hidden source shown")
		}
		if p := br.Get("/?filter=hidden"); !strings.Contains(p.Body, "quiet heron") {
			t.Fatal("hidden filter")
		}
		// Unread counts are per journalist: downloading marks seen for ann only.
		items, _ := f.store.Items(context.Background(), older.ID)
		one := br.Get("/sources/" + older.ID + "/items/" + items[1].ID + "?n=2")
		var want bytes.Buffer
		f.blobs.Copy(&want, items[1].Blob)
		if one.Status != 200 || one.Body != want.String() || !strings.Contains(one.Header.Get("Content-Disposition"), "brave-otter-002-file.age") {
			t.Fatalf("single download: %d %s", one.Status, one.Header.Get("Content-Disposition"))
		}
		if got, _ := seal.OpenBytes([]byte(one.Body), 1<<20, ann.id); string(got) != "a file" {
			t.Fatal("downloaded file does not decrypt")
		}
		// The original name is sealed: the file's row offers its manifest.
		if !strings.Contains(src.Body, `href="/sources/`+older.ID+`/items/`+items[1].ID+`/manifest?n=2"`) {
			t.Fatal("no manifest link beside the file")
		}
		man := br.Get("/sources/" + older.ID + "/items/" + items[1].ID + "/manifest?n=2")
		if m, err := seal.OpenManifest([]byte(man.Body), ann.id); err != nil || m.Name != "doc.txt" || !strings.Contains(man.Header.Get("Content-Disposition"), "brave-otter-002-file.manifest.age") {
			t.Fatalf("manifest download: %d %q %+v %v", man.Status, man.Header.Get("Content-Disposition"), m, err)
		}
		if p := br.Get("/sources/" + newer.ID + "/items/" + items[1].ID + "/manifest"); p.Status != http.StatusNotFound {
			t.Fatalf("another source's manifest: %d", p.Status)
		}
		rows, _ := f.store.ListSources(context.Background(), store.SourceQuery{JournalistID: ann.j.ID, Starred: true})
		rowsBob, _ := f.store.ListSources(context.Background(), store.SourceQuery{JournalistID: bob.j.ID, Starred: true})
		if rows[0].Unread != 1 || rowsBob[0].Unread != 2 {
			t.Fatalf("unread ann %d bob %d", rows[0].Unread, rowsBob[0].Unread)
		}
		// Zip of everything: every item's age file and sealed manifest.
		z := br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/items", url.Values{"op": {"download"}, "scope": {"all"}})
		zr, err := zip.NewReader(bytes.NewReader([]byte(z.Body)), int64(len(z.Body)))
		if err != nil || len(zr.File) != 4 {
			t.Fatalf("zip: %v", err)
		}
		day := items[0].Created.Time().UTC().Format("2006-01-02")
		for _, zf := range zr.File {
			// Entries carry the submission's day, not the zip zero date.
			if got := zf.Modified.UTC().Format("2006-01-02"); got != day {
				t.Errorf("%s dated %s, want %s", zf.Name, got, day)
			}
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			if strings.HasSuffix(zf.Name, ".manifest.age") {
				if _, err := seal.OpenManifest(b, ann.id); err != nil {
					t.Fatalf("%s: %v", zf.Name, err)
				}
			} else if _, err := seal.OpenBytes(b, 1<<20, ann.id); err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
		}
		// Delete one item, then the whole source: rows and files go.
		if r := br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/items", url.Values{"op": {"delete"}, "item": {items[0].ID}}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete item: %d", r.Status)
		}
		if _, err := f.blobs.Open(items[0].Blob); err == nil {
			t.Fatal("deleted item's file remains")
		}
		if r := br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/delete", nil); r.Status != http.StatusBadRequest {
			t.Fatalf("delete without confirmation: %d", r.Status)
		}
		if r := br.Post("/sources/"+older.ID, "/sources/"+older.ID+"/delete", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete source: %d", r.Status)
		}
		if _, err := f.blobs.Open(items[1].Blob); err == nil {
			t.Fatal("deleted source's file remains")
		}
		if p := br.Get("/sources/" + older.ID); p.Status != http.StatusNotFound {
			t.Fatalf("deleted source page: %d", p.Status)
		}
		// Forms without the token are refused.
		if r := br.PostRaw("/sources/"+newer.ID+"/replies", url.Values{"reply": {"forged"}}); r.Status != http.StatusForbidden {
			t.Fatalf("reply without csrf: %d", r.Status)
		}
	})
}

func TestAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		boss := f.person("boss", true)
		ann := f.person("ann", false)
		src, _ := f.source("brave otter", "hello")
		br := f.login(boss)
		annBr := f.login(ann)
		if p := annBr.Get("/admin"); p.Status != http.StatusForbidden {
			t.Fatalf("non-admin reached admin: %d", p.Status)
		}
		newKey := seal.NewCodename() // any string that is not a key
		if r := br.Post("/admin", "/admin/journalists", url.Values{"name": {"carl"}, "recipient": {newKey}}); r.Status != http.StatusBadRequest {
			t.Fatalf("bad recipient: %d", r.Status)
		}
		if r := br.Post("/admin", "/admin/journalists", url.Values{"name": {"carl"}, "recipient": {"AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ8H00W3"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "private key") {
			t.Fatalf("private key: %d", r.Status)
		}
		r := br.Post("/admin", "/admin/journalists", url.Values{"name": {"carl"}, "recipient": {ann.id.Recipient().String()}, "admin": {"on"}})
		if r.Status != 200 || !strings.Contains(r.Body, `id="passphrase"`) || !strings.Contains(r.Body, "otpauth://totp/") {
			t.Fatalf("create: %d", r.Status)
		}
		carl, _ := f.store.JournalistByName(context.Background(), "carl")
		if !carl.Admin {
			t.Fatal("carl is not admin")
		}
		// Reset ann's passphrase: her session ends, the old passphrase fails.
		r = br.Post("/admin", "/admin/journalists/"+ann.j.ID+"/reset", url.Values{"what": {"passphrase"}})
		if !strings.Contains(r.Body, `id="passphrase"`) {
			t.Fatal("no new passphrase shown")
		}
		if p := annBr.Get("/"); p.Status != http.StatusSeeOther {
			t.Fatal("ann's session survived a reset")
		}
		if r := f.browser().Post("/login", "/login", url.Values{"name": {"ann"}, "passphrase": {ann.pass}, "code": {f.code(ann)}}); r.Status != http.StatusUnauthorized {
			t.Fatal("old passphrase still works")
		}
		// Reset ann's second factor: the next login sets it up again.
		br.Post("/admin", "/admin/journalists/"+ann.j.ID+"/reset", url.Values{"what": {"2fa"}})
		if j, _ := f.store.JournalistByID(context.Background(), ann.j.ID); j.TOTPConfirmed || j.TOTPSecret == ann.secret {
			t.Fatal("second factor not reset")
		}
		// Rotate ann's key: new material is encrypted to the new one.
		next, _ := seal.ParseRecipients([]string{carl.Recipient})
		_ = next
		if r := br.Post("/admin", "/admin/journalists/"+ann.j.ID+"/recipient", url.Values{"recipient": {boss.id.Recipient().String()}}); r.Status != http.StatusSeeOther {
			t.Fatalf("rotate: %d", r.Status)
		}
		if j, _ := f.store.JournalistByID(context.Background(), ann.j.ID); j.Recipient != boss.id.Recipient().String() {
			t.Fatal("recipient not rotated")
		}
		if r := br.Post("/admin", "/admin/journalists/"+boss.j.ID+"/remove", nil); r.Status != http.StatusBadRequest {
			t.Fatal("an admin removed themself")
		}
		if r := br.Post("/admin", "/admin/journalists/"+carl.ID+"/remove", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.Status)
		}
		// The audit log saw all of it, and names no source.
		br.Post("/sources/"+src.ID, "/sources/"+src.ID+"/replies", url.Values{"reply": {"hi"}})
		log := br.Get("/admin/audit").Body
		for _, want := range []string{"add journalist", "reset passphrase", "reset second factor", "rotate recipient", "remove journalist", "reply", "login"} {
			if !strings.Contains(log, want) {
				t.Errorf("audit lacks %q", want)
			}
		}
		if strings.Contains(log, "brave otter") || strings.Contains(log, src.ID) {
			t.Fatal("the audit log identifies a source")
		}
	})
}

// With the newsroom's Argon2id slots and queue taken, a sign-in gets a
// "busy" answer at once, on the web (503 page, Retry-After) and the API, and
// checks no passphrase: a crowd of sign-ins cannot grow the process.
func TestSignInBusy(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	p := f.person("ann", false)
	f.srv.argon = seal.NewLimiter(1, 0)
	f.srv.auth, _ = f.srv.newAuth()
	release := make(chan struct{})
	defer close(release)
	go f.srv.argon.Do(context.Background(), func() { <-release })
	testwait.For(t, "the limiter runs the blocking derivation", func() bool { return f.srv.argon.Stats().Active >= 1 })
	r := f.browser().Post("/login", "/login", url.Values{"name": {p.name}, "passphrase": {p.pass}, "code": {f.code(p)}})
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "busy") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("web: %d %v %s", r.Status, r.Header, r.Body)
	}
	body := strings.NewReader(`{"name":"ann","passphrase":"x","code":"123456"}`)
	req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/token", body)
	req.Header.Set(api.NonceHeader, strings.Repeat("n", 20))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("api: %s %v", resp.Status, resp.Header)
	}
	if st := f.srv.argon.Stats(); st.Busy != 2 || st.Runs != 0 {
		t.Fatalf("limiter: %+v", st)
	}
}
