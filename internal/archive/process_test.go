package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/ingest"
	"confide/internal/search"
	"confide/internal/store/storetest"
)

// Every caller returns only after a commit that started after it was
// called, so its adds are in; concurrent callers share commits.
func TestGroupCommit(t *testing.T) {
	var g groupCommit
	var added, committed, commits atomic.Int64
	fn := func() error {
		committed.Store(added.Load())
		commits.Add(1)
		time.Sleep(2 * time.Millisecond)
		return nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				mine := added.Add(1)
				if err := g.commit(fn); err != nil {
					t.Error(err)
				}
				if committed.Load() < mine {
					t.Errorf("returned after a commit of %d adds, before its own add %d", committed.Load(), mine)
				}
			}
		}()
	}
	wg.Wait()
	if c := commits.Load(); c >= 400 {
		t.Fatalf("%d commits for 400 calls: none shared", c)
	}
}

// withTexts opens an archive with a collection kgb and writes the files
// f<first>.txt … of n texts for it, as items to queue.
func withTexts(t *testing.T, c Config, first, n int, text func(i int) string) (*Archive, []Item) {
	t.Helper()
	a := open(t, c)
	if err := a.SetCollection(context.Background(), "kgb", ""); err != nil {
		t.Fatal(err)
	}
	return a, texts(t, first, n, text)
}

// texts writes the files f<first>.txt … of n texts, as items to queue.
func texts(t *testing.T, first, n int, text func(i int) string) []Item {
	t.Helper()
	dir := t.TempDir()
	var items []Item
	for i := first; i < first+n; i++ {
		p := write(t, dir, fmt.Sprintf("f%03d.txt", i), []byte(text(i)))
		items = append(items, Item{File: p, Path: filepath.Base(p)})
	}
	return items
}

// countingEngine counts the index commits of the engine it wraps.
type countingEngine struct {
	search.Engine
	commits atomic.Int64
}

func (e *countingEngine) Commit() error {
	e.commits.Add(1)
	return e.Engine.Commit()
}

// A trove of small files shares index commits and transactions instead of
// paying for them file by file, and every entry is reported only once it
// is stored for good: its rows in, the index committed, the entry marked.
func TestSmallFilesShareCommits(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		const n = 300
		a, items := withTexts(t, c, 0, n, func(i int) string { return fmt.Sprintf("Справка номер %d из архива.", i) })
		eng := &countingEngine{Engine: a.eng}
		a.eng = eng
		ctx := context.Background()
		if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		reported := 0
		err := a.Work(ctx, WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true, Progress: func(p Progress) {
			reported++
			var state string
			var docs int
			if err := a.db.sql.QueryRow(a.db.q(`SELECT state, docs FROM archive_entries WHERE path = ?`), p.Path).Scan(&state, &docs); err != nil {
				t.Error(err)
			}
			if state != p.State || docs != 1 || count(t, a, `SELECT COUNT(*) FROM archive_documents WHERE path = ?`, p.Path) != 1 {
				t.Errorf("%s reported %s before it was stored: state %q, %d documents", p.Path, p.State, state, docs)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if reported != n {
			t.Fatalf("%d entries reported, want %d", reported, n)
		}
		if got := eng.commits.Load(); got > n/10 {
			t.Errorf("%d index commits for %d small files", got, n)
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if hits := searchPaths(t, a, fmt.Sprintf(`"номер %d"`, i), ""); !slices.Equal(hits, []string{fmt.Sprintf("f%03d.txt", i)}) {
				t.Errorf("file %d: found %v after the run", i, hits)
			}
		}
	})
}

// Queueing in chunks keeps every item's note in order, queues a path once
// however often it comes (in one chunk or across two), and stores the
// same bytes once.
func TestEnqueueChunks(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		// Ten distinct contents; three paths twice, the second time
		// either in the same chunk or in the next.
		a, items := withTexts(t, c, 0, enqueueBatch+50, func(i int) string { return fmt.Sprintf("Справка %d.", i%10) })
		ctx := context.Background()
		items = append(items, items[3], items[enqueueBatch+10])
		items = slices.Insert(items, 20, items[5])
		var notes []QueueNote
		first := -1 // entries queued when the first note came
		n, err := a.Enqueue(ctx, "kgb", items, func(q QueueNote) {
			if first < 0 {
				first = count(t, a, `SELECT COUNT(*) FROM archive_entries`)
			}
			notes = append(notes, q)
		})
		if err != nil {
			t.Fatal(err)
		}
		// The workers begin on the first chunk: a small one.
		if first != firstChunk {
			t.Errorf("%d entries queued with the first chunk, want %d", first, firstChunk)
		}
		if n != enqueueBatch+50 || len(notes) != len(items) {
			t.Fatalf("%d queued, %d notes for %d items", n, len(notes), len(items))
		}
		for i, q := range notes {
			dup := i == 20 || i >= len(items)-2
			if q.Path != items[i].Path || (q.Note == "already in the collection") != dup || !dup && q.Note != "" {
				t.Errorf("note %d: %+v for %s", i, q, items[i].Path)
			}
		}
		if got := count(t, a, `SELECT COUNT(*) FROM archive_originals`); got != 10 {
			t.Errorf("%d originals, want 10", got)
		}
		if got := files(t, filepath.Join(c.Dir, "originals")); got != 10 {
			t.Errorf("%d original files, want 10", got)
		}
	})
}

