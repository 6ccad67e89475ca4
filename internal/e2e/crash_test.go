package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test reads and locks the database as another program would
	_ "modernc.org/sqlite"

	"confide/internal/testwait"
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

			codeFile, earlier, before := n.submitEarlier(t, base, "EARLIER-SUBMISSION-KEPT-9931")

			// A browser-style upload that is cut off by a crash: a marker
			// repeated through a body that never finishes.
			c, token := webSource(t, base)
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
			mw.WriteField("csrf", token)
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
			n.mustRead(t, after[0], "EARLIER-SUBMISSION-KEPT-9931")
			// The source of the interrupted upload can log in and find nothing
			// half-sent; the earlier source can still submit.
			run(t, "source", "submit", "--dropbox", srv2.urls["dropbox"], "--codename-file", codeFile, "--message-file", earlier)
			if len(blobs(t, n.data)) != 2 {
				t.Fatal("the server does not accept submissions after the crash")
			}
		})
	}
}

// submitEarlier sends one file through the command-line client before a
// crash. It returns the codename file, the file sent, and the one blob that
// exists then.
func (n *newsroom) submitEarlier(t testing.TB, dropbox, text string) (codeFile, file string, before []string) {
	t.Helper()
	dir := t.TempDir()
	codeFile, file = filepath.Join(dir, "codename"), filepath.Join(dir, "earlier.txt")
	os.WriteFile(file, []byte(text), 0o600)
	run(t, "source", "submit", "--dropbox", dropbox, "--codename-out", codeFile, file)
	before = blobs(t, n.data)
	if len(before) != 1 {
		t.Fatalf("%d blobs before the crash", len(before))
	}
	return codeFile, file, before
}

// mustRead checks that the stock age CLI recovers blob as want.
func (n *newsroom) mustRead(t testing.TB, blob, want string) {
	t.Helper()
	if got := n.ageRecover(t, blob); string(got) != want {
		t.Fatalf("%s reads %q, want %q", blob, got, want)
	}
}

// webSource is a new source in a browser-like client, signed in; it returns
// the client and the inbox's CSRF token.
func webSource(t testing.TB, base string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	page := get(t, c, base+"/new")
	codename := regexp.MustCompile(`name="codename" value="([^"]+)"`).FindStringSubmatch(page)[1]
	inbox := post(t, c, base+"/new", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "codename": {codename}})
	return c, csrf.FindStringSubmatch(inbox)[1]
}

// openDB opens the newsroom's database from the test, as a second program
// on the machine would.
func (n *newsroom) openDB(t testing.TB) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", n.db
	if n.db == "" {
		driver, dsn = "sqlite", "file:"+filepath.Join(n.data, "confide.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdWrites takes the database's write lock (SQLite) or the items table's
// (PostgreSQL, EXCLUSIVE: reads go on, writes wait), so that the server's
// next insert or delete waits for release: a slow database, on demand. That
// is how the tests stop the server at an exact point without a test hook.
func (n *newsroom) holdWrites(t testing.TB, db *sql.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"BEGIN IMMEDIATE"}
	if n.db != "" {
		stmts = []string{"BEGIN", "LOCK TABLE items IN EXCLUSIVE MODE"}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() {
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
	}
}

func (n *newsroom) count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var c int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func entries(dir string) int {
	ents, _ := os.ReadDir(dir)
	return len(ents)
}

// TestCrashBetweenBlobAndRow kills the server after a submission's blobs
// are committed (renamed into place) and before the transaction that adds
// their rows: the test holds the database's write lock, so the server waits
// exactly there. After a restart nothing half-sent is visible, the orphans
// are swept at once (their commit died with its process), and nothing
// committed earlier is lost.
func TestCrashBetweenBlobAndRow(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			base := srv.urls["dropbox"]
			_, _, before := n.submitEarlier(t, base, "EARLIER-SUBMISSION-KEPT-5120")
			db := n.openDB(t)
			items := n.count(t, db, "items")

			c, token := webSource(t, base)
			ct, body := multipartBody(token, "ORPHAN-MESSAGE-PLAINTEXT-3301", "orphan-name.pdf", bytes.Repeat([]byte("ORPHAN-FILE-PLAINTEXT "), 20000))
			release := n.holdWrites(t, db)
			done := make(chan struct{})
			go func() {
				defer close(done)
				req, _ := http.NewRequest("POST", base+"/submit", body)
				req.Header.Set("Content-Type", ct)
				if resp, err := c.Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			pending := filepath.Join(n.data, "blobs", "pending")
			testwait.For(t, "both blobs are committed and pending", func() bool {
				return len(blobs(t, n.data)) == len(before)+2 && entries(pending) == 2
			})
			srv.kill()
			release()
			<-done
			if got := n.count(t, db, "items"); got != items {
				t.Fatalf("%d items after the crash, %d before: part of the submission landed", got, items)
			}
			scanDataFolder(t, n, [][]byte{[]byte("ORPHAN-MESSAGE-PLAINTEXT"), []byte("ORPHAN-FILE-PLAINTEXT"), []byte("orphan-name")})

			srv2 := n.start(t)
			after := blobs(t, n.data)
			if len(after) != len(before) || after[0] != before[0] {
				t.Fatalf("blobs before %v, after the restart %v: the orphans were not swept", before, after)
			}
			if entries(pending) != 0 {
				t.Fatal("pending markers survived the sweep")
			}
			n.mustRead(t, after[0], "EARLIER-SUBMISSION-KEPT-5120")
			c2, token2 := webSource(t, srv2.urls["dropbox"])
			ct, body = multipartBody(token2, "after the crash", "", nil)
			req, _ := http.NewRequest("POST", srv2.urls["dropbox"]+"/submit", body)
			req.Header.Set("Content-Type", ct)
			resp, err := c2.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if n.count(t, db, "items") != items+1 || len(blobs(t, n.data)) != len(before)+1 {
				t.Fatal("the server does not take submissions after the crash")
			}
		})
	}
}

