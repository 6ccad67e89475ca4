package e2e

import (
	"bytes"
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
	"strings"
	"testing"
	"time"
)

// metadataNeedles are what must never be stored: client addresses (direct
// or forwarded) and user agents.
var metadataNeedles = [][]byte{
	[]byte("127.0.0.1"), []byte("203.0.113.77"), []byte("ConfideScan/7.7"), []byte("HeadlessChrome"), []byte("Mozilla/5.0"),
}

// scanDataFolder reads every byte Confide stored, as a seizure would, and
// fails on any needle: the data folder (whose files must also be 0600, the
// demo archive's immutable originals and redacted copies 0400, and folders
// 0700), the server's
// TMPDIR, and on PostgreSQL a full dump of the database and the database's
// own files in the cluster.
func scanDataFolder(t testing.TB, n *newsroom, secrets [][]byte) {
	t.Helper()
	needles := append(append([][]byte{}, secrets...), metadataNeedles...)
	check := func(where string, b []byte, needles [][]byte) {
		for _, nd := range needles {
			if len(nd) > 0 && bytes.Contains(b, nd) {
				t.Errorf("%s contains %q", where, nd)
			}
		}
	}
	files := 0
	filepath.WalkDir(n.data, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		rel, _ := filepath.Rel(n.data, p)
		for _, dir := range []string{"originals", "redacted"} {
			if strings.HasPrefix(rel, filepath.Join("archive", dir)+string(filepath.Separator)) {
				want = 0o400 // the demo archive's originals and redacted copies are immutable
			}
		}
		if d.IsDir() {
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("folder %s is %v, want drwx------", p, fi.Mode().Perm())
			}
			return nil
		} else if fi.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, fi.Mode().Perm(), want)
		}
		if n.db == "" && strings.HasSuffix(p, filepath.Join("demo", "journalist-key.txt")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files++
		check(p, b, needles)
		return nil
	})
	if files == 0 {
		t.Fatal("scanned no files")
	}
	// A spool file in TMPDIR is as seizable as one in the data folder.
	filepath.WalkDir(serverTmp(n.data), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		check("the server's TMPDIR: "+p, b, needles)
		return nil
	})
	if n.db != "" {
		dump, err := exec.Command("pg_dump", "--data-only", "--dbname="+n.db).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if !bytes.Contains(dump, []byte("COPY public.items")) {
			t.Fatal("the dump does not look like Confide's database")
		}
		check("the PostgreSQL dump", dump, needles)
		// The dump shows live rows only; the files hold dead ones too.
		for name, b := range clusterFiles(t, n.db) {
			check("PostgreSQL file "+name, b, needles)
		}
		// Not the WAL: it is the whole cluster's, and other tests (other
		// packages' too, at the same time) write their own markers there.
		// Whatever reached this database's rows is in its files above,
		// dead rows included.
	}
}

// pgDirs checkpoints, so that what is in shared memory is on disk, and
// returns the cluster's WAL folder and the folder of the database's own
// files (base/<OID>), found through pg_relation_filepath.
func pgDirs(t testing.TB, dsn string) (wal, files string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	var dataDir, rel string
	if err := db.QueryRow(`SELECT current_setting('data_directory'), pg_relation_filepath('sources')`).Scan(&dataDir, &rel); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dataDir, "pg_wal"), filepath.Join(dataDir, filepath.Dir(rel))
}

// readDir reads every file of a folder (not below it) by name.
func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading the cluster's files (the tests run as root in CI): %v", err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if os.IsNotExist(err) {
			continue // dropped since the listing
		}
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// clusterFiles reads every file of the database in the cluster: tables,
// indexes, catalogs.
func clusterFiles(t testing.TB, dsn string) map[string][]byte {
	t.Helper()
	_, dir := pgDirs(t, dsn)
	files := readDir(t, dir)
	if len(files) < 10 {
		t.Fatalf("only %d files in %s", len(files), dir)
	}
	return files
}

// walFiles reads the cluster's WAL segments.
func walFiles(t testing.TB, dsn string) map[string][]byte {
	t.Helper()
	dir, _ := pgDirs(t, dsn)
	return readDir(t, dir)
}

