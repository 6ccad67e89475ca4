package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"confide/internal/ingest"
	"confide/internal/search"
	"confide/internal/search/query"
	"confide/internal/store/storetest"
)

// backends runs fn on a fresh archive on SQLite and on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, c Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, Config{Dir: t.TempDir(), NoOCR: true, Who: "ann"}) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, Config{Dir: t.TempDir(), DSN: storetest.PostgresDSN(t), NoOCR: true, Who: "ann"})
	})
}

func open(t *testing.T, c Config) *Archive {
	t.Helper()
	a, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, s := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(s))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// trove writes a small folder: two files with the same bytes, a zip with
// a member in a folder, and a truncated zip.
func trove(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "trove")
	write(t, root, "a.txt", []byte("Государственные архивы хранят документы."))
	write(t, root, "copy/a.txt", []byte("Государственные архивы хранят документы."))
	z := zipOf(t, map[string]string{"1989/note.txt": "Справка из архива о деле номер семь."})
	write(t, root, "letters.zip", z)
	write(t, root, "broken.zip", z[:len(z)/2])
	return root
}

func ingestAll(t *testing.T, a *Archive, collection string, paths ...string) int {
	t.Helper()
	ctx := context.Background()
	if err := a.SetCollection(ctx, collection, ""); err != nil {
		t.Fatal(err)
	}
	items, err := Collect(paths, func(p, why string) { t.Errorf("skipped %s: %s", p, why) })
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.Enqueue(ctx, collection, items, func(QueueNote) {})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Work(ctx, WorkOptions{Collection: collection, Workers: 2, UntilEmpty: true}); err != nil {
		t.Fatal(err)
	}
	return n
}