// multipartBody is a submission form: CSRF token first, as the page sends it.
func multipartBody(token, message, fileName string, file []byte) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	mw.WriteField("message", message)
	if fileName != "" {
		w, _ := mw.CreateFormFile("files", fileName)
		w.Write(file)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
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

// TestCrashDuringDeletion kills the server in the middle of a deletion:
// after the rows are gone and before the files are (deletion goes rows
// first). The source's ciphertext files are made immutable (chattr +i), so
// the server's removals fail and it stays exactly at that point, which a
// kill there would leave; then it is killed. After a restart the sweep
// removes the files no row names, and the other source loses nothing.
func TestCrashDuringDeletion(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chattr +i needs root (scripts/test.sh runs the suite as root)")
	}
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			dir := t.TempDir()
			doomed, kept := filepath.Join(dir, "doomed.txt"), filepath.Join(dir, "kept.txt")
			os.WriteFile(doomed, []byte("DOOMED-SOURCE-FILE-2217"), 0o600)
			os.WriteFile(kept, []byte("KEPT-SOURCE-FILE-8840"), 0o600)
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--message-file", doomed, doomed)
			doomedBlobs := blobs(t, n.data)
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], kept)
			var keptBlob string
			for _, b := range blobs(t, n.data) {
				if !slices.Contains(doomedBlobs, b) {
					keptBlob = b
				}
			}
			srv.stop()

			// The doomed source was last active 100 days ago.
			db := n.openDB(t)
			var doomedID string
			name := strings.TrimSuffix(filepath.Base(doomedBlobs[0]), ".age")
			if err := db.QueryRow("SELECT source_id FROM items WHERE blob = '" + name + "'").Scan(&doomedID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec("UPDATE sources SET active_day = active_day - 100 WHERE id = '" + doomedID + "'"); err != nil {
				t.Fatal(err)
			}
			if n.db != "" {
				// First inside the deletion's transaction: PostgreSQL shows
				// the server's DELETE waiting on the test's lock. After the
				// kill the transaction is undone whole. (SQLite shows no
				// waiting writer to another process, so this step is
				// PostgreSQL's only.)
				release := n.holdWrites(t, db)
				srv = n.start(t, "--retention-days", "30")
				testwait.For(t, "the deletion waits inside its transaction", func() bool {
					var waiting int
					db.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM items%'`).Scan(&waiting)
					return waiting > 0
				})
				srv.kill()
				release()
				var rows int
				db.QueryRow("SELECT COUNT(*) FROM items WHERE source_id = '" + doomedID + "'").Scan(&rows)
				if rows != len(doomedBlobs) || n.count(t, db, "tombstones") != 0 || len(blobs(t, n.data)) != 3 {
					t.Fatalf("a deletion killed mid-transaction left %d of %d rows, %d tombstones, %d files", rows, len(doomedBlobs), n.count(t, db, "tombstones"), len(blobs(t, n.data)))
				}
			}
			for _, b := range doomedBlobs {
				if out, err := exec.Command("chattr", "+i", b).CombinedOutput(); err != nil {
					t.Skipf("chattr +i %s: %v %s (the temp folder's filesystem has no immutable flag)", b, err, out)
				}
				t.Cleanup(func() { exec.Command("chattr", "-i", b).Run() })
			}

			srv = n.start(t, "--retention-days", "30")
			testwait.For(t, "retention has deleted the rows and failed on the files", func() bool {
				return strings.Contains(srv.stderr.String(), "newsroom: retention")
			})
			srv.kill()
			for _, b := range doomedBlobs {
				exec.Command("chattr", "-i", b).Run()
			}
			var left int
			db.QueryRow("SELECT COUNT(*) FROM items WHERE source_id = '" + doomedID + "'").Scan(&left)
			if left != 0 || len(blobs(t, n.data)) != 3 {
				t.Fatalf("the kill did not land between rows and files: %d rows, %d files", left, len(blobs(t, n.data)))
			}

			srv = n.start(t)
			after := blobs(t, n.data)
			if len(after) != 1 || after[0] != keptBlob {
				t.Fatalf("after the restart the blobs are %v; want only %s", after, keptBlob)
			}
			n.mustRead(t, keptBlob, "KEPT-SOURCE-FILE-8840")
			if n.count(t, db, "tombstones") != len(doomedBlobs) {
				t.Fatal("workstations are not told of the deletion")
			}
		})
	}
}

