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
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/archive"
	"confide/internal/auth"
	"confide/internal/auth/authtest"
	"confide/internal/store"
	"confide/internal/store/storetest"

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
	write(t, filepath.Join(l.c.Dir, "tor", "archive", "hs_ed25519_secret_key"), "archive onion key")
	// Tor's own state and torrc are made again at start, not carried.
	write(t, filepath.Join(l.c.Dir, "tor", "state", "cached-microdesc-consensus"), "tor state")
	write(t, filepath.Join(l.c.Dir, "tor", "torrc"), "DataDirectory …")
	return l
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
		if n != "archive_schema" && n != "archive_search" {
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
	for _, q := range []string{"архивы", "архив", "river money", `"river money"`, "harbour", "Иванов", "документы -Караганды", "семь OR лагерей", "допрос*"} {
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
		if m.Zone != ZoneArchive || m.Backend != from || m.Blobs != 6 || m.Files != 1 || m.Rows("archive_translations") != 2 {
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
		if got.Blobs != m.Blobs || indexed != len(withPages)+1 {
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

// checkArchiveEntries reads an archive's snapshot as a plain tar: manifest
// first, every entry dated to the day, rows, then originals, then files.
func checkArchiveEntries(t *testing.T, file string, id age.Identity) []string {
	t.Helper()
	rank := map[string]int{"manifest.json": 0, "db": 1, "originals": 2, "files": 3}
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
