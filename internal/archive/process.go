package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"confide/internal/ingest"
	"confide/internal/search"
)

// Progress is what a worker reports after each entry.
type Progress struct {
	Collection, Path string
	State            string // Done or Failed
	Reason           string // why it failed
	Kind             string // the reason's ingest.Kind, if it has one
	Docs, Pages      int
	Failed           int          // documents of the tree that could not be read
	Failures         []DocFailure // the first maxReported of them, with their reasons (status lists all)
}

// maxReported bounds the failures one entry's Progress carries.
const maxReported = 100

// DocFailure is a document that could not be read, and why.
type DocFailure struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	// Kind is the reason's ingest.Kind; "" where the archive itself
	// failed (a missing original, no extractor) and for a whole tree's
	// failure recorded before its root document kept the kind.
	Kind string `json:"kind,omitempty"`
}

// WorkOptions configures Work.
type WorkOptions struct {
	Collection string // only this collection's entries; "" for all
	Workers    int    // goroutines; 1 if 0
	// UntilEmpty returns once the collection has nothing queued or running;
	// otherwise Work polls until ctx ends (a standing worker).
	UntilEmpty bool
	// Progress is called once an entry is stored for good (its rows
	// written, the index committed, the entry marked), one call at a time.
	Progress func(Progress)
	// Queueing, when set, is open while this process may still queue
	// entries (Enqueue beside Work): UntilEmpty waits for it to close, and
	// idle workers wake as soon as a chunk is queued.
	Queueing <-chan struct{}
}

// pollEvery is how often an idle worker looks at the queue again (for
// entries queued by another process; this one's wake it at once).
var pollEvery = time.Second

// The bounds of what the workers hold between two commits. An index
// commit writes a segment and fsyncs it, and each of its transactions
// fsyncs SQLite's log: done for every entry, that is most of the time of a
// trove of small files, and the many small segments are merged (analysed
// again) over and over. So finished entries wait for a shared commit: the
// first after commitEntries of them or commitEvery, later ones after as
// many as the run has committed so far or half its time, up to
// maxCommitEvery, so that a run makes few segments, each about as large as
// all before it (so merged about once). A crash only sends the waiting
// entries back to the queue.
const (
	commitEntries  = 128
	commitEvery    = time.Second
	maxCommitEvery = 10 * time.Second
	batchDocs      = 512     // documents held before their rows are written
	batchText      = 8 << 20 // text (and OCR words) held before the same
)