func count(t *testing.T, a *Archive, q string, args ...any) int {
	t.Helper()
	var n int
	if err := a.db.sql.QueryRow(a.db.q(q), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func files(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func searchPaths(t *testing.T, a *Archive, q, collection string) []string {
	t.Helper()
	res, err := a.Search(context.Background(), q, collection, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Path)
	}
	if res.Total != len(out) {
		t.Fatalf("total %d for %d hits: %v", res.Total, len(out), out)
	}
	return out
}

func TestIngestDeduplicatesAndDoublesNothing(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		root := trove(t)
		if n := ingestAll(t, a, "kgb", root); n != 4 {
			t.Fatalf("queued %d files, want 4", n)
		}
		// The two copies are one original; the zip and its half are two.
		if n := files(t, filepath.Join(c.Dir, "originals")); n != 3 {
			t.Fatalf("%d originals, want 3", n)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE sha256 = (SELECT sha256 FROM archive_entries WHERE path = 'trove/a.txt')`); n != 2 {
			t.Fatalf("the shared original is listed at %d paths, want 2", n)
		}
		want := "trove/a.txt trove/copy/a.txt trove/letters.zip/1989/note.txt"
		got := strings.Join(slices.Sorted(slices.Values(searchPaths(t, a, "архивы", "kgb"))), " ")
		if got != want {
			t.Fatalf("архивы finds %q, want %q", got, want)
		}
		docs := count(t, a, `SELECT COUNT(*) FROM archive_documents`)
		pages := count(t, a, `SELECT COUNT(*) FROM archive_pages`)

		// The same ingest again, then a reprocess: nothing is added.
		if n := ingestAll(t, a, "kgb", root); n != 0 {
			t.Fatalf("a second ingest queued %d files", n)
		}
		if n, err := a.Reprocess(context.Background(), "kgb"); err != nil || n != 4 {
			t.Fatalf("reprocess queued %d, %v", n, err)
		}
		if err := a.Work(context.Background(), WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		if d, p := count(t, a, `SELECT COUNT(*) FROM archive_documents`), count(t, a, `SELECT COUNT(*) FROM archive_pages`); d != docs || p != pages {
			t.Fatalf("after a reprocess %d documents and %d pages, were %d and %d", d, p, docs, pages)
		}
		if got2 := strings.Join(slices.Sorted(slices.Values(searchPaths(t, a, "архивы", "kgb"))), " "); got2 != want {
			t.Fatalf("after a reprocess архивы finds %q", got2)
		}
		if len(searchPaths(t, a, "архивы", "other")) != 0 {
			t.Fatal("the collection filter let other collections' documents through")
		}
	})
}

func TestFailuresAreListedAndRetried(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t))
		st, err := a.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Done != 3 || st[0].Failed != 1 || st[0].Queued != 0 {
			t.Fatalf("status %+v", st)
		}
		if len(st[0].Failures) != 1 || st[0].Failures[0].Path != "trove/broken.zip" || !strings.Contains(st[0].Failures[0].Reason, "zip") || st[0].Failures[0].Kind != string(ingest.KindCorrupt) {
			t.Fatalf("failures %+v", st[0].Failures)
		}
		n, err := a.Retry(context.Background(), "kgb")
		if err != nil || n != 1 {
			t.Fatalf("retry queued %d, %v", n, err)
		}
		if err := a.Work(context.Background(), WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		st2, _ := a.Status(context.Background())
		if st2[0].Failed != 1 || st2[0].Docs != st[0].Docs {
			t.Fatalf("after retry %+v, before %+v", st2[0], st[0])
		}
		// Two processing events now, one queue event: the trail grows,
		// the documents do not.
		if n := count(t, a, `SELECT COUNT(*) FROM archive_events e JOIN archive_entries x ON x.id = e.entry_id WHERE x.path = 'trove/broken.zip'`); n != 3 {
			t.Fatalf("%d events for the retried file, want 3", n)
		}
	})
}

// A killed run leaves documents of an older generation (here one the new
// run does not produce): the next run of the entry takes them out of the
// rows and the index.
func TestRerunRemovesWhatAKilledRunLeft(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t))
		ctx := context.Background()
		var entry int64
		if err := a.db.sql.QueryRow(a.db.q(`SELECT id FROM archive_entries WHERE path = 'trove/letters.zip'`)).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		ghost := DocID("kgb", "trove/letters.zip/ghost.txt")
		if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_documents (id, entry_id, parent_id, path, seq, gen, type, lang, size, sha256, fields, steps, warnings, fail_kind, fail_reason)
			VALUES (?, ?, '', 'trove/letters.zip/ghost.txt', 9, 0, 'text', 'ru', 1, '', '{}', '[]', '[]', '', '')`, ghost, entry); err != nil {
			t.Fatal(err)
		}
		if err := a.eng.Add(search.Doc{ID: ghost, Collection: "kgb", Pages: []string{"призрачные архивы"}}); err != nil {
			t.Fatal(err)
		}
		if err := a.eng.Commit(); err != nil {
			t.Fatal(err)
		}
		if len(searchPaths(t, a, "призрачные", "")) != 1 {
			t.Fatal("the planted document is not found")
		}
		if _, err := a.Reprocess(ctx, "kgb"); err != nil {
			t.Fatal(err)
		}
		if err := a.Work(ctx, WorkOptions{Collection: "kgb", UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM archive_documents WHERE id = ?`, ghost); n != 0 {
			t.Fatal("the stale row survived a re-run")
		}
		res, err := a.eng.Search(ctx, mustQuery(t, "призрачные"))
		if err != nil || res.Total != 0 {
			t.Fatalf("the stale document is still indexed: %+v %v", res, err)
		}
	})
}

// Claims never hand one entry to two workers, and an expired lease (a
// killed worker) makes an entry claimable again.
func TestClaims(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		if err := a.SetCollection(ctx, "kgb", ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var items []Item
		for i := range 20 {
			p := write(t, dir, "f"+string(rune('a'+i))+".txt", []byte(strings.Repeat("слово ", i+1)))
			items = append(items, Item{File: p, Path: filepath.Base(p)})
		}
		if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		claimers := []*Archive{a, a}
		if c.DSN != "" {
			// A second process on the same database.
			c2 := c
			c2.Dir = c.Dir
			claimers[1] = open(t, c2)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for _, cl := range claimers {
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						e, err := cl.claim(ctx, "kgb")
						if err != nil {
							t.Error(err)
							return
						}
						if e == nil {
							return
						}
						mu.Lock()
						seen[e.id]++
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		if len(seen) != 20 {
			t.Fatalf("%d entries claimed, want 20", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("entry %d claimed %d times", id, n)
			}
		}
		if e, _ := a.claim(ctx, "kgb"); e != nil {
			t.Fatal("a leased entry was claimed again")
		}
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_entries SET lease = 1 WHERE path = 'fc.txt'`); err != nil {
			t.Fatal(err)
		}
		e, err := a.claim(ctx, "kgb")
		if err != nil || e == nil || e.path != "fc.txt" {
			t.Fatalf("the expired entry was not claimed again: %+v %v", e, err)
		}
	})
}

func TestRefusesTheDropboxFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "confide.db", nil)
	_, err := Open(context.Background(), Config{Dir: dir, NoOCR: true})
	if err == nil || !strings.Contains(err.Error(), "dropbox") {
		t.Fatalf("opened a dropbox folder: %v", err)
	}
}