// A claim takes the first entry of the (state, id) index, rather than
// sorting every claimable one: with an OR of the two kinds, SQLite
// gathered all queued entries into a temporary B-tree to find the oldest,
// so each claim cost as much as the whole queue and an ingest of 100,000
// files slowed down quadratically. (The plan is SQLite's; PostgreSQL
// plans by its statistics.)
func TestClaimUsesTheStateIndex(t *testing.T) {
	a := open(t, Config{Dir: t.TempDir(), NoOCR: true})
	for _, q := range []string{a.claimQuery(`e.state = 'queued'`, groupEntries), a.claimQuery(`e.state = 'running' AND e.lease < ?`, 1)} {
		plan := queryPlan(t, a, q, 1, "", "")
		if !slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, "SEARCH e USING INDEX archive_entries_state (state=?") }) ||
			slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, "TEMP B-TREE") }) {
			t.Errorf("claim plan %q", plan)
		}
	}
}

// queryPlan is SQLite's plan of q, one line a step.
func queryPlan(t *testing.T, a *Archive, q string, args ...any) []string {
	t.Helper()
	rows, err := a.db.sql.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// The status's lists look up a collection's failed documents and
// low-confidence pages in their partial indexes: reading every document
// and page (text and all) made each status, and the end of each ingest,
// grow with the archive.
func TestStatusUsesPartialIndexes(t *testing.T) {
	a := open(t, Config{Dir: t.TempDir(), NoOCR: true})
	for _, c := range []struct {
		q, index string
		args     []any
	}{{statusFailures, "archive_documents_failed", []any{"kgb", "kgb"}}, {statusLowPages, "archive_pages_low", []any{"kgb"}}} {
		plan := queryPlan(t, a, c.q, c.args...)
		if !slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, "USING INDEX "+c.index) }) ||
			slices.ContainsFunc(plan, func(s string) bool { return strings.HasPrefix(s, "SCAN") }) {
			t.Errorf("plan %q, want a search of %s", plan, c.index)
		}
	}
}

// Workers beside the queueing start on the first chunk and wait for the
// queueing to end before they call the queue drained.
func TestWorkBesideTheQueueing(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		text := func(i int) string { return fmt.Sprintf("Справка %d.", i) }
		a, first := withTexts(t, c, 0, 5, text)
		ctx := context.Background()
		queueing, processed, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		var once sync.Once
		var reported atomic.Int64
		go func() {
			done <- a.Work(ctx, WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true, Queueing: queueing, Progress: func(Progress) {
				reported.Add(1)
				once.Do(func() { close(processed) })
			}})
		}()
		if _, err := a.Enqueue(ctx, "kgb", first, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-processed:
		case err := <-done:
			t.Fatalf("Work returned while the queueing was open: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("nothing processed while the queueing was open")
		}
		if _, err := a.Enqueue(ctx, "kgb", texts(t, 5, 5, text), func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("Work returned while the queueing was open: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		close(queueing)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := reported.Load(); n != 10 {
			t.Fatalf("%d of 10 files reported", n)
		}
	})
}

