package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// metadataNeedles are what must never be stored: client addresses (direct
// or forwarded) and user agents.
var metadataNeedles = [][]byte{
	[]byte("127.0.0.1"), []byte("203.0.113.77"), []byte("ConfideScan/7.7"), []byte("HeadlessChrome"), []byte("Mozilla/5.0"),
}

// scanDataFolder reads every byte Confide stored, the data folder and, on
// PostgreSQL, a full dump of the database, and fails on any needle.
func scanDataFolder(t testing.TB, n *newsroom, secrets [][]byte) {
	t.Helper()
	needles := append(append([][]byte{}, secrets...), metadataNeedles...)
	check := func(where string, b []byte) {
		for _, nd := range needles {
			if len(nd) > 0 && bytes.Contains(b, nd) {
				t.Errorf("%s contains %q", where, nd)
			}
		}
	}
	files := 0
	filepath.WalkDir(n.data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if n.db == "" && strings.HasSuffix(p, filepath.Join("demo", "journalist-key.txt")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files++
		check(p, b)
		return nil
	})
	if files == 0 {
		t.Fatal("scanned no files")
	}
	if n.db != "" {
		dump, err := exec.Command("pg_dump", "--data-only", "--dbname="+n.db).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if !bytes.Contains(dump, []byte("COPY public.items")) {
			t.Fatal("the dump does not look like Confide's database")
		}
		check("the PostgreSQL dump", dump)
	}
}

// TestNoClientMetadataStored sends every kind of request with a forwarded
// address and a recognisable user agent, then scans what was stored.
func TestNoClientMetadataStored(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			base := srv.urls["dropbox"]
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			send := func(req *http.Request) string {
				req.Header.Set("X-Forwarded-For", "203.0.113.77")
				req.Header.Set("X-Real-IP", "203.0.113.77")
				req.Header.Set("Forwarded", "for=203.0.113.77")
				req.Header.Set("User-Agent", "ConfideScan/7.7")
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode >= 400 {
					t.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, b)
				}
				return string(b)
			}
			get := func(p string) string { r, _ := http.NewRequest("GET", base+p, nil); return send(r) }
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
			page := get("/new")
			codename := regexp.MustCompile(`name="codename" value="([^"]+)"`).FindStringSubmatch(page)[1]
			form := url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "codename": {codename}}
			r, _ := http.NewRequest("POST", base+"/new", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			inbox := send(r)
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf", csrf.FindStringSubmatch(inbox)[1])
			mw.WriteField("message", "metadata scan message 4417")
			w, _ := mw.CreateFormFile("files", "scan-file-4417.pdf")
			w.Write([]byte("%PDF-1.4 scan body 4417"))
			mw.Close()
			r, _ = http.NewRequest("POST", base+"/submit", &body)
			r.Header.Set("Content-Type", mw.FormDataContentType())
			send(r)
			// The command-line client too.
			codeFile := filepath.Join(t.TempDir(), "codename")
			msgFile := filepath.Join(t.TempDir(), "msg")
			os.WriteFile(msgFile, []byte("cli scan message 5521"), 0o600)
			run(t, "source", "submit", "--dropbox", base, "--codename-out", codeFile, "--message-file", msgFile)
			cliCodename, _ := os.ReadFile(codeFile)
			if out := run(t, "source", "replies", "--dropbox", base, "--codename-file", codeFile); !strings.Contains(out, "no replies yet") {
				t.Fatalf("source replies: %q", out)
			}
			get("/?lang=ru")
			srv.stop()
			scanDataFolder(t, n, [][]byte{[]byte("metadata scan message"), []byte("scan-file-4417"), []byte("scan body 4417"),
				[]byte(codename), []byte("cli scan message"), bytes.TrimSpace(cliCodename)})
			if len(blobs(t, n.data)) != 3 {
				t.Fatalf("expected 3 ciphertext files, found %d", len(blobs(t, n.data)))
			}
		})
	}
}