func TestOneSQLiteProcessPerFolder(t *testing.T) {
	c := Config{Dir: t.TempDir(), NoOCR: true}
	open(t, c)
	if _, err := Open(context.Background(), c); err == nil || !strings.Contains(err.Error(), "another confide archive process") {
		t.Fatalf("a second opener got %v", err)
	}
}

func TestWorkstationCustody(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		pull := filepath.Join(t.TempDir(), "pulled")
		write(t, pull, "gutsy dominoes/1-report.txt", []byte("Отчёт об архивах."))
		sc := Sidecar{Newsroom: "http://127.0.0.1:8082", Source: "gutsy dominoes", Item: "item42", Submission: "sub7",
			CiphertextSHA256: strings.Repeat("ab", 32), PulledBy: "ann"}
		b, _ := json.Marshal(sc)
		write(t, pull, "gutsy dominoes/1-report.txt"+SidecarSuffix, b)
		write(t, pull, "gutsy dominoes/2-note.txt", []byte("Записка."))
		state := t.TempDir()
		write(t, state, "state.json", []byte(`{"newsroom":"http://127.0.0.1:8082","user":"ann","pulled":{"item43":"gutsy dominoes/2-note.txt"}}`))
		items, err := CollectWorkstation(pull, state, func(p, why string) { t.Errorf("skipped %s", p) })
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 {
			t.Fatalf("%d items (the sidecar must not be one): %+v", len(items), items)
		}
		ctx := context.Background()
		a.SetCollection(ctx, "inbox", "")
		if _, err := a.Enqueue(ctx, "inbox", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		if err := a.Work(ctx, WorkOptions{UntilEmpty: true}); err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]string{"pulled/gutsy dominoes/1-report.txt": `"ciphertext_sha256":"` + sc.CiphertextSHA256, "pulled/gutsy dominoes/2-note.txt": `"item":"item43"`} {
			cu, err := a.Custody(ctx, DocID("inbox", path))
			if err != nil {
				t.Fatal(err)
			}
			if len(cu.Events) != 2 || !strings.Contains(string(cu.Events[0].Origin), want) || cu.Events[0].Who != "ann" {
				t.Fatalf("%s: custody %+v, want origin with %s", path, cu.Events, want)
			}
		}
		cu, _ := a.Custody(ctx, DocID("inbox", "pulled/gutsy dominoes/1-report.txt"))
		if !strings.Contains(string(cu.Events[0].Origin), `"submission":"sub7"`) {
			t.Fatalf("the submission is not in the trail: %s", cu.Events[0].Origin)
		}
		write(t, pull, "gutsy dominoes/3-x.txt", []byte("x"))
		write(t, pull, "gutsy dominoes/3-x.txt"+SidecarSuffix, []byte(`{"item":"i","ciphertext_sha256":"zz"}`))
		if _, err := CollectWorkstation(pull, "", func(string, string) {}); err == nil || !strings.Contains(err.Error(), "ciphertext_sha256") {
			t.Fatalf("a damaged custody record was accepted: %v", err)
		}
	})
}

func mustQuery(t *testing.T, s string) search.Request {
	t.Helper()
	n, err := query.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return search.Request{Query: n}
}