// TestCrashMidChunkedUpload kills the server while `confide source submit`
// is sending a file in chunks through the API, between two PATCH requests
// or in one. The upload's age stream lived in the server's memory, so it
// is gone; its ciphertext in tmp/ goes at restart, nothing of it is
// visible, and sending again works. The file sent again is checked with
// the stock age CLI, byte for byte.
func TestCrashMidChunkedUpload(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			codeFile, _, before := n.submitEarlier(t, srv.urls["dropbox"], "EARLIER-SUBMISSION-KEPT-7004")
			dir := filepath.Dir(codeFile)
			db := n.openDB(t)
			items := n.count(t, db, "items")

			big := filepath.Join(dir, "archive.bin")
			content := bytes.Repeat([]byte("CHUNKED-UPLOAD-PLAINTEXT-6150 "), 1<<20) // 30 MiB
			os.WriteFile(big, content, 0o600)
			cmd := exec.Command(binary, "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-file", codeFile, "--chunk-size", "65536", big)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(n.data, "blobs", "tmp")
			testwait.For(t, "a few chunks have reached the server", func() bool {
				ents, _ := os.ReadDir(tmp)
				for _, e := range ents {
					if info, err := e.Info(); err == nil && info.Size() > 2<<20 {
						return true
					}
				}
				return false
			})
			srv.kill()
			cmd.Process.Kill()
			cmd.Wait()
			if entries(tmp) == 0 {
				t.Fatal("no partial upload existed at the crash: the test did not test anything")
			}
			scanDataFolder(t, n, [][]byte{[]byte("CHUNKED-UPLOAD-PLAINTEXT"), []byte("archive.bin")})

			srv = n.start(t)
			if entries(tmp) != 0 {
				t.Fatal("the interrupted upload's ciphertext survived the restart")
			}
			if got := blobs(t, n.data); len(got) != len(before) || n.count(t, db, "items") != items {
				t.Fatalf("after the restart: %d blobs, %d items; before: %d, %d", len(got), n.count(t, db, "items"), len(before), items)
			}
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-file", codeFile, "--chunk-size", "1048576", big)
			var sent string
			for _, b := range blobs(t, n.data) {
				if !slices.Contains(before, b) {
					sent = b
				}
			}
			if sent == "" || !bytes.Equal(n.ageRecover(t, sent), content) {
				t.Fatal("the file sent again does not decrypt to what was sent")
			}
			n.mustRead(t, before[0], "EARLIER-SUBMISSION-KEPT-7004")
		})
	}
}
