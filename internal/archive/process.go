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
}

// WorkOptions configures Work.
type WorkOptions struct {
	Collection string // only this collection's entries; "" for all
	Workers    int    // goroutines; 1 if 0
	// UntilEmpty returns once the collection has nothing queued or running;
	// otherwise Work polls until ctx ends (a standing worker).
	UntilEmpty bool
	Progress   func(Progress) // called from the workers, one at a time
}

// pollEvery is how often an idle worker looks at the queue again.
const pollEvery = time.Second

// Work runs workers over the queue. It returns nil when UntilEmpty and the
// queue is drained, or ctx's error; an entry interrupted by ctx is left to
// be claimed again.
func (a *Archive) Work(ctx context.Context, o WorkOptions) error {
	if a.eng == nil {
		return errors.New("archive: opened for its rows only: cannot process")
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	var (
		mu      sync.Mutex // serialises Progress and guards held
		held    = map[int64]bool{}
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(leaseTime / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				mu.Lock()
				ids := make([]int64, 0, len(held))
				for id := range held {
					ids = append(ids, id)
				}
				mu.Unlock()
				a.renew(ctx, ids)
			}
		}
	}()
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c, err := a.claim(ctx, o.Collection)
				if err == nil && c == nil {
					if o.UntilEmpty {
						busy, err := a.busy(ctx, o.Collection)
						if err == nil && !busy {
							return
						}
					}
					select {
					case <-ctx.Done():
					case <-time.After(pollEvery):
					}
					continue
				}
				if err == nil {
					mu.Lock()
					held[c.id] = true
					mu.Unlock()
					var p Progress
					p, err = a.process(ctx, c)
					if ctx.Err() != nil {
						// Interrupted: hand the entry back rather than
						// leave it to its lease.
						a.db.exec(context.Background(), a.db.sql, `UPDATE archive_entries SET state = 'queued', lease = 0 WHERE id = ? AND state = 'running'`, c.id)
					}
					mu.Lock()
					delete(held, c.id)
					if err == nil && o.Progress != nil {
						o.Progress(p)
					}
					mu.Unlock()
				}
				if err != nil && ctx.Err() == nil {
					errOnce.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if o.UntilEmpty && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
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
	id, parent, path string
	seq              int
	d                *ingest.Document
}

// batchText bounds the text a worker holds before writing it out.
const batchText = 8 << 20

// process extracts one entry, writes its documents and indexes them; the
// entry is marked done only after the index committed.
func (a *Archive) process(ctx context.Context, c *claimed) (Progress, error) {
	p := Progress{Collection: c.collection, Path: c.path}
	var gen int
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT attempts FROM archive_entries WHERE id = ?`), c.id).Scan(&gen); err != nil {
		return p, fmt.Errorf("archive: %w", err)
	}
	fail := func(reason string) (Progress, error) {
		p.State, p.Reason = Failed, reason
		return p, a.finish(ctx, c, gen, &p)
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
	var batch []pendingDoc
	var size int
	seq := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := a.writeDocs(ctx, c, gen, batch); err != nil {
			return err
		}
		for _, b := range batch {
			if err := a.index(ctx, c.collection, b); err != nil {
				return err
			}
		}
		batch, size = batch[:0], 0
		return nil
	}
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
		batch = append(batch, pendingDoc{id: id, parent: parent, path: full, seq: seq, d: d})
		p.Docs++
		p.Pages += len(d.Pages)
		for _, pg := range d.Pages {
			size += len(pg.Text)
		}
		if d.Err != nil {
			if d.Depth == 0 {
				rootErr = d.Err
			}
			p.Failed++
			if len(p.Failures) < maxReported {
				p.Failures = append(p.Failures, DocFailure{full, d.Err.Reason})
			}
		}
		if len(batch) >= 64 || size >= batchText {
			return flush()
		}
		return nil
	})
	if ctx.Err() != nil {
		return p, ctx.Err()
	}
	var tree *ingest.Failure
	switch {
	case errors.As(err, &tree):
		p.State, p.Reason = Failed, tree.Reason
	case err != nil:
		return p, err
	case rootErr != nil:
		p.State, p.Reason = Failed, rootErr.Reason
	default:
		p.State = Done
	}
	if err := flush(); err != nil {
		return p, err
	}
	return p, a.finish(ctx, c, gen, &p)
}

// writeDocs upserts a batch of documents and their pages in one transaction.
func (a *Archive) writeDocs(ctx context.Context, c *claimed, gen int, batch []pendingDoc) error {
	tx, err := a.db.sql.BeginTx(ctx, nil)
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
		if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_documents (id, entry_id, parent_id, path, seq, gen, type, lang, size, sha256, fields, steps, warnings, fail_kind, fail_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, parent_id = excluded.parent_id, path = excluded.path, seq = excluded.seq, gen = excluded.gen,
			type = excluded.type, lang = excluded.lang, size = excluded.size, sha256 = excluded.sha256, fields = excluded.fields, steps = excluded.steps,
			warnings = excluded.warnings, fail_kind = excluded.fail_kind, fail_reason = excluded.fail_reason`,
			b.id, c.id, b.parent, b.path, b.seq, gen, d.Type, docLang(d), d.Size, d.SHA256, clean(string(fields)), clean(string(steps)), clean(string(warnings)), kind, clean(reason)); err != nil {
			return fmt.Errorf("archive: document %s: %w", b.path, err)
		}
		if _, err := a.db.exec(ctx, tx, `DELETE FROM archive_pages WHERE doc_id = ?`, b.id); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		for _, pg := range d.Pages {
			words, _ := json.Marshal(pg.Words)
			if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_pages (doc_id, number, text, lang, ocr, confidence, low, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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

// index adds a document with text to the search engine, or takes out one
// that no longer has any.
func (a *Archive) index(ctx context.Context, collection string, b pendingDoc) error {
	if len(b.d.Pages) == 0 {
		if err := a.eng.Delete(b.id); err != nil && !errors.Is(err, search.ErrNotFound) {
			return fmt.Errorf("archive: index: %w", err)
		}
		return nil
	}
	pages := make([]string, len(b.d.Pages))
	for i, pg := range b.d.Pages {
		pages[i] = pg.Text
	}
	// Tags are the users', kept across runs: the document keeps its ID.
	tags, err := a.Tags(ctx, b.id)
	if err != nil {
		return err
	}
	if err := a.eng.Add(search.Doc{ID: b.id, Collection: collection, Lang: docLang(b.d), Type: b.d.Type, Tags: tags, Pages: pages}); err != nil {
		return fmt.Errorf("archive: index %s: %w", b.path, err)
	}
	return nil
}

// finish commits the index, removes what an earlier run of the entry made
// and this one did not, and records the outcome.
func (a *Archive) finish(ctx context.Context, c *claimed, gen int, p *Progress) error {
	rows, err := a.db.sql.QueryContext(ctx, a.db.q(`SELECT id FROM archive_documents WHERE entry_id = ? AND gen < ?`), c.id, gen)
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
	if err := a.commits.commit(a.eng.Commit); err != nil {
		return fmt.Errorf("archive: index commit: %w", err)
	}
	tx, err := a.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM archive_pages WHERE doc_id IN (SELECT id FROM archive_documents WHERE entry_id = ? AND gen < ?)`,
		`DELETE FROM archive_documents WHERE entry_id = ? AND gen < ?`,
	} {
		if _, err := a.db.exec(ctx, tx, q, c.id, gen); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	if _, err := a.db.exec(ctx, tx, `UPDATE archive_entries SET state = ?, reason = ?, docs = ?, pages = ?, lease = 0 WHERE id = ?`, p.State, clean(p.Reason), p.Docs, p.Pages, c.id); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	action := fmt.Sprintf("processed (run %d, OCR %s): %d documents, %d pages", gen, c.lang, p.Docs, p.Pages)
	if a.c.NoOCR {
		action = fmt.Sprintf("processed (run %d, OCR off): %d documents, %d pages", gen, p.Docs, p.Pages)
	}
	if p.State == Failed {
		action += "; failed: " + p.Reason
	}
	if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_events (entry_id, at, who, action, origin) VALUES (?, ?, ?, ?, '{}')`, c.id, now(), a.c.Who, clean(action)); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
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