// scanLog reads everything the server printed and fails on any needle, and
// on any client address: the only 127.0.0.1 allowed is a listener's own
// address or the database's, in the startup lines.
func scanLog(t testing.TB, srv *server, secrets [][]byte) {
	t.Helper()
	log := srv.stdout.String() + srv.stderr.String()
	if !strings.Contains(log, "ready") {
		t.Fatal("the captured log does not look like the server's")
	}
	hosts := []string{}
	for _, v := range append(mapValues(srv.urls), srv.db) {
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	for _, h := range hosts {
		log = strings.ReplaceAll(log, h, "LISTENER")
	}
	var found []string
	for _, nd := range append(append([][]byte{}, secrets...), metadataNeedles...) {
		if len(nd) > 0 && strings.Contains(log, string(nd)) {
			found = append(found, string(nd))
		}
	}
	if len(found) > 0 {
		t.Errorf("the server's log contains %q:\n%s", found, log)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// headers is a client transport that sends a forwarded address and a
// recognisable user agent with every request.
type headers struct{}

func (headers) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", "203.0.113.77")
	req.Header.Set("X-Real-IP", "203.0.113.77")
	req.Header.Set("Forwarded", "for=203.0.113.77")
	req.Header.Set("User-Agent", "ConfideScan/7.7")
	return http.DefaultTransport.RoundTrip(req)
}

// TestNoClientMetadataStored sends every kind of request with a forwarded
// address and a recognisable user agent: a source's, a journalist's
// replying to it, a reader's signing up. Then it scans what was stored and
// what the server printed.
func TestNoClientMetadataStored(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			// Links in the readers' mail name the public address, not the
			// listener's 127.0.0.1.
			srv := n.start(t, "--site-url", "https://news.example")
			base := srv.urls["dropbox"]
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Transport: headers{}}
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
			dropboxGet := func(p string) string { r, _ := http.NewRequest("GET", base+p, nil); return send(r) }
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
			page := dropboxGet("/new")
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
			dropboxGet("/?lang=ru")

			// A journalist replies from the web inbox.
			news := srv.urls["newsroom"]
			web := webJournalist(t, news, n, headers{})
			srcPath := regexp.MustCompile(`href="(/sources/[0-9a-f]+)"`).FindStringSubmatch(get(t, web, news+"/"))[1]
			page = get(t, web, news+srcPath)
			post(t, web, news+srcPath+"/replies", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "reply": {"newsroom scan reply 6630"}})
			// The inbox lists the newest first: the command-line source's.
			if out := run(t, "source", "replies", "--dropbox", base, "--codename-file", codeFile); !strings.Contains(out, "newsroom scan reply 6630") {
				t.Fatalf("the source does not read the reply: %q", out)
			}

			// A reader signs up, confirms by the mailed link and signs in.
			site := srv.urls["site"]
			rjar, _ := cookiejar.New(nil)
			reader := &http.Client{Jar: rjar, Transport: headers{}}
			reg := get(t, reader, site+"/register")
			post(t, reader, site+"/register", url.Values{"csrf": {csrf.FindStringSubmatch(reg)[1]}, "email": {"scan-reader@example.org"},
				"name": {"Scan Reader"}, "passphrase": {"reader scan passphrase 8812"}})
			var link string
			outbox, _ := os.ReadDir(filepath.Join(n.data, "outbox"))
			for _, e := range outbox {
				b, _ := os.ReadFile(filepath.Join(n.data, "outbox", e.Name()))
				if m := regexp.MustCompile(`/verify\?token=[A-Za-z0-9_-]+`).FindString(string(b)); m != "" {
					link = m
				}
			}
			if link == "" {
				t.Fatal("no verification link in the outbox")
			}
			get(t, reader, site+link)
			login := get(t, reader, site+"/login")
			if home := post(t, reader, site+"/login", url.Values{"csrf": {csrf.FindStringSubmatch(login)[1]}, "email": {"scan-reader@example.org"},
				"passphrase": {"reader scan passphrase 8812"}}); !strings.Contains(home, "Scan Reader") {
				t.Fatalf("the reader is not signed in: %s", home)
			}

			srv.stop()
			secrets := [][]byte{[]byte("metadata scan message"), []byte("scan-file-4417"), []byte("scan body 4417"),
				[]byte(codename), []byte("cli scan message"), bytes.TrimSpace(cliCodename), []byte("newsroom scan reply"),
				[]byte("reader scan passphrase")}
			scanDataFolder(t, n, secrets)
			scanLog(t, srv, secrets)
			if len(blobs(t, n.data)) != 4 {
				t.Fatalf("expected 4 ciphertext files, found %d", len(blobs(t, n.data)))
			}
		})
	}
}

