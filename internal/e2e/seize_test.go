package e2e

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBlobFolderShowsOnlyDays seizes the blob folder of a stopped server
// after web and command-line submissions: every file and folder in it has
// midnight UTC for its modification and access times, and every blob is
// padded (4 KiB at least: a one-line message no longer shows its length).
func TestBlobFolderShowsOnlyDays(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			began := time.Now().UTC()
			srv := n.start(t)
			dir := t.TempDir()
			file := filepath.Join(dir, "notes.txt")
			os.WriteFile(file, []byte("twelve bytes"), 0o600)
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--message-file", file, file)
			c, token := webSource(t, srv.urls["dropbox"])
			ct, body := multipartBody(token, "hi", "", nil)
			resp, err := c.Post(srv.urls["dropbox"]+"/submit", ct, body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.stop()

			midnights := map[time.Time]bool{}
			for _, d := range []time.Time{began, time.Now().UTC()} {
				midnights[time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)] = true
			}
			seen, sealed := 0, 0
			filepath.WalkDir(filepath.Join(n.data, "blobs"), func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					t.Fatal(err)
				}
				info, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				st := info.Sys().(*syscall.Stat_t)
				atime := time.Unix(st.Atim.Sec, st.Atim.Nsec).UTC()
				if !midnights[info.ModTime().UTC()] || !midnights[atime] {
					t.Errorf("%s: modified %v, accessed %v: finer than a day", p, info.ModTime().UTC(), atime)
				}
				seen++
				if !e.IsDir() && filepath.Ext(p) == ".age" {
					sealed++
					if info.Size() < 4096 {
						t.Errorf("%s is %d bytes: not padded", p, info.Size())
					}
				}
				return nil
			})
			if sealed != 3 || seen < 3+4 { // blobs/, tmp/, pending/ and a shard at least
				t.Fatalf("walked %d entries, %d blobs: the test saw nothing", seen, sealed)
			}
		})
	}
}

// ageRecover recovers an item from its blob with the stock age CLI alone,
// as docs/USAGE.md tells a journalist to: decrypt the sealed manifest, read
// its size, decrypt the file and cut it there. What is cut must be padding.
func (n *newsroom) ageRecover(t testing.TB, blob string) []byte {
	t.Helper()
	var sealed []byte
	name := strings.TrimSuffix(filepath.Base(blob), ".age")
	if err := n.openDB(t).QueryRow("SELECT manifest FROM items WHERE blob = '" + name + "'").Scan(&sealed); err != nil {
		t.Fatalf("the manifest of %s: %v", name, err)
	}
	mf := filepath.Join(t.TempDir(), "item.manifest.age")
	os.WriteFile(mf, sealed, 0o600)
	var m struct {
		Size int64 `json:"size"`
	}
	if err := json.Unmarshal(ageDecrypt(t, n.key, mf), &m); err != nil {
		t.Fatalf("the stock CLI's manifest of %s: %v", name, err)
	}
	plain := ageDecrypt(t, n.key, blob)
	if int64(len(plain)) < m.Size || len(bytes.Trim(plain[m.Size:], "\x00")) != 0 {
		t.Fatalf("%s: %d bytes decrypted, the manifest says %d, and the rest is not padding", name, len(plain), m.Size)
	}
	return plain[:m.Size]
}