// A worker left idle while another finishes the last entries returns as
// soon as they are stored, not at its next look at the queue.
func TestIdleWorkerSeesTheEnd(t *testing.T) {
	defer func(p time.Duration) { pollEvery = p }(pollEvery)
	pollEvery = time.Hour
	backends(t, func(t *testing.T, c Config) {
		for round := range 5 {
			a, items := withTexts(t, c, round*3, 3, func(i int) string { return fmt.Sprintf("Справка %d.", i) })
			queueing, done := make(chan struct{}), make(chan error, 1)
			go func() {
				done <- a.Work(context.Background(), WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true, Queueing: queueing})
			}()
			if _, err := a.Enqueue(context.Background(), "kgb", items, func(QueueNote) {}); err != nil {
				t.Fatal(err)
			}
			close(queueing)
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("round %d: Work still waiting 30 s after its last entry", round)
			}
			a.Close()
		}
	})
}

// When a claim takes the last queued entries with the queueing over, the
// entries finished so far are committed at once (their segment is written
// while the last ones are read, not after them with the cores idle) and
// documents are written as they come; only one commit is asked for.
// While the queueing is open, a claim that empties the queue changes
// nothing: more may come.
func TestDrainedQueueCommitsAtOnce(t *testing.T) {
	kicked := func(b *batch) bool {
		select {
		case <-b.kick:
			return true
		default:
			return false
		}
	}
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a, items := withTexts(t, c, 0, 8, func(i int) string { return fmt.Sprintf("Справка %d.", i) })
		if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		newBatch := func(queueing <-chan struct{}) *batch {
			return &batch{held: map[int64]bool{}, started: time.Now(), kick: make(chan struct{}, 1), group: groupEntries, queueing: queueing}
		}
		queueing := newBatch(make(chan struct{}))
		first, err := queueing.next(ctx, a, "kgb")
		if err != nil || first == nil {
			t.Fatalf("claim: %v, %v", first, err)
		}
		queueing.add(pendingDoc{d: &ingest.Document{}})
		if queueing.drained || queueing.commitNow || kicked(queueing) {
			t.Fatalf("queueing open: drained %v, commit now %v: the queue may fill again", queueing.drained, queueing.commitNow)
		}
		for _, c := range append(queueing.ahead, first) {
			a.handBack(ctx, c)
		}

		b := newBatch(nil)
		last, err := b.next(ctx, a, "kgb")
		if err != nil || last == nil {
			t.Fatalf("claim: %v, %v", last, err)
		}
		if !b.drained || !b.commitNow || !kicked(b) {
			t.Fatalf("the last entries claimed: drained %v, commit now %v, the flusher not woken", b.drained, b.commitNow)
		}
		b.add(pendingDoc{d: &ingest.Document{}})
		if !kicked(b) {
			t.Fatal("a document added after the queue drained did not wake the flusher")
		}
		b.docs, b.size = nil, 0
		if b.due(true) {
			t.Fatal("a commit is due with nothing finished")
		}
		b.finish(doneEntry{last, last.gen, Progress{Collection: "kgb", Path: last.path, State: Done}})
		if !b.due(false) {
			t.Fatal("the first entry finished after the drain is not committed at once")
		}
		if err := a.flush(ctx, b, true); err != nil {
			t.Fatal(err)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'done'`); n != 1 {
			t.Fatalf("%d entries done after the commit, want 1", n)
		}
		next, err := b.next(ctx, a, "kgb")
		if err != nil || next == nil {
			t.Fatalf("next: %v, %v", next, err)
		}
		b.finish(doneEntry{next, next.gen, Progress{Collection: "kgb", Path: next.path, State: Done}})
		if b.commitNow || b.due(false) {
			t.Fatal("a second commit at once after the drain: only the first is asked for")
		}
	})
}

// The first commit of a run comes soon; later ones wait for more, so that
// a long run makes few, large index segments.
func TestCommitsGrowWithTheRun(t *testing.T) {
	now := time.Now()
	fill := func(b *batch, n int, age time.Duration) *batch {
		b.done = make([]doneEntry, n)
		b.since = now.Add(-age)
		return b
	}
	for _, c := range []struct {
		name    string
		b       *batch
		full    bool
		due     bool
		because string
	}{
		{"fresh, few", fill(&batch{started: now}, commitEntries-1, 0), true, false, "fewer than commitEntries"},
		{"fresh, enough", fill(&batch{started: now}, commitEntries, 0), true, true, "commitEntries finished"},
		{"fresh, not full", fill(&batch{started: now}, commitEntries, 0), false, false, "only time counts for the ticker"},
		{"fresh, waited", fill(&batch{started: now}, 1, commitEvery), false, true, "commitEvery waited"},
		{"long run, 10,000", fill(&batch{started: now.Add(-time.Hour), stored: 40000}, 10000, 0), true, false, "40,000 needed"},
		{"long run, 40,000", fill(&batch{started: now.Add(-time.Hour), stored: 40000}, 40000, 0), true, true, "as many as stored"},
		{"short run, 1.5 s", fill(&batch{started: now.Add(-4 * time.Second), stored: 300}, 1, 1500*time.Millisecond), false, false, "half of 4 s not waited"},
		{"short run, 2 s", fill(&batch{started: now.Add(-4 * time.Second), stored: 300}, 1, 2*time.Second), false, true, "half of 4 s waited"},
		{"long run, 5 s", fill(&batch{started: now.Add(-time.Hour), stored: 40000}, 1, 5*time.Second), false, false, "maxCommitEvery not waited"},
		{"long run, 10 s", fill(&batch{started: now.Add(-time.Hour), stored: 40000}, 1, maxCommitEvery), false, true, "maxCommitEvery waited"},
		{"empty", fill(&batch{started: now.Add(-time.Hour)}, 0, time.Hour), true, false, "nothing to commit"},
	} {
		if got := c.b.due(c.full); got != c.due {
			t.Errorf("%s: due %v, want %v (%s)", c.name, got, c.due, c.because)
		}
	}
}

// An interrupted run stores what finished and hands back the rest: every
// entry is then done with its document or queued again, none running and
// none done without its document, and the next run completes the others.
func TestInterruptedWorkLosesNothing(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		const n = 1000
		// The interruption comes with the first entries stored; on a busy
		// machine the workers can finish every entry before that first
		// commit does, which interrupts nothing: then the run is tried
		// again in a fresh archive.
		for try := 1; ; try++ {
			cc := c
			cc.Dir = t.TempDir()
			if cc.DSN != "" {
				cc.DSN = storetest.PostgresDSN(t)
			}
			a, items := withTexts(t, cc, 0, n, func(i int) string { return fmt.Sprintf("Справка номер %d.", i) })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
				t.Fatal(err)
			}
			err := a.Work(ctx, WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true, Progress: func(Progress) { cancel() }})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: %v", err)
			}
			done := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'done'`)
			if done == n && try < 3 {
				t.Logf("try %d: all %d entries finished before the interruption; again", try, n)
				continue
			}
			if queued := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'queued'`); done+queued != n || done == n {
				t.Fatalf("after the interruption %d done, %d queued of %d", done, queued, n)
			}
			// Entries claimed ahead and never begun went back as they
			// were; only those the two workers had begun count an attempt.
			if again := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'queued' AND attempts <> 0`); again > 2 {
				t.Errorf("%d entries queued again with an attempt counted, more than the two workers began", again)
			}
			if bad := count(t, a, `SELECT COUNT(*) FROM archive_entries e WHERE e.state = 'done' AND NOT EXISTS (SELECT 1 FROM archive_documents d WHERE d.entry_id = e.id)`); bad != 0 {
				t.Fatalf("%d entries done without their document", bad)
			}
			if err := a.Work(context.Background(), WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true}); err != nil {
				t.Fatal(err)
			}
			if got := count(t, a, `SELECT COUNT(*) FROM archive_documents`); got != n || count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'done'`) != n {
				t.Fatalf("%d documents after the second run, want %d", got, n)
			}
			return
		}
	})
}

// A file already at an original's name but not its whole bytes (torn by
// a crash) is replaced, not trusted, when the same bytes are queued.
func TestTornOriginalReplaced(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a, items := withTexts(t, c, 0, 1, func(int) string { return "Справка о допросе." })
		b, err := os.ReadFile(items[0].File)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		dst := a.originalPath(hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, nil, 0o400); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Enqueue(context.Background(), "kgb", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("the original holds %q (%v), want the file's %d bytes", got, err, len(b))
		}
		if left, _ := filepath.Glob(filepath.Join(a.tmp, "ingest-original-*")); len(left) != 0 {
			t.Errorf("temporary copies left: %v", left)
		}
	})
}

// queuedGroup queues items in kgb and claims the first group; drained as
// claimGroup says.
func queuedGroup(t *testing.T, a *Archive, items []Item) (g []*claimed, drained bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
		t.Fatal(err)
	}
	g, drained, err := a.claimGroup(ctx, "kgb", groupEntries)
	if err != nil {
		t.Fatal(err)
	}
	return g, drained
}

// Small entries that together pass groupSmall are still one group: only a
// large entry goes alone.
func TestClaimGroupOfSmallOnes(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		const n = 12
		a, items := withTexts(t, c, 0, n, func(i int) string {
			return fmt.Sprintf("%d ", i) + strings.Repeat("Справка. ", groupSmall/n/8)
		})
		g, drained := queuedGroup(t, a, items)
		if want := min(n, groupEntries); len(g) != want {
			t.Fatalf("%d entries of about %d KiB each claimed together, want %d", len(g), groupSmall/n/1024*2, want)
		}
		if !drained {
			t.Fatalf("the group took all %d queued entries, and the claim did not say the queue was drained", n)
		}
	})
}

// A claim takes a group of small entries in one transaction, never a
// large one after the first; claim alone hands the rest back untouched.
func TestClaimGroup(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a, items := withTexts(t, c, 0, 12, func(i int) string {
			if i == 3 {
				return strings.Repeat("Большая справка. ", groupSmall/16)
			}
			return fmt.Sprintf("Справка %d.", i)
		})
		ctx := context.Background()
		// Only the last group leaves the queue drained: the first two
		// are short because of a large entry, not for want of entries.
		g, drained := queuedGroup(t, a, items)
		if len(g) != 3 || drained {
			t.Fatalf("first group: %d entries (drained %v), want the 3 before the large one", len(g), drained)
		}
		g2, drained, err := a.claimGroup(ctx, "kgb", groupEntries)
		if err != nil {
			t.Fatal(err)
		}
		if len(g2) != 1 || !strings.HasSuffix(g2[0].path, "3.txt") || drained {
			t.Fatalf("second group: %d entries (%v, drained %v), want the large one alone", len(g2), g2, drained)
		}
		g3, drained, err := a.claimGroup(ctx, "kgb", groupEntries)
		if err != nil {
			t.Fatal(err)
		}
		rest := min(groupEntries, 12-4)
		if len(g3) != rest || !drained {
			t.Fatalf("third group: %d entries (drained %v), want %d, the queue drained", len(g3), drained, rest)
		}
		if running := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'running' AND attempts = 1`); running != 3+1+rest {
			t.Fatalf("%d entries running", running)
		}
		for _, c := range g3 {
			a.handBack(ctx, c)
		}
		if back := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'queued' AND attempts = 0 AND lease = 0`); back != rest {
			t.Fatalf("%d entries handed back as they were, want %d", back, rest)
		}
		one, err := a.claim(ctx, "kgb")
		if err != nil || one == nil {
			t.Fatalf("claim: %v, %v", one, err)
		}
		if running := count(t, a, `SELECT COUNT(*) FROM archive_entries WHERE state = 'running'`); running != 3+1+1 {
			t.Fatalf("claim kept %d entries running, want only the one it returned more", running-4)
		}
	})
}

// On SQLite, claims and leases (which Open undoes after any crash) commit
// without an fsync each; everything else still fsyncs every commit.
func TestClaimsSkipTheFsync(t *testing.T) {
	a := open(t, Config{Dir: t.TempDir(), NoOCR: true})
	for _, c := range []struct {
		pool *sql.DB
		want int
	}{{a.db.claims, 1}, {a.db.sql, 2}} {
		var got int
		if err := c.pool.QueryRow(`PRAGMA synchronous`).Scan(&got); err != nil || got != c.want {
			t.Errorf("synchronous %d (%v), want %d", got, err, c.want)
		}
	}
}

// Entries claimed ahead go back (stale) only once they have waited, all
// of them, and stop being held.
func TestAheadGoesStale(t *testing.T) {
	b := &batch{held: map[int64]bool{1: true, 2: true, 3: true}, ahead: []*claimed{{id: 2}, {id: 3}}, aheadSince: time.Now()}
	if got := b.stale(time.Hour); got != nil {
		t.Fatalf("fresh entries went stale: %v", got)
	}
	got := b.stale(0)
	if len(got) != 2 || len(b.ahead) != 0 || b.held[2] || b.held[3] || !b.held[1] {
		t.Fatalf("stale gave %d entries, left %d ahead, held %v", len(got), len(b.ahead), b.held)
	}
}
