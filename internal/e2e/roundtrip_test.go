package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/source"
)

// runIn runs the binary with stdin and returns stdout, failing on error.
func runIn(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("confide %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// webJournalist signs in to the newsroom over HTTP, setting up the second
// factor, and returns a client holding the session; through rt if given.
func webJournalist(t testing.TB, base string, n *newsroom, rt ...http.RoundTripper) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if len(rt) > 0 {
		c.Transport = rt[0]
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	page := get(t, c, base+"/login")
	setup := post(t, c, base+"/login", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "name": {n.user}, "passphrase": {n.pass}})
	if !strings.Contains(setup, n.totp) {
		t.Fatal("first sign-in did not show the second-factor setup")
	}
	code, _ := seal.TOTPCode(n.totp, time.Now())
	inbox := post(t, c, base+"/setup", url.Values{"csrf": {csrf.FindStringSubmatch(setup)[1]}, "code": {code}})
	if !strings.Contains(inbox, "Sources") {
		t.Fatalf("setup did not lead to the inbox: %s", inbox)
	}
	return c
}

// TestRoundTrip is the whole path: a source submits; a journalist signs in
// with passphrase and TOTP; the workstation pulls the exact bytes; the
// journalist replies from the workstation and from the web inbox; the
// source reads both replies with its codename.
func TestRoundTrip(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			dir := t.TempDir()
			archive := make([]byte, 3<<20)
			rand.Read(archive)
			os.WriteFile(filepath.Join(dir, "archive.zip"), archive, 0o600)
			os.WriteFile(filepath.Join(dir, "msg.txt"), []byte("Documents attached. Протоколы внутри."), 0o600)
			codeFile := filepath.Join(dir, "codename")
			runIn(t, "", "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", codeFile,
				"--message-file", filepath.Join(dir, "msg.txt"), "--chunk-size", "1048576", filepath.Join(dir, "archive.zip"))
			// A second submission through the API with a hostile file name.
			ctx := context.Background()
			c, _ := source.New(srv.urls["dropbox"], "")
			p, _ := c.Params(ctx)
			cn, _ := os.ReadFile(codeFile)
			keys, err := source.Derive(string(cn), p)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Login(ctx, keys); err != nil {
				t.Fatal(err)
			}
			id, err := c.Upload(ctx, "file", "../../../outside.txt", "text/plain", strings.NewReader("escape attempt"), 14, 4096)
			if err != nil || c.Submit(ctx, []string{id}) != nil {
				t.Fatalf("hostile upload: %v", err)
			}

			web := webJournalist(t, srv.urls["newsroom"], n)
			state := filepath.Join(dir, "state")
			code, _ := seal.TOTPCode(n.totp, time.Now().Add(30*time.Second))
			runIn(t, n.pass+"\n"+code+"\n", "workstation", "login", "--newsroom", srv.urls["newsroom"], "--user", n.user, "--state", state)
			out := filepath.Join(dir, "pulled")
			pulled := runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
			// Not on a terminal: a plain line per file, no progress line.
			if !strings.Contains(pulled, "3 new item(s) from 1 source(s)") || strings.Count(pulled, "wrote ") != 3 || strings.ContainsAny(pulled, "\r\x1b") {
				t.Fatalf("pull said %q", pulled)
			}
			var gotArchive, gotMessage, gotOutside bool
			var designation string
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(out, p)
				parts := strings.Split(rel, string(filepath.Separator))
				if len(parts) != 2 {
					t.Errorf("%s is not in a source folder", rel)
				}
				designation = parts[0]
				b, _ := os.ReadFile(p)
				switch {
				case strings.HasSuffix(p, "-archive.zip"):
					gotArchive = bytes.Equal(b, archive)
				case strings.HasSuffix(p, "-message.txt"):
					gotMessage = string(b) == "Documents attached. Протоколы внутри."
				case strings.HasSuffix(p, "-outside.txt"):
					gotOutside = string(b) == "escape attempt"
				}
				return nil
			})
			if !gotArchive || !gotMessage || !gotOutside {
				t.Fatalf("pulled archive %v message %v neutralised name %v", gotArchive, gotMessage, gotOutside)
			}
			if _, err := os.Stat(filepath.Join(dir, "outside.txt")); err == nil {
				t.Fatal("a file escaped the output folder")
			}
			again := runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
			if !strings.Contains(again, "0 new item(s)") {
				t.Fatalf("second pull: %q", again)
			}

			// Replies: one from the workstation, one from the web inbox.
			os.WriteFile(filepath.Join(dir, "reply.txt"), []byte("Reply from the workstation."), 0o600)
			runIn(t, "", "workstation", "reply", "--identity", n.key, "--source", designation, "--message-file", filepath.Join(dir, "reply.txt"), "--state", state)
			inbox := get(t, web, srv.urls["newsroom"]+"/")
			srcPath := regexp.MustCompile(`href="(/sources/[0-9a-f]+)"`).FindStringSubmatch(inbox)[1]
			page := get(t, web, srv.urls["newsroom"]+srcPath)
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
			post(t, web, srv.urls["newsroom"]+srcPath+"/replies", url.Values{"csrf": {csrf}, "reply": {"Reply from the web inbox."}})

			replies := runIn(t, "", "source", "replies", "--dropbox", srv.urls["dropbox"], "--codename-file", codeFile)
			if !strings.Contains(replies, "Reply from the workstation.") || !strings.Contains(replies, "Reply from the web inbox.") {
				t.Fatalf("source replies: %q", replies)
			}
			// The journalist's own pull gets the replies too, as text files.
			third := runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
			if strings.Count(third, "-reply.txt") != 2 {
				t.Fatalf("pull of replies: %q", third)
			}
		})
	}
}

// TestTamperedResponseCaught puts a proxy between the workstation and the
// newsroom that passes sign-in untouched (so the signature headers demonstrably cross it)
// and alters the sync answer: the workstation must refuse it.
func TestTamperedResponseCaught(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t)
	target, _ := url.Parse(srv.urls["newsroom"])
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path != "/api/v1/sync" {
			return nil
		}
		b, _ := io.ReadAll(r.Body)
		b = bytes.Replace(b, []byte(`"starred":false`), []byte(`"starred":true `), 1)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		return nil
	}
	ts := httptest.NewServer(proxy)
	defer ts.Close()
	run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--message-file", "/dev/null", "/etc/hostname")
	webJournalist(t, srv.urls["newsroom"], n)
	// Pin the real key, as a careful journalist does from serve's output.
	state := t.TempDir()
	code, _ := seal.TOTPCode(n.totp, time.Now().Add(30*time.Second))
	runIn(t, n.pass+"\n"+code+"\n", "workstation", "login", "--newsroom", ts.URL, "--user", n.user, "--server-key", srv.urls["newsroom API key"], "--state", state)
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(binary, "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "failed signature verification") {
		t.Fatalf("the tampered answer was accepted: %v %s", err, msg)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatal("something was written from a tampered answer")
	}
}