// sourceRow reads the one source's identifying values straight from the
// database: what a deletion must erase.
func sourceRow(t testing.TB, n *newsroom) (id string, secrets [][]byte) {
	t.Helper()
	driver, dsn := "pgx", n.db
	if n.db == "" {
		driver, dsn = "sqlite", "file:"+filepath.Join(n.data, "confide.db")+"?mode=ro"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash []byte
	var recipient, designation string
	if err := db.QueryRow(`SELECT id, login_hash, recipient, designation FROM sources`).Scan(&id, &hash, &recipient, &designation); err != nil {
		t.Fatal(err)
	}
	return id, [][]byte{hash, []byte(recipient), []byte(designation), []byte(id)}
}

// dbFiles reads what holds the rows: on SQLite the database file and its
// WAL, on PostgreSQL the database's files in the cluster (not the WAL,
// which keeps every change until it is recycled: docs/USAGE.md).
func dbFiles(t testing.TB, n *newsroom) map[string][]byte {
	t.Helper()
	if n.db != "" {
		return clusterFiles(t, n.db)
	}
	out := map[string][]byte{}
	for _, name := range []string{"confide.db", "confide.db-wal", "confide.db-shm"} {
		if b, err := os.ReadFile(filepath.Join(n.data, name)); err == nil {
			out[name] = b
		}
	}
	return out
}

// holding lists the needles found in files, with where.
func holding(files map[string][]byte, needles [][]byte) []string {
	var out []string
	for _, nd := range needles {
		for name, b := range files {
			if bytes.Contains(b, nd) {
				out = append(out, fmt.Sprintf("%q in %s", nd, name))
			}
		}
	}
	return out
}

// TestDeletedSourceErased deletes a source that submitted and got a reply,
// and scans the running server's database files as a seizure would: the
// login hash, recipient, designation and ID must be nowhere, not merely
// unlinked from a table. Before the deletion the same scan must find them.
func TestDeletedSourceErased(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			srv := n.start(t)
			dir := t.TempDir()
			msg := filepath.Join(dir, "msg")
			os.WriteFile(msg, []byte("a message from a source who will be deleted"), 0o600)
			run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", filepath.Join(dir, "codename"), "--message-file", msg)
			id, secrets := sourceRow(t, n)
			news := srv.urls["newsroom"]
			web := webJournalist(t, news, n)
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
			page := get(t, web, news+"/sources/"+id)
			post(t, web, news+"/sources/"+id+"/replies", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "reply": {"a reply before deletion"}})
			if left := holding(dbFiles(t, n), secrets); len(left) < len(secrets) {
				t.Fatalf("before the deletion the scan finds only %v: it reads the wrong files", left)
			}

			page = get(t, web, news+"/sources/"+id)
			post(t, web, news+"/sources/"+id+"/delete", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "confirm": {"yes"}})
			if len(blobs(t, n.data)) != 0 {
				t.Fatalf("%d ciphertext files left", len(blobs(t, n.data)))
			}
			// The store erases in the background, a second after a deletion
			// and again ten seconds later.
			left := holding(dbFiles(t, n), secrets)
			for deadline := time.Now().Add(30 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
				time.Sleep(200 * time.Millisecond)
				left = holding(dbFiles(t, n), secrets)
			}
			if len(left) > 0 {
				t.Fatalf("30 s after the deletion, on the running server: %v", left)
			}
			srv.stop()
			if left := holding(dbFiles(t, n), secrets); len(left) > 0 {
				t.Fatalf("after the server stopped: %v", left)
			}
			scanLog(t, srv, secrets)
			if n.db == "" {
				scanDataFolder(t, n, secrets)
				return
			}
			// What docs/USAGE.md says remains: not asserted, since it lasts
			// only until PostgreSQL recycles the segments.
			t.Logf("the WAL still holds %d of the deleted source's values", len(holding(walFiles(t, n.db), secrets)))
		})
	}
}