// Work runs workers over the queue. It returns nil when UntilEmpty and the
// queue is drained, or ctx's error; an entry interrupted by ctx is left to
// be claimed again, and entries finished before are stored first.
func (a *Archive) Work(ctx context.Context, o WorkOptions) error {
	if a.eng == nil {
		return errors.New("archive: opened for its rows only: cannot process")
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	b := &batch{held: map[int64]bool{}, progress: o.Progress, started: time.Now(), kick: make(chan struct{}, 1), group: groupEntries, queueing: o.Queueing}
	if a.db.postgres {
		// Other processes' workers may be idle: take no more than this
		// one's workers can begin at once.
		b.group = o.Workers
	}
	var (
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := func(err error) {
		if err != nil && ctx.Err() == nil {
			errOnce.Do(func() { first = err; cancel() })
		}
	}
	// The flusher stores the batch when it is due, so that the workers go
	// on reading meanwhile; an entry that finished beside a long one is not
	// kept waiting for it.
	quit := make(chan struct{})
	ticked := every(quit, commitEvery/4, b.kick, func() {
		// Documents are written at every tick, not only when the batch
		// is full: what is still held when the tools finish is indexed
		// with both cores otherwise idle, and a full batch of it was a
		// twentieth of a text PDF run.
		if commit := b.due(true); commit || b.holding() {
			stop(a.flush(ctx, b, commit))
		}
		// Entries claimed ahead that none of this process's workers
		// began soon go back for another process's (PostgreSQL).
		if a.db.postgres {
			for _, c := range b.stale(aheadWait) {
				a.handBack(ctx, c)
			}
		}
	})
	// Leases are renewed on their own clock, not the flusher's: a flush
	// slow on the disk must not let them lapse.
	renewed := every(quit, leaseTime/3, nil, func() { a.renew(ctx, b.heldIDs()) })
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			queueing := o.Queueing
			for ctx.Err() == nil {
				wake := a.queued.wait()
				c, err := b.next(ctx, a, o.Collection)
				if err == nil && c == nil {
					// Nothing to claim: what this process finished is
					// stored before it looks at what is left.
					if err := a.flush(ctx, b, true); err != nil {
						stop(err)
						return
					}
					if o.UntilEmpty && queueing == nil {
						busy, err := a.busy(ctx, o.Collection)
						if err == nil && !busy {
							return
						}
					}
					select {
					case <-ctx.Done():
					case <-wake:
					case <-queueing:
						queueing = nil // closed: nothing more will come
					case <-time.After(pollEvery):
					}
					continue
				}
				if err == nil {
					err = a.process(ctx, b, c)
					if err != nil && ctx.Err() != nil {
						// Interrupted before it finished (a finished one
						// waits in the batch, to be stored below): hand it
						// back rather than leave it to its lease, without
						// what it read.
						b.drop(c.id)
						unlock := a.writing()
						a.db.exec(context.Background(), a.db.claims, `UPDATE archive_entries SET state = 'queued', lease = 0 WHERE id = ? AND state = 'running'`, c.id)
						unlock()
					}
				}
				stop(err)
			}
		}()
	}
	wg.Wait()
	close(quit)
	<-ticked
	<-renewed
	// Entries claimed with others and never begun go back to the queue
	// now, rather than after their lease.
	for _, c := range b.unstarted() {
		a.handBack(ctx, c)
	}
	if first != nil {
		return first
	}
	// Interrupted or drained: store what finished (an interruption must not
	// cost the work already done).
	if err := a.flush(ctx, b, true); err != nil {
		return err
	}
	if o.UntilEmpty && parent.Err() != nil {
		return parent.Err()
	}
	return nil
}

// every runs fn in a goroutine of its own every d, and whenever kick
// fires (nil for never), until quit closes; the returned channel closes
// when it has stopped.
func every(quit <-chan struct{}, d time.Duration, kick <-chan struct{}, fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			case <-kick:
			}
			fn()
		}
	}()
	return done
}

