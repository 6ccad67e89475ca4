package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/api"
	"confide/internal/seal"
	"confide/internal/store/storetest"
)

// TestPullToArchiveCustody is issue 11's custody path: a source submits, a
// workstation pulls (each file with its custody record), and the archive
// ingests the pull folder, so that archive custody names the newsroom
// item, its submission and the SHA-256 of exactly the ciphertext the
// newsroom's data folder holds. A record edited afterwards stops the
// ingest, with nothing queued.
func TestPullToArchiveCustody(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			dir := t.TempDir()
			report := "Протокол заседания: поставки зерна, 1972."
			os.WriteFile(filepath.Join(dir, "protokol.txt"), []byte(report), 0o600)
			os.WriteFile(filepath.Join(dir, "msg.txt"), []byte("The minutes are attached."), 0o600)
			runIn(t, "", "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", filepath.Join(dir, "codename"),
				"--message-file", filepath.Join(dir, "msg.txt"), filepath.Join(dir, "protokol.txt"))

			state := filepath.Join(dir, "state")
			code, _ := seal.TOTPCode(n.totp, time.Now().Add(30*time.Second))
			runIn(t, n.pass+"\n"+code+"\n", "workstation", "login", "--newsroom", srv.urls["newsroom"], "--user", n.user, "--state", state)
			out := filepath.Join(dir, "pulled")
			runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
			records := map[string]api.Sidecar{} // by the file's base name's suffix
			var reportFile string
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, api.SidecarSuffix) {
					return err
				}
				file := strings.TrimSuffix(p, api.SidecarSuffix)
				if _, err := os.Stat(file); err != nil {
					t.Errorf("a custody record without its file: %s", p)
				}
				if info, _ := os.Stat(p); info.Mode().Perm() != 0o600 {
					t.Errorf("%s is %v", p, info.Mode())
				}
				var sc api.Sidecar
				b, _ := os.ReadFile(p)
				if err := json.Unmarshal(b, &sc); err != nil {
					t.Fatal(err)
				}
				switch {
				case strings.HasSuffix(file, "-protokol.txt"):
					records["file"], reportFile = sc, file
				case strings.HasSuffix(file, "-message.txt"):
					if got, _ := os.ReadFile(file); string(got) == "The minutes are attached." {
						records["message"] = sc
					}
				}
				return nil
			})
			file, msg := records["file"], records["message"]
			if reportFile == "" || msg.Item == "" {
				t.Fatalf("records: %+v", records)
			}
			// One submission, named by both; two items.
			if file.Submission == "" || file.Submission != msg.Submission || file.Item == msg.Item || file.Kind != "file" || msg.Kind != "message" ||
				file.PulledBy != n.user || file.Newsroom != srv.urls["newsroom"] || file.Day != time.Now().UTC().Format("2006-01-02") {
				t.Fatalf("records: file %+v, message %+v", file, msg)
			}
			// The hash is of a ciphertext file in the newsroom's data folder…
			var blob string
			for _, b := range blobs(t, n.data) {
				ct, _ := os.ReadFile(b)
				if sum := sha256.Sum256(ct); hex.EncodeToString(sum[:]) == file.CiphertextSHA256 {
					blob = b
				}
			}
			if blob == "" {
				t.Fatalf("no blob of the newsroom's has the recorded hash %s", file.CiphertextSHA256)
			}
			// …and the stock age CLI opens that file to the pulled bytes
			// (then padding), whose hash the record gives too.
			if plain := ageDecrypt(t, n.key, blob); !strings.HasPrefix(string(plain), report) {
				t.Fatalf("the recorded ciphertext decrypts to %q", plain[:min(len(plain), 80)])
			}
			if sum := sha256.Sum256([]byte(report)); file.FileSHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("file_sha256 %s, the pulled file's %x", file.FileSHA256, sum)
			}

			db := []string{}
			if backend == "postgres" {
				db = []string{"--db", storetest.PostgresDSN(t)}
			}
			archiveDir := filepath.Join(dir, "archive")
			// A copy of the pull folder with the file's record changed to
			// claim another ciphertext: refused, naming the file, and the
			// collection gets nothing.
			forged := filepath.Join(dir, "forged")
			copyDir(t, out, forged)
			rel, _ := filepath.Rel(out, reportFile)
			fake := file
			fake.CiphertextSHA256 = strings.Repeat("0", 64)
			b, _ := json.Marshal(fake)
			os.WriteFile(filepath.Join(forged, rel)+api.SidecarSuffix, b, 0o600)
			_, stderr, exit := archiveRun(t, slices.Concat([]string{"archive", "ingest", "--data", archiveDir, "--no-ocr", "--collection", "forged",
				"--from-workstation", forged, "--workstation-state", state}, db)...)
			if exit == 0 || !strings.Contains(stderr, filepath.ToSlash(rel)+api.SidecarSuffix) || !strings.Contains(stderr, "the record was changed") {
				t.Fatalf("forged record: exit %d, %s", exit, stderr)
			}

			run(t, slices.Concat([]string{"archive", "ingest", "--data", archiveDir, "--no-ocr", "--collection", "inbox",
				"--from-workstation", out, "--workstation-state", state}, db)...)
			h := archiveSearch(t, archiveDir, db, "заседания")
			if len(h.Hits) != 1 || h.Hits[0].Collection != "inbox" {
				t.Fatalf("search: %+v", h)
			}
			var cu struct {
				Original string
				Events   []struct {
					Who    string
					Origin struct {
						From    string
						Sidecar api.Sidecar
					}
				}
			}
			js := run(t, slices.Concat([]string{"archive", "custody", "--data", archiveDir, "--json"}, db, []string{h.Hits[0].ID})...)
			if err := json.Unmarshal([]byte(js), &cu); err != nil || len(cu.Events) == 0 {
				t.Fatalf("custody: %v %s", err, js)
			}
			// The chain: the archive's original is the file the record
			// names, which is the plaintext of the newsroom's ciphertext.
			if got := cu.Events[0].Origin; got.From != "workstation pull" || got.Sidecar != file || cu.Original != file.FileSHA256 {
				t.Fatalf("custody original %s, origin %+v, want the pull's record %+v", cu.Original, got, file)
			}
			text := run(t, slices.Concat([]string{"archive", "custody", "--data", archiveDir}, db, []string{h.Hits[0].ID})...)
			for _, want := range []string{file.Item, file.Submission, file.CiphertextSHA256} {
				if !strings.Contains(text, want) {
					t.Errorf("archive custody does not show %s:\n%s", want, text)
				}
			}
			// The forged run queued nothing.
			if st := run(t, slices.Concat([]string{"archive", "status", "--data", archiveDir, "--json"}, db)...); strings.Contains(st, `"forged"`) {
				t.Fatalf("the forged collection holds something: %s", st)
			}
		})
	}
}
