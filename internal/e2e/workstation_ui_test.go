package e2e

import (
	"bufio"
	"bytes"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"

	"github.com/chromedp/chromedp"
)

// TestWorkstationServe runs the local web UI on pulled material: plaintext
// shown on loopback only and only with the printed per-launch token, a metadata-free copy of a photo with the original
// kept, a reply sent from it, and requests under another Host refused.
func TestWorkstationServe(t *testing.T) {
	n := setup(t, "sqlite")
	srv := n.start(t)
	dir := t.TempDir()
	var jb bytes.Buffer
	jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	exif := append([]byte("Exif\x00\x00"), "GPS-SECRET-48.85N"...)
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	photo = append(photo, jb.Bytes()[2:]...)
	os.WriteFile(filepath.Join(dir, "photo.jpg"), photo, 0o600)
	os.WriteFile(filepath.Join(dir, "msg.txt"), []byte("Here is the photo of the meeting."), 0o600)
	os.WriteFile(filepath.Join(dir, "dump.bin"), []byte("\x00\x01\x02 nothing cleans this"), 0o600)
	codeFile := filepath.Join(dir, "codename")
	run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", codeFile, "--message-file", filepath.Join(dir, "msg.txt"), filepath.Join(dir, "photo.jpg"), filepath.Join(dir, "dump.bin"))

	webJournalist(t, srv.urls["newsroom"], n)
	state, out := filepath.Join(dir, "state"), filepath.Join(dir, "pulled")
	code, _ := seal.TOTPCode(n.totp, time.Now().Add(30*time.Second))
	runIn(t, n.pass+"\n"+code+"\n", "workstation", "login", "--newsroom", srv.urls["newsroom"], "--user", n.user, "--state", state)

	if msg, err := exec.Command(binary, "workstation", "serve", "--identity", n.key, "--out", out, "--state", state, "--listen", "0.0.0.0:0").CombinedOutput(); err == nil || !strings.Contains(string(msg), "not a loopback address") {
		t.Fatalf("a public listen address was accepted: %s", msg)
	}
	cmd := exec.Command(binary, "workstation", "serve", "--identity", n.key, "--out", out, "--state", state, "--listen", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var printed string
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "workstation: "); ok {
			printed = v
		}
		if sc.Text() == "ready" {
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	pu, err := url.Parse(printed)
	if err != nil || pu.Query().Get("token") == "" {
		t.Fatalf("serve printed %q, with no token", printed)
	}
	base := "http://" + pu.Host
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	// The printed URL lets the journalist in; another user of this computer,
	// without it, is refused.
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no token: %v %v", resp, err)
	}
	home := get(t, c, printed)
	post(t, c, base+"/pull", url.Values{"csrf": {csrf.FindStringSubmatch(home)[1]}})
	home = get(t, c, base+"/")
	m := regexp.MustCompile(`href="/sources/([^"]+)"`).FindStringSubmatch(home)
	if m == nil {
		t.Fatalf("no source after pull: %s", home)
	}
	designation, _ := url.PathUnescape(m[1])
	// Pulled folder names need no quoting in a shell.
	if strings.ContainsAny(designation, " %") || !strings.Contains(designation, "-") {
		t.Fatalf("pulled folder %q has spaces or no hyphen", designation)
	}
	if _, err := os.Stat(filepath.Join(out, designation)); err != nil {
		t.Fatal(err)
	}
	page := get(t, c, base+"/sources/"+m[1])
	if !strings.Contains(page, "Here is the photo of the meeting.") {
		t.Fatal("the message is not shown in plaintext")
	}
	if resp, err := http.Get(base + "/sources/" + m[1]); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the conversation without the token: %v %v", resp, err)
	} else if b, _ := io.ReadAll(resp.Body); strings.Contains(string(b), "photo of the meeting") {
		t.Fatal("plaintext shown without the token")
	}
	fm := regexp.MustCompile(`action="(/sources/[^"]+/files/[^"]+-photo\.jpg)/scrub"`).FindStringSubmatch(page)
	if fm == nil {
		t.Fatalf("no scrub button for the photo: %s", page)
	}
	// The button is offered only where a scrubber works.
	if !strings.Contains(page, "-dump.bin") || strings.Contains(page, `-dump.bin/scrub"`) {
		t.Fatalf("a scrub button for a type nothing cleans, or the file is missing: %s", page)
	}
	resp, err := c.PostForm(base+fm[1]+"/scrub", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}})
	if err != nil {
		t.Fatal(err)
	}
	clean, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The cleaned copy cannot pass for the original.
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "-photo.cleaned.jpg") {
		t.Fatalf("cleaned copy named %q", cd)
	}
	if resp.StatusCode != 200 || bytes.Contains(clean, []byte("GPS-SECRET")) {
		t.Fatalf("scrubbed copy: %d, metadata present %v", resp.StatusCode, bytes.Contains(clean, []byte("GPS-SECRET")))
	}
	if _, err := jpeg.Decode(bytes.NewReader(clean)); err != nil {
		t.Fatal("the scrubbed copy is not a JPEG")
	}
	orig := get(t, c, base+fm[1])
	if orig != string(photo) {
		t.Fatal("the original was not kept byte for byte")
	}
	// Reply from the UI; the source reads it.
	post(t, c, base+"/sources/"+m[1]+"/reply", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "reply": {"Thank you for the photo."}})
	if r := run(t, "source", "replies", "--dropbox", srv.urls["dropbox"], "--codename-file", codeFile); !strings.Contains(r, "Thank you for the photo.") {
		t.Fatalf("source replies: %q (designation %s)", r, designation)
	}
	// Paths cannot climb out of the pulled folder.
	for _, p := range []string{"/sources/..%2F..%2F..%2Fetc/files/passwd", "/sources/" + m[1] + "/files/..%2F..%2Fstate%2Fstate.json"} {
		resp, err := c.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(b), "root:") || strings.Contains(string(b), "server_key") {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
	}
	// The journalist's own Chromium: the printed URL lets it in (the strict
	// cookie is set on that navigation and sent after the redirect), the
	// token leaves the address bar, and a fresh profile without it sees
	// nothing.
	bctx := newBrowser(t)
	b := tab{t, bctx, srv}
	if resp, err := chromedp.RunResponse(bctx, chromedp.Navigate(printed)); err != nil || resp.Status != 200 {
		t.Fatalf("Chromium on the printed URL: %v %v", resp, err)
	}
	if loc, err := chromedp.Run(bctx, chromedp.Location()); err != nil || loc != base+"/" {
		t.Fatalf("the token stayed in the address bar: %q %v", loc, err)
	}
	b.click(`a[href="/sources/` + m[1] + `"]`)
	if !strings.Contains(b.text("main"), "Here is the photo of the meeting.") {
		t.Fatal("Chromium does not show the conversation")
	}
	shot(t, bctx, "workstation-source")
	other := newBrowser(t)
	if resp, err := chromedp.RunResponse(other, chromedp.Navigate(base+"/sources/"+m[1])); err != nil || resp.Status != http.StatusForbidden {
		t.Fatalf("Chromium without the token: %v %v", resp, err)
	}
	if body, _ := chromedp.Run(other, chromedp.Text(css("body"))); strings.Contains(body, "photo of the meeting") {
		t.Fatal("plaintext shown to a browser without the token")
	}
	// DNS rebinding: another Host name is refused.
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Host = "attacker.example:80"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host: %v %v", resp, err)
	}
	// Forms need the CSRF token, even from the journalist's own browser.
	if resp, _ := c.PostForm(base+"/pull", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("pull without csrf: %d", resp.StatusCode)
	}
}