// busy reports whether a collection still has entries queued or running
// (in another process, on PostgreSQL).
func (a *Archive) busy(ctx context.Context, collection string) (bool, error) {
	var n int
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_entries WHERE state IN ('queued', 'running') AND (? = '' OR collection = ?)`), collection, collection).Scan(&n)
	return n > 0, err
}

// DocID is the ID of the document at path in a collection: the same on
// every run, so that a re-run replaces rather than adds.
func DocID(collection, path string) string {
	h := sha256.Sum256([]byte(collection + "\x00" + path))
	return hex.EncodeToString(h[:8])
}

// clean makes a string storable in PostgreSQL text (no NUL, valid UTF-8).
func clean(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

type pendingDoc struct {
	entry            int64
	gen              int
	collection       string
	id, parent, path string
	seq              int
	d                *ingest.Document
}

// doneEntry is an entry whose documents are all in the batch or written.
type doneEntry struct {
	c   *claimed
	gen int
	p   Progress
}

// batch is what one Work's workers have read and not yet stored for good:
// documents waiting for their rows, and finished entries waiting for the
// index commit after which they are marked done. It is bounded by the
// constants above.
type batch struct {
	mu      sync.Mutex
	docs    []pendingDoc
	size    int
	done    []doneEntry
	since   time.Time      // when the oldest of done finished
	started time.Time      // when the Work began
	stored  int            // entries marked so far
	held    map[int64]bool // entries claimed and not yet marked: their leases are renewed
	ahead   []*claimed     // entries claimed with others, not yet begun
	// aheadSince is when ahead last filled from empty; group, how many
	// entries a claim may take.
	aheadSince time.Time
	group      int
	kick       chan struct{} // wakes the flusher
	progress   func(Progress)
	// queueing is WorkOptions.Queueing. drained says this process's last
	// claim took the last entries queued, with the queueing over: the
	// run is near its end, its workers about to go idle, so what they
	// finish is written as it comes (a flush per document), and
	// commitNow asks for one commit at once (the segment of everything
	// finished so far is written while the last tools run, rather than
	// with the cores idle after them).
	queueing  <-chan struct{}
	drained   bool
	commitNow bool

	flushMu sync.Mutex // flushes run one at a time, in order
}

// next is an entry to process: one claimed earlier with others, or the
// first of a group claimed now (the rest kept for the next calls); held
// from its claim, so its lease is renewed.
func (b *batch) next(ctx context.Context, a *Archive, collection string) (*claimed, error) {
	b.mu.Lock()
	if len(b.ahead) > 0 {
		c := b.ahead[0]
		b.ahead = b.ahead[1:]
		b.mu.Unlock()
		return c, nil
	}
	b.mu.Unlock()
	group, drained, err := a.claimGroup(ctx, collection, b.group)
	if err != nil || len(group) == 0 {
		return nil, err
	}
	drained = drained && closed(b.queueing)
	b.mu.Lock()
	if drained && !b.drained {
		b.commitNow = true
	}
	b.drained = drained
	for _, c := range group {
		b.held[c.id] = true
	}
	if len(b.ahead) == 0 {
		b.aheadSince = time.Now()
	}
	b.ahead = append(b.ahead, group[1:]...)
	b.mu.Unlock()
	if len(group) > 1 {
		a.queued.broadcast() // idle workers of this process take the rest
	}
	if drained {
		b.poke()
	}
	return group[0], nil
}

// closed reports whether ch is nil or closed.
func closed(ch <-chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// aheadWait is how long entries claimed ahead may wait for a worker of
// this process before they go back to the queue (PostgreSQL).
const aheadWait = 2 * time.Second

// stale takes the entries claimed ahead if they have waited longer than d.
func (b *batch) stale(d time.Duration) []*claimed {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.ahead) == 0 || time.Since(b.aheadSince) < d {
		return nil
	}
	cs := b.ahead
	b.ahead = nil
	for _, c := range cs {
		delete(b.held, c.id)
	}
	return cs
}

// unstarted takes the entries claimed and never begun.
func (b *batch) unstarted() []*claimed {
	b.mu.Lock()
	defer b.mu.Unlock()
	cs := b.ahead
	b.ahead = nil
	for _, c := range cs {
		delete(b.held, c.id)
	}
	return cs
}

func (b *batch) heldIDs() []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]int64, 0, len(b.held))
	for id := range b.held {
		ids = append(ids, id)
	}
	return ids
}

// add adds a document, waking the flusher when the documents held reach
// their bound; past four times the bound (the flusher is behind) it
// reports that the caller must write them itself.
func (b *batch) add(d pendingDoc) (behind bool) {
	b.mu.Lock()
	b.docs = append(b.docs, d)
	for _, pg := range d.d.Pages {
		b.size += len(pg.Text) + 32*len(pg.Words)
	}
	full := len(b.docs) >= batchDocs || b.size >= batchText || b.drained
	behind = len(b.docs) >= 4*batchDocs || b.size >= 4*batchText
	b.mu.Unlock()
	if full {
		b.poke()
	}
	return behind
}

// holding reports whether any documents wait for their rows.
func (b *batch) holding() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.docs) > 0
}

// finish adds a finished entry, waking the flusher when it is time to
// commit.
func (b *batch) finish(f doneEntry) {
	b.mu.Lock()
	if len(b.done) == 0 {
		b.since = time.Now()
	}
	b.done = append(b.done, f)
	b.mu.Unlock()
	if b.due(true) {
		b.poke()
	}
}

func (b *batch) poke() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// due says whether finished entries have waited long enough, or are
// enough (when full counts too), for a commit.
func (b *batch) due(full bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	wait := min(max(commitEvery, time.Since(b.started)/2), maxCommitEvery)
	return len(b.done) > 0 && (b.commitNow || time.Since(b.since) >= wait || full && len(b.done) >= max(commitEntries, b.stored))
}

// drop forgets an interrupted entry: its documents not yet written, and
// its lease.
func (b *batch) drop(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.docs = slices.DeleteFunc(b.docs, func(d pendingDoc) bool { return d.entry == id })
	delete(b.held, id)
}

// process extracts one entry and adds its documents to the batch, then the
// entry itself, finished; it is marked done by the flush that follows.
func (a *Archive) process(ctx context.Context, b *batch, c *claimed) error {
	p := Progress{Collection: c.collection, Path: c.path}
	gen := c.gen
	end := func() error {
		b.finish(doneEntry{c, gen, p})
		return nil
	}
	fail := func(reason string) error {
		p.State, p.Reason = Failed, reason
		return end()
	}
	ext, err := a.extractor(c.lang)
	if err != nil {
		return fail(err.Error())
	}
	f, err := os.Open(a.originalPath(c.sum))
	if err != nil {
		return fail("the original is missing from the data folder: " + err.Error())
	}
	defer f.Close()

	dir := path.Dir(c.path)
	// The ancestors of the document being read: a document comes before
	// its children, depth first, so its parent is always on this stack,
	// which the nesting limit bounds (a map of every path would grow with
	// a million-member zip).
	type ancestor struct{ ingestPath, id string }
	var stack []ancestor
	seen := map[string]int{}
	seq := 0
	var rootErr *ingest.Failure
	err = ext.Extract(ctx, ingest.Input{Name: path.Base(c.path), R: f, Size: -1}, func(d *ingest.Document) error {
		full := d.Path
		if dir != "." {
			full = dir + "/" + d.Path
		}
		full = clean(full)
		if n := seen[full]; n > 0 {
			seen[full] = n + 1
			full = fmt.Sprintf("%s#%d", full, n+1)
		} else {
			seen[full] = 1
		}
		id := DocID(c.collection, full)
		for len(stack) > 0 && stack[len(stack)-1].ingestPath != d.Parent {
			stack = stack[:len(stack)-1]
		}
		parent := ""
		if len(stack) > 0 {
			parent = stack[len(stack)-1].id
		}
		stack = append(stack, ancestor{d.Path, id})
		seq++
		p.Docs++
		p.Pages += len(d.Pages)
		if d.Err != nil {
			if d.Depth == 0 {
				rootErr = d.Err
			}
			p.Failed++
			if len(p.Failures) < maxReported {
				p.Failures = append(p.Failures, DocFailure{full, d.Err.Reason, string(d.Err.Kind)})
			}
		}
		if b.add(pendingDoc{entry: c.id, gen: gen, collection: c.collection, id: id, parent: parent, path: full, seq: seq, d: d}) {
			return a.flush(ctx, b, false)
		}
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var tree *ingest.Failure
	switch {
	case errors.As(err, &tree):
		p.State, p.Reason, p.Kind = Failed, tree.Reason, string(tree.Kind)
	case err != nil:
		return err
	case rootErr != nil:
		p.State, p.Reason, p.Kind = Failed, rootErr.Reason, string(rootErr.Kind)
	default:
		p.State = Done
	}
	return end()
}

// flush writes the batch's documents (rows, then the index), and with
// commit, for the entries that finished: takes out what earlier runs of
// them made and these did not, commits the index, then marks them in one
// transaction and reports them. An entry is marked done only after the commit that holds all its
// documents. A flush is short and runs to its end even when ctx ends, so
// that an interruption costs no finished work.
func (a *Archive) flush(ctx context.Context, b *batch, commit bool) error {
	ctx = context.WithoutCancel(ctx)
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	docs, done := b.docs, b.done
	b.docs, b.size = nil, 0
	if commit {
		b.done, b.commitNow = nil, false
	} else {
		done = nil
	}
	b.mu.Unlock()
	if len(docs) > 0 {
		if err := a.writeDocs(ctx, docs); err != nil {
			return err
		}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.id
		}
		// Tags are the users', kept across runs: the document keeps its ID.
		tags, err := a.tagsOf(ctx, ids)
		if err != nil {
			return err
		}
		if err := a.index(docs, tags); err != nil {
			return err
		}
	}
	if len(done) == 0 {
		return nil
	}
	for _, f := range done {
		if err := a.unindexStale(ctx, f.c.id, f.gen); err != nil {
			return err
		}
	}
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return fmt.Errorf("archive: index commit: %w", err)
	}
	if err := a.markDone(ctx, done); err != nil {
		return err
	}
	// A worker idle until the queue drains looks again now, not at its
	// next poll: these may have been the last (the run ended up to a
	// second late, which was most of a small ingest's time).
	a.queued.broadcast()
	b.mu.Lock()
	for _, f := range done {
		delete(b.held, f.c.id)
	}
	b.stored += len(done)
	b.mu.Unlock()
	if b.progress != nil {
		for _, f := range done {
			b.progress(f.p)
		}
	}
	return nil
}

// writeDocs upserts a batch of documents and their pages in one transaction.
func (a *Archive) writeDocs(ctx context.Context, batch []pendingDoc) error {
	defer a.writing()()
	tx, err := a.db.begin(ctx, a.db.sql)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	for _, b := range batch {
		d := b.d
		fields, _ := json.Marshal(d.Fields)
		steps, _ := json.Marshal(d.Steps)
		warnings, _ := json.Marshal(d.Warnings)
		var kind, reason string
		if d.Err != nil {
			kind, reason = string(d.Err.Kind), d.Err.Reason
		}
		if _, err := tx.exec(ctx, `INSERT INTO archive_documents (id, entry_id, parent_id, path, seq, gen, type, lang, size, sha256, fields, steps, warnings, fail_kind, fail_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, parent_id = excluded.parent_id, path = excluded.path, seq = excluded.seq, gen = excluded.gen,
			type = excluded.type, lang = excluded.lang, size = excluded.size, sha256 = excluded.sha256, fields = excluded.fields, steps = excluded.steps,
			warnings = excluded.warnings, fail_kind = excluded.fail_kind, fail_reason = excluded.fail_reason`,
			b.id, b.entry, b.parent, b.path, b.seq, b.gen, d.Type, docLang(d), d.Size, d.SHA256, clean(string(fields)), clean(string(steps)), clean(string(warnings)), kind, clean(reason)); err != nil {
			return fmt.Errorf("archive: document %s: %w", b.path, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM archive_pages WHERE doc_id = ?`, b.id); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		for _, pg := range d.Pages {
			words, _ := json.Marshal(pg.Words)
			if _, err := tx.exec(ctx, `INSERT INTO archive_pages (doc_id, number, text, lang, ocr, confidence, low, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				b.id, pg.Number, clean(pg.Text), pg.Lang, boolInt(pg.OCR), pg.Confidence, boolInt(pg.LowConfidence), clean(string(words))); err != nil {
				return fmt.Errorf("archive: page %d of %s: %w", pg.Number, b.path, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// batchAdder is an engine that adds many documents faster at once (the
// embedded one analyses them on every core and compresses their stored
// text together, where one at a time it set up a compressor each).
type batchAdder interface {
	AddBatch([]search.Doc) error
}

// index adds the documents with text to the search engine, in order, and
// takes out those that no longer have any.
func (a *Archive) index(docs []pendingDoc, tags map[string][]string) error {
	var run []search.Doc // documents to add, up to the next to take out
	add := func() error {
		if len(run) == 0 {
			return nil
		}
		var err error
		if ba, ok := a.eng.(batchAdder); ok {
			err = ba.AddBatch(run)
		} else {
			for _, d := range run {
				if err = a.eng.Add(d); err != nil {
					break
				}
			}
		}
		run = run[:0]
		if err != nil {
			return fmt.Errorf("archive: index: %w", err)
		}
		return nil
	}
	for _, b := range docs {
		if len(b.d.Pages) == 0 {
			if err := add(); err != nil {
				return err
			}
			if err := a.eng.Delete(b.id); err != nil && !errors.Is(err, search.ErrNotFound) {
				return fmt.Errorf("archive: index: %w", err)
			}
			continue
		}
		pages := make([]string, len(b.d.Pages))
		for i, pg := range b.d.Pages {
			pages[i] = pg.Text
		}
		run = append(run, search.Doc{ID: b.id, Collection: b.collection, Lang: docLang(b.d), Type: b.d.Type, Tags: tags[b.id], Pages: pages})
	}
	return add()
}

// unindexStale takes out of the index the documents an earlier run of an
// entry made and this one did not (their rows go in markDone).
func (a *Archive) unindexStale(ctx context.Context, entry int64, gen int) error {
	if gen <= 1 {
		return nil // a first run: no earlier one indexed anything
	}
	rows, err := a.db.sql.QueryContext(ctx, a.db.q(`SELECT id FROM archive_documents WHERE entry_id = ? AND gen < ?`), entry, gen)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	var stale []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("archive: %w", err)
		}
		stale = append(stale, id)
	}
	rows.Close()
	for _, id := range stale {
		if err := a.eng.Delete(id); err != nil && !errors.Is(err, search.ErrNotFound) {
			return fmt.Errorf("archive: index: %w", err)
		}
		// Its translations go with it (ON DELETE CASCADE), and so do
		// their search documents.
		if err := a.unindexTranslations(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// markDone removes the stale rows of finished entries and records their
// outcome, in one transaction.
func (a *Archive) markDone(ctx context.Context, done []doneEntry) error {
	defer a.writing()()
	tx, err := a.db.begin(ctx, a.db.sql)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	for _, f := range done {
		c, gen, p := f.c, f.gen, &f.p
		for _, q := range []string{
			`DELETE FROM archive_pages WHERE doc_id IN (SELECT id FROM archive_documents WHERE entry_id = ? AND gen < ?)`,
			`DELETE FROM archive_documents WHERE entry_id = ? AND gen < ?`,
		} {
			if gen <= 1 {
				break // a first run: no earlier one left rows
			}
			if _, err := tx.exec(ctx, q, c.id, gen); err != nil {
				return fmt.Errorf("archive: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE archive_entries SET state = ?, reason = ?, docs = ?, pages = ?, lease = 0 WHERE id = ?`, p.State, clean(p.Reason), p.Docs, p.Pages, c.id); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		// A tree that failed as a whole (a zip bomb, too many members)
		// fails its root document too, which holds the failure's kind
		// for the status; a root that failed by itself already has it.
		if p.Kind != "" {
			if _, err := tx.exec(ctx, `UPDATE archive_documents SET fail_kind = ?, fail_reason = ? WHERE entry_id = ? AND gen = ? AND seq = 1 AND fail_reason = ''`, p.Kind, clean(p.Reason), c.id, gen); err != nil {
				return fmt.Errorf("archive: %w", err)
			}
		}
		action := fmt.Sprintf("processed (run %d, OCR %s): %d documents, %d pages", gen, c.lang, p.Docs, p.Pages)
		if a.c.NoOCR {
			action = fmt.Sprintf("processed (run %d, OCR off): %d documents, %d pages", gen, p.Docs, p.Pages)
		}
		if p.State == Failed {
			action += "; failed: " + p.Reason
		}
		if _, err := tx.exec(ctx, `INSERT INTO archive_events (entry_id, at, who, action, origin) VALUES (?, ?, ?, ?, '{}')`, c.id, now(), a.c.Who, clean(action)); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// signal wakes every goroutine waiting on it.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed by the next broadcast; take it before
// looking, so that a broadcast in between is not missed.
func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// docLang is a document's language: that of most of its pages.
func docLang(d *ingest.Document) string {
	count := map[string]int{}
	best := ""
	for _, p := range d.Pages {
		if p.Lang == "" {
			continue
		}
		count[p.Lang]++
		if count[p.Lang] > count[best] {
			best = p.Lang
		}
	}
	return best
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// groupCommit lets workers share index commits: a worker needs a commit
// that starts after its own adds; while one runs, the others wait for the
// next, which one of them runs for all. Each commit writes a segment, so
// this keeps a trove of small files from becoming as many segments.
type groupCommit struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	started uint64 // commits started
	done    uint64 // the last commit finished
	err     error  // its error
}

func (g *groupCommit) commit(fn func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	need := g.started + 1
	for g.done < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := fn()
		g.mu.Lock()
		g.running, g.done, g.err = false, n, err
		g.cond.Broadcast()
	}
	return g.err
}