// A zip of many unreadable members: each run reports a bounded number of
// them, status every one; the tree's parents are right at any size.
func TestManyFailuresAreCountedAndBounded(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		members := map[string]string{"keep/ok.txt": "Архивы."}
		for i := range 150 {
			members["bin/"+strconv.Itoa(i)+".bin"] = "\x00\x01\x02\x03"
		}
		p := write(t, t.TempDir(), "many.zip", zipOf(t, members))
		ctx := context.Background()
		a.SetCollection(ctx, "kgb", "")
		if _, err := a.Enqueue(ctx, "kgb", []Item{{File: p, Path: "many.zip"}}, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		var got []Progress
		if err := a.Work(ctx, WorkOptions{UntilEmpty: true, Progress: func(p Progress) { got = append(got, p) }}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].State != Done || got[0].Failed != 150 || len(got[0].Failures) != maxReported || got[0].Docs != 152 {
			t.Fatalf("progress %+v", got)
		}
		st, _ := a.Status(ctx)
		if len(st[0].Failures) != 150 {
			t.Fatalf("status lists %d failures, want 150", len(st[0].Failures))
		}
		if f := st[0].Failures[0]; f.Kind != string(ingest.KindUnsupported) || got[0].Failures[0].Kind != f.Kind {
			t.Fatalf("a member's failure: %+v in the status, %+v in the progress", f, got[0].Failures[0])
		}
		d, err := a.Show(ctx, DocID("kgb", "many.zip"))
		if err != nil || len(d.Children) != 151 {
			t.Fatalf("the zip has %d children, want 151 (%v)", len(d.Children), err)
		}
		ok, err := a.Show(ctx, DocID("kgb", "many.zip/keep/ok.txt"))
		if err != nil || ok.Parent != d.ID {
			t.Fatalf("ok.txt's parent is %q, want %q (%v)", ok.Parent, d.ID, err)
		}
	})
}

// A tree that fails as a whole (past its member limit) is one failure,
// of its kind, in the status and on its root document; a file that fails
// by itself keeps its own kind.
func TestTreeFailureKind(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		c.Limits.MaxMembers = 3
		a := open(t, c)
		dir := t.TempDir()
		members := map[string]string{}
		for i := range 5 {
			members[strconv.Itoa(i)+".txt"] = "Архивы."
		}
		ingestAll(t, a, "kgb", write(t, dir, "many.zip", zipOf(t, members)), write(t, dir, "broken.zip", []byte("PK\x03\x04 cut short")))
		st, err := a.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, f := range st[0].Failures {
			kinds[path.Base(f.Path)] = f.Kind
		}
		if st[0].Failed != 2 || len(st[0].Failures) != 2 || kinds["many.zip"] != string(ingest.KindTooMany) || kinds["broken.zip"] != string(ingest.KindCorrupt) {
			t.Fatalf("status %+v", st[0])
		}
		for _, f := range st[0].Failures {
			d, err := a.Show(context.Background(), DocID("kgb", f.Path))
			if err != nil || d.FailureKind != f.Kind || d.Failure != f.Reason {
				t.Fatalf("%s's root document: %q, %q (%v), want %q, %q", f.Path, d.FailureKind, d.Failure, err, f.Kind, f.Reason)
			}
		}
	})
}

// Temporary folders: each process has its own; a dead one's is swept at
// the next start, a live one's is not, and Close removes its own.
func TestTemporaryFolders(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		dead := filepath.Join(c.Dir, "tmp", "p-dead")
		write(t, dead, "lock", nil)
		write(t, dead, "ingest-original-1", []byte("plaintext left by a killed run"))
		a := open(t, c)
		if _, err := os.Stat(dead); err == nil {
			t.Fatal("a dead process's temporary folder survived")
		}
		if c.DSN != "" {
			b := open(t, c) // a second worker on the same data folder
			if _, err := os.Stat(a.tmp); err != nil {
				t.Fatalf("a live process's temporary folder was swept: %v", err)
			}
			b.Close()
			if _, err := os.Stat(b.tmp); err == nil {
				t.Fatal("Close left its temporary folder")
			}
		}
	})
}

// Status, Show and Custody work beside a process that holds the folder.
func TestRowsOnlyBesideARunningIngest(t *testing.T) {
	c := Config{Dir: t.TempDir(), NoOCR: true}
	a := open(t, c)
	ingestAll(t, a, "kgb", trove(t))
	c.RowsOnly = true
	r := open(t, c)
	st, err := r.Status(context.Background())
	if err != nil || len(st) != 1 || st[0].Done != 3 {
		t.Fatalf("status beside the holder: %+v %v", st, err)
	}
	if _, err := r.Custody(context.Background(), DocID("kgb", "trove/a.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Search(context.Background(), "архивы", "", 10); err == nil {
		t.Fatal("searched without an index")
	}
	if err := r.Work(context.Background(), WorkOptions{UntilEmpty: true}); err == nil {
		t.Fatal("worked without an index")
	}
}
