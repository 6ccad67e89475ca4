package e2e

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCrashMidUpload kills the server with SIGKILL while a source is
// uploading, restarts it, and checks that nothing earlier was lost, nothing
// partial is visible or left behind, and no plaintext exists anywhere.
func TestCrashMidUpload(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			base := srv.urls["dropbox"]

			// An earlier submission, through the command-line client.
			dir := t.TempDir()
			codeFile := filepath.Join(dir, "codename")
			earlier := filepath.Join(dir, "earlier.txt")
			os.WriteFile(earlier, []byte("EARLIER-SUBMISSION-KEPT-9931"), 0o600)
			run(t, "source", "submit", "--dropbox", base, "--codename-out", codeFile, earlier)
			before := blobs(t, n.data)
			if len(before) != 1 {
				t.Fatalf("%d blobs before the crash", len(before))
			}

			// A browser-style upload that is cut off by a crash: a marker
			// repeated through a body that never finishes.
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
			page := get(t, c, base+"/new")
			codename := regexp.MustCompile(`name="codename" value="([^"]+)"`).FindStringSubmatch(page)[1]
			inbox := post(t, c, base+"/new", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "codename": {codename}})
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			req, _ := http.NewRequest("POST", base+"/submit", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			done := make(chan error, 1)
			go func() {
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			mw.WriteField("csrf", csrf.FindStringSubmatch(inbox)[1])
			mw.WriteField("message", "CRASH-MESSAGE-PLAINTEXT-7719")
			w, _ := mw.CreateFormFile("files", "crash-victim-name.pdf")
			marker := bytes.Repeat([]byte("CRASH-FILE-PLAINTEXT-4242 "), 4096)
			for i := 0; i < 40; i++ { // about 4 MiB, then the crash
				if _, err := w.Write(marker); err != nil {
					t.Fatal(err)
				}
			}
			// Wait until the server has written ciphertext for it.
			deadline := time.Now().Add(20 * time.Second)
			for {
				ents, _ := os.ReadDir(filepath.Join(n.data, "blobs", "tmp"))
				if len(ents) >= 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the upload never reached the server's disk")
				}
				time.Sleep(50 * time.Millisecond)
			}
			srv.kill()
			pw.CloseWithError(fmt.Errorf("client gives up"))
			<-done
			partials, _ := os.ReadDir(filepath.Join(n.data, "blobs", "tmp"))
			if len(partials) == 0 {
				t.Fatal("no partial ciphertext existed at the crash: the test did not test anything")
			}
			scanDataFolder(t, n, [][]byte{[]byte("CRASH-FILE-PLAINTEXT"), []byte("CRASH-MESSAGE-PLAINTEXT"), []byte("crash-victim-name"), []byte("EARLIER-SUBMISSION")})

			// Restart: leftovers are gone, the earlier submission is intact,
			// and the interrupted one is nowhere.
			srv2 := n.start(t)
			if left, _ := os.ReadDir(filepath.Join(n.data, "blobs", "tmp")); len(left) != 0 {
				t.Fatalf("%d partial files survived the restart", len(left))
			}
			after := blobs(t, n.data)
			if len(after) != 1 || after[0] != before[0] {
				t.Fatalf("blobs before %v, after %v", before, after)
			}
			if got := ageDecrypt(t, n.key, after[0]); string(got) != "EARLIER-SUBMISSION-KEPT-9931" {
				t.Fatalf("earlier submission reads %q", got)
			}
			// The source of the interrupted upload can log in and find nothing
			// half-sent; the earlier source can still submit.
			run(t, "source", "submit", "--dropbox", srv2.urls["dropbox"], "--codename-file", codeFile, "--message-file", earlier)
			if len(blobs(t, n.data)) != 2 {
				t.Fatal("the server does not accept submissions after the crash")
			}
		})
	}
}

func get(t testing.TB, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func post(t testing.TB, c *http.Client, u string, form url.Values) string {
	t.Helper()
	resp, err := c.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}
