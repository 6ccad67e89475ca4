package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/archive"
	"confide/internal/auth"
	"confide/internal/auth/authtest"
	"confide/internal/pdftest"
	"confide/internal/redact"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/translate"
	"confide/internal/translate/translatetest"

	"filippo.io/age"
)

// liveArchive is an archive with a row in every table, its originals and a
// file of its own (an onion key).
type liveArchive struct {
	c archive.Config
	a *archive.Archive // open whole: it holds the SQLite folder's lock
}

func newArchiveConfig(t *testing.T, backend string) archive.Config {
	c := archive.Config{Dir: filepath.Join(t.TempDir(), "archive"), NoOCR: true, Who: "ann"}
	if backend == "postgres" {
		c.DSN = storetest.PostgresDSN(t)
	}
	return c
}

func openArchive(t *testing.T, c archive.Config) *archive.Archive {
	t.Helper()
	a, err := archive.Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// ingest queues files (path in the collection → text) and processes them.
func ingest(t *testing.T, a *archive.Archive, collection string, files map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := a.SetCollection(ctx, collection, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var items []archive.Item
	for p, text := range files {
		f := filepath.Join(dir, filepath.FromSlash(p))
		write(t, f, text)
		items = append(items, archive.Item{File: f, Path: p})
	}
	if _, err := a.Enqueue(ctx, collection, items, func(archive.QueueNote) {}); err != nil {
		t.Fatal(err)
	}
	if err := a.Work(ctx, archive.WorkOptions{Collection: collection, Workers: 2, UntilEmpty: true}); err != nil {
		t.Fatal(err)
	}
}

func newLiveArchive(t *testing.T, backend string) *liveArchive {
	t.Helper()
	ctx := context.Background()
	l := &liveArchive{c: newArchiveConfig(t, backend)}
	l.a = openArchive(t, l.c)
	ingest(t, l.a, "kgb", map[string]string{
		"kgb/a.txt":         "Государственные архивы хранят документы о деле номер семь.",
		"kgb/copy/a.txt":    "Государственные архивы хранят документы о деле номер семь.",
		"kgb/letter.txt":    "Справка из архива: river money went to the port.",
		"kgb/empty.txt":     "",
		"kgb/not-text.bin":  "\x00\x01\x02\x03binary\xff\xfe",
		"kgb/1989/note.txt": "Протокол допроса. Свидетель Иванов молчал.",
	})
	ingest(t, l.a, "gulag", map[string]string{"gulag/list.txt": "Список лагерей и архивы Караганды."})
	id := archive.DocID("kgb", "kgb/letter.txt")
	if _, err := l.a.AddTranslation(ctx, id, 1, "en", "Certificate from the archive: the river money went to the harbour.", "machine: apertium 3.8.3", true, archive.Draft); err != nil {
		t.Fatal(err)
	}
	if _, err := l.a.AddTranslation(ctx, id, 1, "en", "A certificate from the archive: the river money went to the harbour.", "user: ann", false, archive.Reviewed); err != nil {
		t.Fatal(err)
	}
	if err := l.a.IndexTranslations(ctx, []string{id}, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.a.AddUser(ctx, "Archive", "tanya", archive.RoleTranslator, []string{"kgb"}, authtest.Params); err != nil {
		t.Fatal(err)
	}
	acc := l.a.Accounts()
	tanya, err := acc.AccountByName(ctx, "tanya")
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.CreateSession(ctx, auth.Session{TokenHash: []byte("token-hash"), AccountID: tanya.ID, Kind: "full", Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := acc.AddSecurityKey(ctx, tanya.ID, "credential-id", `{"key":"…"}`); err != nil {
		t.Fatal(err)
	}
	if err := l.a.Audit(ctx, "tanya", "search", "архивы"); err != nil {
		t.Fatal(err)
	}
	// The web zone's work: a review, a note with a reply, a tag, a
	// finished machine translation of a collection, a draft's marks, a
	// verified redacted copy of a PDF and an export bundle of it.
	if err := l.a.ReviewTranslation(ctx, id, 1, "en", 2, "tanya"); err != nil {
		t.Fatal(err)
	}
	n, err := l.a.AddNote(ctx, id, 1, "went to the port", 0, "Which port? Check the ledger.", "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.a.AddReply(ctx, n.ID, "The Neva, says the harbourmaster.", "tanya"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.a.AddTag(ctx, id, "port money"); err != nil {
		t.Fatal(err)
	}
	ann := translateCollection(t, l.a, "gulag")
	redactPDF(t, l.a, ann)
	write(t, filepath.Join(l.c.Dir, "tor", "archive", "hs_ed25519_secret_key"), "archive onion key")
	// Tor's own state and torrc are made again at start, not carried.
	write(t, filepath.Join(l.c.Dir, "tor", "state", "cached-microdesc-consensus"), "tor state")
	write(t, filepath.Join(l.c.Dir, "tor", "torrc"), "DataDirectory …")
	return l
}

// translateCollection signs a journalist in to the archive's web zone and
// has it machine-translate a collection into English with a LibreTranslate
// stand-in, until the batch is done; it returns the journalist's account.
func translateCollection(t *testing.T, a *archive.Archive, collection string) auth.Account {
	t.Helper()
	ctx := context.Background()
	libre := translatetest.Libre(map[string]string{"список": "list", "лагерей": "of camps", "и": "and", "архивы": "archives", "караганды": "of Karaganda"}, "")
	defer libre.Close()
	eng, err := translate.NewLibre(ctx, libre.URL, translate.LibreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := archive.NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), archive.ServerConfig{Params: authtest.Params, Engines: []translate.Engine{eng}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	creds, err := a.AddUser(ctx, archive.Issuer, "ann", archive.RoleJournalist, []string{collection}, authtest.Params)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(p string) string {
		res, err := c.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	post := func(p, page string, form url.Values) string {
		if m := csrf.FindStringSubmatch(page); m != nil {
			form.Set("csrf", m[1])
		}
		res, err := c.PostForm(ts.URL+p, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", p, res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	post("/login", get("/login"), url.Values{"name": {"ann"}, "passphrase": {creds.Passphrase}})
	page := get("/setup")
	secret := regexp.MustCompile(`<code id="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if secret == nil {
		t.Fatalf("setup page: %s", page)
	}
	code, err := seal.TOTPCode(secret[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	post("/setup", page, url.Values{"code": {code}})
	post("/collections/"+collection+"/translate", get("/collections/"+collection), url.Values{"engine": {eng.Name()}, "lang": {"en"}})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var state string
		a.DumpSchema().DB.QueryRow(`SELECT state FROM archive_translate_jobs WHERE collection = '` + collection + `'`).Scan(&state)
		if state == archive.BatchDone {
			break
		}
		if state != archive.BatchRunning || time.Now().After(deadline) {
			t.Fatalf("the batch is %q", state)
		}
	}
	acc, err := a.Accounts().AccountByName(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// protocolPDF is a one-page PDF with a text layer naming a witness.
func protocolPDF() []byte {
	content := "BT /F1 24 Tf 40 320 Td (Protocol of the commission) Tj 0 -48 Td (All were present but Sidorov.) Tj ET"
	return pdftest.File([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 400] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}, "")
}

// redactPDF ingests protocolPDF into "kgb", leaves a draft of who's marks
// on it, makes a verified redacted copy without the witness's name and
// exports a bundle of it.
func redactPDF(t *testing.T, a *archive.Archive, who auth.Account) {
	t.Helper()
	for _, p := range []string{"pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "pdfseparate", "pdfunite", "tesseract", "mat2"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	ctx := context.Background()
	f := filepath.Join(t.TempDir(), "protocol.pdf")
	if err := os.WriteFile(f, protocolPDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Enqueue(ctx, "kgb", []archive.Item{{File: f, Path: "kgb/protocol.pdf"}}, func(archive.QueueNote) {}); err != nil {
		t.Fatal(err)
	}
	if err := a.Work(ctx, archive.WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
		t.Fatal(err)
	}
	pdf := archive.DocID("kgb", "kgb/protocol.pdf")
	marks := archive.Marks{Terms: []string{"Sidorov"}}
	if err := a.SaveDraft(ctx, pdf, who.ID, marks); err != nil {
		t.Fatal(err)
	}
	rid, err := a.BeginRedaction(ctx, pdf, who.Name, marks)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := a.RunRedaction(ctx, rid, redact.Redact); err != nil || !r.Verified() {
		t.Fatalf("the redacted copy: %+v %v", r, err)
	}
	if _, err := a.Export(ctx, archive.ExportRequest{DocID: pdf, RedactionID: rid, Who: who.Name}, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// rowsOnly opens the archive beside its running self, as archive backup does.
func (l *liveArchive) rowsOnly(t *testing.T) *archive.Archive {
	c := l.c
	c.RowsOnly = true
	return openArchive(t, c)
}

func backupArchive(t *testing.T, l *liveArchive, id *age.X25519Identity) (string, Manifest) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "archive.age")
	m, err := WriteArchiveFile(context.Background(), file, ArchiveSource{Archive: l.rowsOnly(t), Data: l.c.Dir}, []age.Recipient{id.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	return file, m
}

// archiveTarget is an empty restore target on a backend.
type archiveTarget struct {
	ArchiveTarget
}

func newArchiveTarget(t *testing.T, backend string) archiveTarget {
	tg := archiveTarget{ArchiveTarget{Data: filepath.Join(t.TempDir(), "restored")}}
	if backend == "postgres" {
		tg.DSN = storetest.PostgresDSN(t)
	}
	return tg
}

func (tg archiveTarget) restore(t *testing.T, file string, id age.Identity) (Manifest, int, error) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return RestoreArchive(context.Background(), f, []age.Identity{id}, tg.ArchiveTarget)
}

func (tg archiveTarget) open(t *testing.T) *archive.Archive {
	return openArchive(t, archive.Config{Dir: tg.Data, DSN: tg.DSN, NoOCR: true, Who: "ann"})
}

// untouched checks a refused restore left nothing: no folder, no temp
// folder beside it, no row in any table (the search engine's included).
func (tg archiveTarget) untouched(t *testing.T) {
	t.Helper()
	if entries, _ := os.ReadDir(tg.Data); len(entries) > 0 {
		t.Errorf("the target folder has %d entries", len(entries))
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(tg.Data), ".restored.restore-*")); len(left) > 0 {
		t.Errorf("a restore folder was left: %v", left)
	}
	if tg.DSN == "" {
		return
	}
	a := openArchive(t, archive.Config{Dir: t.TempDir(), DSN: tg.DSN, RowsOnly: true})
	for name, rows := range storetest.DumpSchema(t, a.DumpSchema()) {
		if len(rows) > 0 {
			t.Errorf("table %s has %d rows after a refused restore", name, len(rows))
		}
	}
	// A refused restore may have made the search table, never filled it.
	var exists bool
	a.DumpSchema().DB.QueryRow(`SELECT to_regclass('archive_search') IS NOT NULL`).Scan(&exists)
	var n int
	if exists {
		if err := a.DumpSchema().DB.QueryRow(`SELECT COUNT(*) FROM archive_search`).Scan(&n); err != nil || n > 0 {
			t.Errorf("the search table has %d rows after a refused restore (%v)", n, err)
		}
	}
}

// archiveTables lists the archive_* tables of a database from its own
// catalogue, not through the dump's code.
func archiveTables(t *testing.T, a *archive.Archive) []string {
	t.Helper()
	sc := a.DumpSchema()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'archive\_%' ESCAPE '\' ORDER BY name`
	if sc.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'archive\_%' ORDER BY table_name`
	}
	rows, err := sc.DB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		// The search index is rebuilt, and export jobs (whose bundles live
		// in a process's temporary folder) are not carried.
		if n != "archive_schema" && n != "archive_search" && n != "archive_export_jobs" {
			out = append(out, n)
		}
	}
	return out
}

// searchHit is what a search answers, but the score and snippets, which
// the two engines compute differently.
type searchHit struct {
	ID, Collection, Path, Language, Matched string
	Page                                    int
}

// searches runs the same queries on an archive: what a restore must answer
// as the original did.
func searches(t *testing.T, a *archive.Archive) map[string][]searchHit {
	t.Helper()
	out := map[string][]searchHit{}
	for _, q := range []string{"архивы", "архив", "river money", `"river money"`, "harbour", "Иванов", "документы -Караганды", "семь OR лагерей", "допрос*",
		"ledger", "harbourmaster", "tag:port-money", "Karaganda", "commission"} {
		for _, coll := range []string{"", "kgb"} {
			res, err := a.Search(context.Background(), q, coll, 100)
			if err != nil {
				t.Fatal(err)
			}
			var hits []searchHit
			for _, h := range res.Hits {
				hits = append(hits, searchHit{h.ID, h.Collection, h.Path, h.Language, h.Matched, h.Page})
			}
			slices.SortFunc(hits, func(a, b searchHit) int { return strings.Compare(a.ID+a.Matched, b.ID+b.Matched) })
			out[fmt.Sprintf("%s in %q: %d", q, coll, res.Total)] = hits
		}
	}
	return out
}

// TestArchiveRoundTrip backs up an archive on each backend while it is
// open, restores it on the other and checks every row of every table, each
// original, the archive's own files, and that search answers the same.
func TestArchiveRoundTrip(t *testing.T) {
	ctx := context.Background()
	storetest.AcrossBackends(t, func(t *testing.T, from, to string) {
		l := newLiveArchive(t, from)
		want := storetest.DumpSchema(t, l.a.DumpSchema())
		// Every archive_* table is dumped and newLiveArchive gives it
		// a row: a table a migration adds fails here until it does.
		tables := archiveTables(t, l.a)
		if len(tables) < 12 {
			t.Fatalf("only %d archive tables: %v", len(tables), tables)
		}
		for _, name := range tables {
			if len(want[name]) == 0 {
				t.Errorf("table %s has no rows after newLiveArchive, or is not dumped: add a row there", name)
			}
		}
		if len(want) != len(tables) {
			t.Errorf("the dump has %d tables, the database %d", len(want), len(tables))
		}
		before := searches(t, l.a)
		var translated bool
		for q, hits := range before {
			if strings.HasPrefix(q, "архивы") && len(hits) < 3 {
				t.Fatalf("the fixture's search finds %s %v", q, hits)
			}
			for _, h := range hits {
				translated = translated || h.Matched == "translation:en"
			}
		}
		if !translated {
			t.Fatalf("no search finds the translation: %v", before)
		}
		// A note's words and its reply's, the tag filter, the batch's
		// translation: each found before, so that the same answer after
		// the restore means something.
		for _, q := range []string{"ledger in \"\": 1", "harbourmaster in \"\": 1", "tag:port-money in \"\": 1", "Karaganda in \"\": 1", "commission in \"kgb\": 1"} {
			if len(before[q]) == 0 {
				t.Errorf("the fixture's search finds nothing for %s: %v", q, before)
			}
		}
		// The index holds each document with pages and each translated
		// document's translation.
		withPages := map[string]bool{}
		for _, row := range want["archive_pages"] {
			var p struct {
				DocID string `json:"doc_id"`
			}
			json.Unmarshal([]byte(row), &p)
			withPages[p.DocID] = true
		}
		id := key(t)
		inData := func() []string {
			var out []string
			filepath.WalkDir(l.c.Dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !strings.Contains(p, string(filepath.Separator)+"tmp"+string(filepath.Separator)) {
					out = append(out, p)
				}
				return nil
			})
			return out
		}
		had := inData()
		file, m := backupArchive(t, l, id)
		if m.Zone != ZoneArchive || m.Backend != from || m.Blobs != 7 || m.Redacted != 1 || m.Files != 1 || m.Rows("archive_translations") != 3 {
			t.Fatalf("manifest %+v", m)
		}
		// Encrypted all the way: no plaintext in the snapshot, and nothing
		// written beside it or in the data folder on the way.
		raw, _ := os.ReadFile(file)
		for _, plain := range []string{"Государственные", "river money", "harbour", "archive onion key", "archive_pages", "manifest.json"} {
			if bytes.Contains(raw, []byte(plain)) {
				t.Errorf("the snapshot holds %q in plaintext", plain)
			}
		}
		if beside, _ := os.ReadDir(filepath.Dir(file)); len(beside) != 1 {
			t.Errorf("the backup left %d files beside the snapshot", len(beside))
		}
		if now := inData(); !slices.Equal(now, had) {
			t.Errorf("the backup changed the data folder's files:\n%v\n%v", had, now)
		}
		names := checkArchiveEntries(t, file, id)
		for _, name := range names {
			for _, not := range []string{"index", "tmp/", "lock", archive.DBFile, "archive_search", "tor/state", "torrc"} {
				if strings.Contains(name, not) {
					t.Errorf("the snapshot carries %s", name)
				}
			}
		}

		tg := newArchiveTarget(t, to)
		got, indexed, err := tg.restore(t, file, id)
		if err != nil {
			t.Fatal(err)
		}
		// Each document with pages, each translated (document, language)
		// and each document with notes is a search document.
		translations, noted := map[string]bool{}, map[string]bool{}
		for _, row := range want["archive_translations"] {
			var tr struct{ DocID, Lang string }
			json.Unmarshal([]byte(strings.ReplaceAll(row, `"doc_id"`, `"docid"`)), &tr)
			translations[tr.DocID+"~"+tr.Lang] = true
		}
		for _, row := range want["archive_notes"] {
			var n struct {
				DocID string `json:"doc_id"`
			}
			json.Unmarshal([]byte(row), &n)
			noted[n.DocID] = true
		}
		if len(translations) != 2 || len(noted) != 1 {
			t.Fatalf("translations %v, notes on %v", translations, noted)
		}
		if got.Blobs != m.Blobs || got.Redacted != 1 || indexed != len(withPages)+len(translations)+len(noted) {
			t.Fatalf("restored %+v, %d indexed", got, indexed)
		}
		r := tg.open(t)
		// The restore adds its own line to the audit log, and the
		// backup its line after the instant it holds.
		restored := storetest.DumpSchema(t, r.DumpSchema())
		restores := 0
		restored["archive_audit"] = slices.DeleteFunc(restored["archive_audit"], func(row string) bool {
			if strings.Contains(row, `"action":"restore"`) && strings.Contains(row, "from a snapshot of "+m.Day+" ("+from) {
				restores++
				return true
			}
			return false
		})
		if restores != 1 {
			t.Errorf("the restored audit log has %d restore entries", restores)
		}
		log, err := l.a.AuditLog(ctx, 0, 1)
		if err != nil || len(log) != 1 || log[0].Action != "backup" || !strings.Contains(log[0].Detail, id.Recipient().String()) {
			t.Fatalf("the archive's audit log ends with %+v %v", log, err)
		}
		if !reflect.DeepEqual(restored, want) {
			t.Fatalf("restored restored differ:\n got %v\nwant %v", restored, want)
		}
		if got := searches(t, r); !reflect.DeepEqual(got, before) {
			t.Fatalf("search answers differently after the restore:\n got %v\nwant %v", got, before)
		}
		// Each original, the same bytes, read-only; no other.
		var sums []string
		filepath.WalkDir(filepath.Join(tg.Data, "originals"), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				b, _ := os.ReadFile(p)
				h := sha256.Sum256(b)
				if hex.EncodeToString(h[:]) != d.Name() {
					t.Errorf("original %s has other bytes", d.Name())
				}
				if orig, err := os.ReadFile(archive.OriginalFile(l.c.Dir, d.Name())); err != nil || !bytes.Equal(orig, b) {
					t.Errorf("original %s: %v", d.Name(), err)
				}
				if info, _ := d.Info(); info.Mode().Perm() != 0o400 {
					t.Errorf("original %s mode %v", d.Name(), info.Mode())
				}
				sums = append(sums, d.Name())
			}
			return nil
		})
		if len(sums) != m.Blobs {
			t.Fatalf("%d originals restored, want %d", len(sums), m.Blobs)
		}
		checkWebWork(t, l.a, r, tg.Data)
		if b, _ := os.ReadFile(filepath.Join(tg.Data, "tor", "archive", "hs_ed25519_secret_key")); string(b) != "archive onion key" {
			t.Fatalf("the archive's own file: %q", b)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(tg.Data), ".restored.restore-*")); len(left) > 0 {
			t.Errorf("a restore folder was left: %v", left)
		}
		// The restored archive takes new files, numbered past the old.
		ingest(t, r, "kgb", map[string]string{"kgb/new.txt": "Новые архивы после восстановления."})
		if res, err := r.Search(ctx, "восстановления", "", 10); err != nil || res.Total != 1 {
			t.Fatalf("a file ingested after the restore: %+v %v", res, err)
		}
	})
}

// checkWebWork checks that the web zone's work on the archive a works on
// its restored copy r (data folder dir): the redacted copy's file is there,
// read-only, and opens for export, the same bytes; the note is anchored
// with its reply; the review shows; the export is in custody.
func checkWebWork(t *testing.T, a, r *archive.Archive, dir string) {
	t.Helper()
	ctx := context.Background()
	pdf := archive.DocID("kgb", "kgb/protocol.pdf")
	reds, err := r.Redactions(ctx, pdf)
	if err != nil || len(reds) != 1 || !reds[0].Verified() {
		t.Fatalf("restored redactions %+v %v", reds, err)
	}
	f, red, err := r.RedactedCopy(ctx, reds[0].ID)
	if err != nil {
		t.Fatalf("the restored redacted copy does not open for export: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !strings.HasPrefix(f.Name(), dir) {
		t.Errorf("the copy opened is %s, not the restored folder's", f.Name())
	}
	of, _, err := a.RedactedCopy(ctx, red.ID)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := io.ReadAll(of)
	of.Close()
	if !bytes.Equal(got, orig) || len(got) == 0 {
		t.Errorf("the restored copy has %d bytes, the archive's %d, not the same", len(got), len(orig))
	}
	if info, err := os.Stat(archive.RedactedFile(dir, red.SHA256)); err != nil || info.Mode().Perm() != 0o400 {
		t.Errorf("the restored copy's file: %v %v", info, err)
	}
	if ex, err := r.Exports(ctx, pdf); err != nil || len(ex) != 1 || ex[0].RedactionID != red.ID {
		t.Errorf("restored exports %+v %v", ex, err)
	}
	id := archive.DocID("kgb", "kgb/letter.txt")
	notes, err := r.Notes(ctx, id)
	if err != nil || len(notes) != 1 || notes[0].Lost || notes[0].Quote != "went to the port" || len(notes[0].Replies) != 1 {
		t.Fatalf("restored notes %+v %v", notes, err)
	}
	if tags, err := r.Tags(ctx, id); err != nil || !slices.Equal(tags, []string{"port-money"}) {
		t.Errorf("restored tags %v %v", tags, err)
	}
	vs, err := r.Translations(ctx, id, "en")
	if err != nil || len(vs[1]) != 2 || vs[1][1].ReviewedBy != "tanya" || vs[1][1].State != archive.Reviewed {
		t.Errorf("the restored review %+v %v", vs, err)
	}
}

// checkArchiveEntries reads an archive's snapshot as a plain tar: manifest
// first, every entry dated to the day, rows, then originals, then files.
func checkArchiveEntries(t *testing.T, file string, id age.Identity) []string {
	t.Helper()
	rank := map[string]int{"manifest.json": 0, "db": 1, "originals": 2, "redacted": 3, "files": 4}
	last, n := 0, 0
	return eachEntry(t, file, id, func(hdr *tar.Header, _ io.Reader) {
		n++
		top, _, _ := strings.Cut(hdr.Name, "/")
		r, ok := rank[top]
		if !ok || r < last || (n == 1) != (r == 0) {
			t.Fatalf("entry %s out of place", hdr.Name)
		}
		last = r
	})
}

// TestArchiveBackupUnderLoad backs up an archive while files keep arriving
// and being processed, restores it on the other backend and checks that it
// is the archive of one instant: nothing made after it, no entry done
// without its documents and its custody event, exactly the originals its
// rows name, and search finding exactly its documents.
func TestArchiveBackupUnderLoad(t *testing.T) {
	storetest.AcrossBackends(t, archiveUnderLoad)
}

func archiveUnderLoad(t *testing.T, from, to string) {
	ctx := context.Background()
	l := newLiveArchive(t, from)
	// Large originals, so the copy takes a while.
	big := map[string]string{}
	for i := range 4 {
		big[fmt.Sprintf("big/%d.txt", i)] = strings.Repeat(fmt.Sprintf("большой архив %d ", i), 150000)
	}
	ingest(t, l.a, "big", big)

	// Load: one file after another arrives and is processed, each with a
	// word of its own.
	var done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var loadErr error
	var failed atomic.Bool
	dir := t.TempDir()
	wg.Go(func() {
		defer func() { failed.Store(loadErr != nil) }()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := fmt.Sprintf("load/%04d.txt", i)
			f := filepath.Join(dir, fmt.Sprintf("%04d.txt", i))
			os.WriteFile(f, fmt.Appendf(nil, "Поступление номер %s: слово%04d.", p, i), 0o600)
			if _, err := l.a.Enqueue(ctx, "kgb", []archive.Item{{File: f, Path: p}}, func(archive.QueueNote) {}); err != nil {
				loadErr = err
				return
			}
			if err := l.a.Work(ctx, archive.WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
				loadErr = err
				return
			}
			done.Add(1)
		}
	})
	for done.Load() < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	rows := l.rowsOnly(t)
	before := storetest.DumpSchema(t, rows.DumpSchema())
	// Between the dump and the originals' copy, more files arrive.
	atSnapshot := int64(0)
	afterSnapshot = func() {
		atSnapshot = done.Load()
		for end := time.Now().Add(time.Minute); done.Load() < atSnapshot+3 && !failed.Load() && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	defer func() { afterSnapshot = nil }()
	id := key(t)
	start := done.Load()
	file, m := backupArchive(t, l, id)
	during := done.Load() - start
	after := storetest.DumpSchema(t, rows.DumpSchema())
	close(stop)
	wg.Wait()
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	t.Logf("%s; %d files processed while it ran", m.Summary(), during)
	if during < 3 {
		t.Fatalf("only %d files arrived while the backup ran: the test did not load the archive", during)
	}

	tg := newArchiveTarget(t, to)
	if _, _, err := tg.restore(t, file, id); err != nil {
		t.Fatal(err)
	}
	r := tg.open(t)
	restored := storetest.DumpSchema(t, r.DumpSchema())
	// Rows only added: all there before the backup began, none made after
	// it ended.
	for _, table := range []string{"archive_originals", "archive_events", "archive_collections"} {
		if !storetest.Subset(before[table], restored[table]) || !storetest.Subset(restored[table], after[table]) {
			t.Fatalf("%s: %d before, %d restored, %d after; the restored rows are not between", table, len(before[table]), len(restored[table]), len(after[table]))
		}
	}
	if len(restored["archive_originals"]) == len(storetest.DumpSchema(t, rows.DumpSchema())["archive_originals"]) {
		t.Fatal("the snapshot holds originals stored after it: it is not of one instant")
	}
	// One instant: an entry done has its documents and the custody event
	// written with it, and every original its rows name is restored.
	type entry struct {
		ID    int64
		State string
		Docs  int
	}
	entries := map[int64]entry{}
	for _, row := range restored["archive_entries"] {
		var e entry
		json.Unmarshal([]byte(row), &e)
		entries[e.ID] = e
	}
	docs, processed := map[int64]int{}, map[int64]int{}
	for _, row := range restored["archive_documents"] {
		var d struct {
			EntryID int64 `json:"entry_id"`
		}
		json.Unmarshal([]byte(row), &d)
		docs[d.EntryID]++
	}
	for _, row := range restored["archive_events"] {
		var ev struct {
			EntryID int64 `json:"entry_id"`
			Action  string
		}
		json.Unmarshal([]byte(row), &ev)
		if strings.HasPrefix(ev.Action, "processed") {
			processed[ev.EntryID]++
		}
	}
	for _, e := range entries {
		if e.State == archive.Done && (docs[e.ID] != e.Docs || processed[e.ID] == 0) {
			t.Errorf("entry %d is done with %d of %d documents and %d processing events", e.ID, docs[e.ID], e.Docs, processed[e.ID])
		}
	}
	for _, row := range restored["archive_originals"] {
		var o struct{ SHA256 string }
		json.Unmarshal([]byte(row), &o)
		if _, err := os.Stat(archive.OriginalFile(tg.Data, o.SHA256)); err != nil {
			t.Errorf("original %s: %v", o.SHA256, err)
		}
	}
	if on, _ := filepath.Glob(filepath.Join(tg.Data, "originals", "*", "*")); len(on) != len(restored["archive_originals"]) {
		t.Errorf("%d originals restored for %d rows", len(on), len(restored["archive_originals"]))
	}
	// Search finds exactly the documents with text: each load file by its
	// own word, and no file the snapshot does not hold.
	for _, row := range restored["archive_documents"] {
		var d struct{ ID, Path string }
		json.Unmarshal([]byte(row), &d)
		if !strings.HasPrefix(d.Path, "load/") {
			continue
		}
		word := "слово" + strings.TrimSuffix(strings.TrimPrefix(d.Path, "load/"), ".txt")
		res, err := r.Search(ctx, word, "", 10)
		if err != nil || res.Total != 1 || res.Hits[0].ID != d.ID {
			t.Fatalf("search for %s: %+v %v", word, res, err)
		}
	}
	res, err := r.Search(ctx, "поступление", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var loadDocs int
	for _, row := range restored["archive_documents"] {
		if strings.Contains(row, `"path":"load/`) {
			loadDocs++
		}
	}
	if res.Total != loadDocs || loadDocs == 0 {
		t.Fatalf("search finds %d load files, the restored rows hold %d", res.Total, loadDocs)
	}
	// What was queued or running at the instant is processed on the
	// restored archive.
	if err := r.Work(ctx, archive.WorkOptions{UntilEmpty: true}); err != nil {
		t.Fatal(err)
	}
	status, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if s.Queued+s.Running > 0 {
			t.Fatalf("after a worker ran on the restored archive: %+v", s)
		}
	}
}

// TestArchiveBadInput: each bad snapshot or target is one clear error and
// leaves nothing behind, on both backends; a snapshot of one zone is
// refused by the other's restore.
func TestArchiveBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		l := newLiveArchive(t, b.Name)
		id := key(t)
		file, _ := backupArchive(t, l, id)
		newsroom := backup(t, newLive(t, b), id)
		onEntry := func(match func(string) bool, edit func(string, []byte) (string, []byte)) string {
			first := true
			return rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
				if first && match(name) {
					first = false
					return edit(name, body)
				}
				return name, body
			})
		}
		isOriginal := func(n string) bool { return strings.HasPrefix(n, "originals/") }
		isRedacted := func(n string) bool { return strings.HasPrefix(n, "redacted/") }
		extra := []byte("a file no row names")
		sum := sha256.Sum256(extra)
		cases := append(damaged(t, file, id), []badSnapshot{
			{"the newsroom's snapshot", newsroom, id, "snapshot of the newsroom's data folder (confide backup), not of an archive: restore it with confide restore"},
			{"original altered", onEntry(isOriginal, func(n string, body []byte) (string, []byte) {
				return n, append(body, '!')
			}), id, "an original's bytes do not match its SHA-256"},
			{"original missing", onEntry(isOriginal, func(string, []byte) (string, []byte) { return "", nil }), id, "originals do not match its database (1 missing"},
			{"original extra", onEntry(isOriginal, func(n string, body []byte) (string, []byte) {
				return originalPath(hex.EncodeToString(sum[:])), extra
			}), id, "1 not referenced"},
			{"redacted copy altered", onEntry(isRedacted, func(n string, body []byte) (string, []byte) {
				return n, append(body, '!')
			}), id, "a redacted copy's bytes do not match its SHA-256"},
			{"redacted copy missing", onEntry(isRedacted, func(string, []byte) (string, []byte) { return "", nil }), id, "redacted copies do not match its database (1 missing"},
			{"redacted copy extra", onEntry(isRedacted, func(n string, body []byte) (string, []byte) {
				return redactedPath(hex.EncodeToString(sum[:])), extra
			}), id, "redacted copies do not match its database (1 missing, 1 not referenced"},
			{"redacted copy among the files", onEntry(isRedacted, func(n string, body []byte) (string, []byte) {
				return "files/" + n, body
			}), id, "unexpected entry"},
			{"rows missing", onEntry(func(n string) bool { return strings.HasPrefix(n, "db/archive_pages.") }, func(n string, _ []byte) (string, []byte) {
				return n, nil
			}), id, "the snapshot said"},
			{"path escape", onEntry(func(n string) bool { return strings.HasPrefix(n, "files/") }, func(_ string, body []byte) (string, []byte) {
				return "files/tor/../../escaped", body
			}), id, "unexpected entry"},
			{"a database file", onEntry(func(n string) bool { return strings.HasPrefix(n, "files/") }, func(_ string, body []byte) (string, []byte) {
				return "files/" + archive.DBFile, body
			}), id, "unexpected entry"},
			{"an index file", onEntry(func(n string) bool { return strings.HasPrefix(n, "files/") }, func(_ string, body []byte) (string, []byte) {
				return "files/index/manifest", body
			}), id, "unexpected entry"},
		}...)
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				tg := newArchiveTarget(t, b.Name)
				_, _, err := tg.restore(t, c.file, c.id)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want an error with %q", err, c.want)
				}
				tg.untouched(t)
			})
		}
		t.Run("the archive's snapshot to the newsroom's restore", func(t *testing.T) {
			tg := newTarget(t, b.Name)
			_, err := restore(t, file, id, tg)
			if err == nil || !strings.Contains(err.Error(), "snapshot of an archive (confide archive backup): restore it with confide archive restore") {
				t.Fatalf("got %v", err)
			}
			tg.untouched(t)
		})
		t.Run("folder not empty", func(t *testing.T) {
			tg := newArchiveTarget(t, b.Name)
			refusesNonEmptyFolder(t, tg.Data, func() error { _, _, err := tg.restore(t, file, id); return err })
		})
		if b.Name == "postgres" {
			t.Run("database not empty", func(t *testing.T) {
				tg := newArchiveTarget(t, b.Name)
				a := openArchive(t, archive.Config{Dir: t.TempDir(), DSN: tg.DSN, NoOCR: true})
				ingest(t, a, "mine", map[string]string{"mine.txt": "моё"})
				_, _, err := tg.restore(t, file, id)
				if err == nil || !strings.Contains(err.Error(), "the database is not empty (table archive_") {
					t.Fatalf("non-empty database: %v", err)
				}
				if res, err := a.Search(context.Background(), "моё", "", 10); err != nil || res.Total != 1 {
					t.Fatalf("the database's archive was touched: %+v %v", res, err)
				}
				if _, err := os.Stat(tg.Data); err == nil {
					t.Fatal("a data folder was made")
				}
			})
		}
	})
}

