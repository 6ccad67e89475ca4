package workstation

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// Another user of this computer can reach the loopback port; without the
// per-launch token they get a 403 and no plaintext, whatever they ask for.
// The journalist opens the printed URL once and is in, by cookie, with the
// token gone from the address.
func TestUIRequiresTheLaunchToken(t *testing.T) {
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "brave otter"), 0o700)
	os.WriteFile(filepath.Join(out, "brave otter", "000001-message.txt"), []byte("PLAINTEXT-SECRET"), 0o600)
	os.WriteFile(filepath.Join(out, "brave otter", "000001-message.txt.confide.json"), []byte(`{"item":"RECORD-OF-MESSAGE"}`), 0o600)
	// A source's own file only named like a record is a file like any other.
	os.WriteFile(filepath.Join(out, "brave otter", "000002-notes.confide.json"), []byte(`{}`), 0o600)
	id, _ := age.GenerateX25519Identity()
	ui, err := NewUI(out, t.TempDir(), id, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ui.Handler(l.Addr().String())}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + l.Addr().String()
	printed := ui.URL(l.Addr().String())
	token := strings.TrimPrefix(printed, base+"/?token=")
	if token == printed || len(token) < 40 {
		t.Fatalf("printed URL %q carries no strong token", printed)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	refused := func(c *http.Client, method, path string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader("csrf=x&reply=forged"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || strings.Contains(string(b), "PLAINTEXT") || strings.Contains(string(b), "brave") {
			t.Fatalf("%s %s without the token: %d %q", method, path, resp.StatusCode, b)
		}
	}
	for _, p := range []string{"/", "/sources/brave%20otter", "/sources/brave%20otter/files/000001-message.txt", "/static/style.css", "/?token=wrong" + token[5:]} {
		refused(noRedirect, "GET", p)
	}
	refused(noRedirect, "POST", "/pull")
	refused(noRedirect, "POST", "/sources/brave%20otter/reply")
	// A cookie with the wrong value does no better.
	req, _ := http.NewRequest("GET", base+"/sources/brave%20otter", nil)
	req.AddCookie(&http.Cookie{Name: ui.authCookie(), Value: "guess"})
	if resp, _ := noRedirect.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a guessed cookie: %d", resp.StatusCode)
	}

	// The printed URL: a redirect that drops the token, and a strict cookie.
	resp, err := noRedirect.Get(printed)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || len(cookies) != 1 ||
		!cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Value != token {
		t.Fatalf("token exchange: %d %q %+v", resp.StatusCode, resp.Header.Get("Location"), cookies)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if _, err := c.Get(printed); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	if len(jar.Cookies(u)) == 0 {
		t.Fatal("no cookie kept")
	}
	resp, err = c.Get(base + "/sources/brave%20otter")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "PLAINTEXT-SECRET") {
		t.Fatalf("with the cookie: %d", resp.StatusCode)
	}
	// Custody records are for the archive: not listed as conversation.
	if strings.Contains(string(b), "000001-message.txt.confide.json") || !strings.Contains(string(b), "000002-notes.confide.json") {
		t.Fatalf("the conversation page lists the custody record, or hides the source's file:\n%s", b)
	}
}