// TestArchiveBackupRefusesADamagedFolder: an original whose bytes changed
// or that is gone fails the backup with what is wrong, and leaves no
// snapshot; so does a snapshot file inside the data folder.
func TestArchiveBackupRefusesADamagedFolder(t *testing.T) {
	ctx := context.Background()
	l := newLiveArchive(t, "sqlite")
	to := []age.Recipient{key(t).Recipient()}
	src := ArchiveSource{Archive: l.rowsOnly(t), Data: l.c.Dir}
	inside := filepath.Join(l.c.Dir, "snapshot.age")
	if _, err := WriteArchiveFile(ctx, inside, src, to); err == nil || !strings.Contains(err.Error(), "inside the archive's data folder") {
		t.Fatalf("a snapshot inside the data folder: %v", err)
	}
	// A redacted copy is checked as an original is.
	reds, err := l.a.Redactions(ctx, archive.DocID("kgb", "kgb/protocol.pdf"))
	if err != nil || len(reds) != 1 {
		t.Fatalf("%+v %v", reds, err)
	}
	copyFile := archive.RedactedFile(l.c.Dir, reds[0].SHA256)
	good, _ := os.ReadFile(copyFile)
	os.Chmod(copyFile, 0o600)
	os.WriteFile(copyFile, append(bytes.Clone(good), '\n'), 0o400)
	if _, err := WriteArchiveFile(ctx, filepath.Join(t.TempDir(), "s.age"), src, to); err == nil || !strings.Contains(err.Error(), "redacted copy "+reds[0].SHA256+" in the data folder no longer has that SHA-256") {
		t.Fatalf("an altered redacted copy: %v", err)
	}
	os.Remove(copyFile)
	if _, err := WriteArchiveFile(ctx, filepath.Join(t.TempDir(), "s.age"), src, to); err == nil || !strings.Contains(err.Error(), "redacted copy "+reds[0].SHA256+" is referenced by the database but missing") {
		t.Fatalf("a missing redacted copy: %v", err)
	}
	os.WriteFile(copyFile, good, 0o400)
	sum := sha256.Sum256([]byte("Справка из архива: river money went to the port."))
	orig := archive.OriginalFile(l.c.Dir, hex.EncodeToString(sum[:]))
	os.Chmod(orig, 0o600)
	if err := os.WriteFile(orig, []byte("Справка из архива: river money went to the sea."), 0o400); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "s.age")
	if _, err := WriteArchiveFile(ctx, file, src, to); err == nil || !strings.Contains(err.Error(), "no longer has that SHA-256: the data folder is damaged") {
		t.Fatalf("an altered original: %v", err)
	}
	os.Remove(orig)
	if _, err := WriteArchiveFile(ctx, file, src, to); err == nil || !strings.Contains(err.Error(), "original "+hex.EncodeToString(sum[:])+" is referenced by the database but missing from the data folder") {
		t.Fatalf("a missing original: %v", err)
	}
	for _, p := range []string{file, file + ".tmp", inside, inside + ".tmp"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was left", p)
		}
	}
}

// TestArchiveOlderSnapshot: an archive's snapshot taken at the previous
// schema is loaded into that schema on the other backend, then upgraded to
// this binary's, and its index rebuilt.
func TestArchiveOlderSnapshot(t *testing.T) {
	storetest.AcrossBackends(t, func(t *testing.T, from, to string) {
		c := newArchiveConfig(t, from)
		latest := openArchive(t, archive.Config{Dir: t.TempDir(), RowsOnly: true}).DumpSchema().Latest
		old := store.AtSchema(context.Background(), latest-1)
		a, err := archive.Open(old, c)
		if err != nil {
			t.Fatal(err)
		}
		ingest(t, a, "kgb", map[string]string{"kgb/a.txt": "Государственные архивы хранят документы."})
		a.Close()
		c.RowsOnly = true
		rows, err := archive.Open(old, c)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		id := key(t)
		file := filepath.Join(t.TempDir(), "old.age")
		m, err := WriteArchiveFile(context.Background(), file, ArchiveSource{Archive: rows, Data: c.Dir}, []age.Recipient{id.Recipient()})
		if err != nil {
			t.Fatal(err)
		}
		if m.Schema != latest-1 {
			t.Fatalf("the snapshot is of schema %d, want %d", m.Schema, latest-1)
		}
		tg := newArchiveTarget(t, to)
		if _, indexed, err := tg.restore(t, file, id); err != nil || indexed != 1 {
			t.Fatalf("restore: %d indexed, %v", indexed, err)
		}
		r := tg.open(t)
		var v int
		if err := r.DumpSchema().DB.QueryRow(`SELECT MAX(version) FROM archive_schema`).Scan(&v); err != nil || v != latest {
			t.Fatalf("the restored archive is at schema %d (%v), want %d", v, err, latest)
		}
		if res, err := r.Search(context.Background(), "архивы", "", 10); err != nil || res.Total != 1 {
			t.Fatalf("search after the upgrade: %+v %v", res, err)
		}
	})
}

// TestArchiveFileGoneDuringBackup: a file listed to be carried that is
// removed before it is copied (tor rewriting one of its own, say) makes the
// backup start again, so the manifest never counts a file it lacks.
func TestArchiveFileGoneDuringBackup(t *testing.T) {
	l := newLiveArchive(t, "sqlite")
	extra := filepath.Join(l.c.Dir, "exports", "list.csv")
	write(t, extra, "a file of the folder")
	runs := 0
	afterSnapshot = func() {
		if runs++; runs == 1 {
			os.Remove(extra)
		}
	}
	defer func() { afterSnapshot = nil }()
	id := key(t)
	file, m := backupArchive(t, l, id)
	if runs != 2 || m.Files != 1 {
		t.Fatalf("%d runs, %d files carried", runs, m.Files)
	}
	if _, _, err := newArchiveTarget(t, "sqlite").restore(t, file, id); err != nil {
		t.Fatal(err)
	}
}
