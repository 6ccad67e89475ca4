package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"confide/internal/translate"
)

// Batch states.
const (
	BatchRunning     = "running"
	BatchDone        = "done"
	BatchFailed      = "failed"
	BatchCancelled   = "cancelled"
	BatchInterrupted = "interrupted"
)

// maxBatches bounds the machine translations the web zone runs at once,
// over all collections (each collection runs one at most), so that
// batches do not take every engine slot from the users' own work.
const maxBatches = 2

// Batch is a machine translation of a collection started from the web
// zone: its progress, as the collection page shows it.
type Batch struct {
	Collection, Lang, Engine, Who string
	State                         string
	Total, Done, Failed           int
	Message                       string
	Started, Ended                string // UTC, to the second
}

// batchRun is a running batch: its row and how to stop it.
type batchRun struct {
	mu     sync.Mutex
	b      Batch
	cancel context.CancelFunc
	saved  time.Time
}

func (r *batchRun) snapshot() Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b
}

// batches runs the web zone's machine translations in the background of
// the server process.
type batches struct {
	a       *Archive
	engines []translate.Engine
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]*batchRun // by collection
	audit   func(who, action, detail string)
}

// ErrBatchRunning refuses a second batch for a collection.
var ErrBatchRunning = errors.New("archive: a machine translation of this collection is running; cancel it or wait for it to end")

// ErrBatchBusy refuses a batch past maxBatches.
var ErrBatchBusy = fmt.Errorf("archive: %d machine translations are running already; start this one when one ends", maxBatches)

func newBatches(a *Archive, engines []translate.Engine, audit func(who, action, detail string)) *batches {
	ctx, stop := context.WithCancel(context.Background())
	return &batches{a: a, engines: engines, ctx: ctx, stop: stop, running: map[string]*batchRun{}, audit: audit}
}

// engine is the configured engine of that name.
func (bs *batches) engine(name string) translate.Engine {
	for _, e := range bs.engines {
		if e.Name() == name {
			return e
		}
	}
	return nil
}

// targets are the languages an engine translates into.
func targets(e translate.Engine) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range e.Pairs() {
		if !seen[p.To] {
			seen[p.To] = true
			out = append(out, p.To)
		}
	}
	return out
}

// start runs a batch for collection into lang with the named engine.
func (bs *batches) start(collection, lang, engine, who, message string) error {
	eng := bs.engine(engine)
	if eng == nil {
		return &InputError{fmt.Sprintf("no engine %q is configured (archive serve --translate-url, or Apertium installed)", engine)}
	}
	offered := false
	for _, t := range targets(eng) {
		offered = offered || t == lang
	}
	if !offered {
		return &InputError{fmt.Sprintf("%s translates into %s, not into %q", eng.Name(), strings.Join(targets(eng), ", "), lang)}
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.running[collection] != nil {
		return ErrBatchRunning
	}
	if len(bs.running) >= maxBatches {
		return ErrBatchBusy
	}
	ctx, cancel := context.WithCancel(bs.ctx)
	run := &batchRun{cancel: cancel, b: Batch{Collection: collection, Lang: lang, Engine: engine, Who: who, State: BatchRunning, Message: message, Started: now()}}
	if err := bs.a.saveBatch(ctx, run.b); err != nil {
		cancel()
		return err
	}
	bs.running[collection] = run
	bs.wg.Add(1)
	go bs.run(ctx, run, eng)
	return nil
}

func (bs *batches) run(ctx context.Context, run *batchRun, eng translate.Engine) {
	defer bs.wg.Done()
	b := run.snapshot()
	where := ""
	if l, ok := eng.(interface{ URL() string }); ok {
		where = " at " + l.URL()
	}
	rep, err := bs.a.MachineTranslate(ctx, MachineRun{Engine: eng, Collection: b.Collection, To: b.Lang, Where: where, Who: b.Who,
		OnStart: func(total, _ int) {
			run.mu.Lock()
			run.b.Total = total
			run.mu.Unlock()
			bs.save(run, false)
		},
		OnPage: func(_ PageText, why string) {
			run.mu.Lock()
			if why == "" {
				run.b.Done++
			} else {
				run.b.Failed++
			}
			run.mu.Unlock()
			bs.save(run, false)
		}})
	run.mu.Lock()
	run.b.Ended = now()
	resumed := run.b.Message
	switch {
	case errors.Is(err, context.Canceled) && bs.ctx.Err() != nil:
		// The server is stopping: the next one goes on.
		run.b.State, run.b.Ended = BatchRunning, ""
		run.b.Message = "stopped with the server; it goes on when the server starts again"
	case errors.Is(err, context.Canceled):
		run.b.State = BatchCancelled
		run.b.Message = "cancelled; the pages translated are kept, and a new run goes on from there"
	case err != nil:
		run.b.State, run.b.Message = BatchFailed, err.Error()
	default:
		run.b.State = BatchDone
		run.b.Message = fmt.Sprintf("translated %d pages with %s; %d already translated by it", rep.Done, rep.Engine, rep.Skipped)
		if len(rep.Failures) > 0 {
			run.b.Message += fmt.Sprintf("; %d failed, for instance %s", len(rep.Failures), rep.Failures[0])
		}
	}
	if resumed != "" && run.b.State != BatchRunning {
		run.b.Message = resumed + "; " + run.b.Message
	}
	b = run.b
	run.mu.Unlock()
	// Audited before the row says it ended, so that whoever sees the end
	// finds it in the log.
	bs.audit(b.Who, "batch translation "+b.State, b.Collection+" into "+b.Lang+" with "+b.Engine+": "+b.Message)
	bs.save(run, true)
	bs.mu.Lock()
	delete(bs.running, b.Collection)
	bs.mu.Unlock()
}

// save writes a batch's progress, at most once a second unless final.
func (bs *batches) save(run *batchRun, final bool) {
	run.mu.Lock()
	if !final && time.Since(run.saved) < time.Second {
		run.mu.Unlock()
		return
	}
	run.saved = time.Now()
	b := run.b
	run.mu.Unlock()
	// The row is written even while the batch is being cancelled.
	bs.a.saveBatch(context.Background(), b)
}

// cancel stops a collection's running batch; false when none runs.
func (bs *batches) cancel(collection string) bool {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if r := bs.running[collection]; r != nil {
		r.cancel()
		return true
	}
	return false
}

// current is a collection's running batch, or its last one; nil if none.
func (bs *batches) current(ctx context.Context, collection string) (*Batch, error) {
	bs.mu.Lock()
	r := bs.running[collection]
	bs.mu.Unlock()
	if r != nil {
		b := r.snapshot()
		return &b, nil
	}
	return bs.a.batch(ctx, collection)
}

// resume starts again the batches a stopped server left running, with
// the same engine if it is still configured; the pages done stay done.
func (bs *batches) resume(ctx context.Context) error {
	var left []Batch
	err := bs.a.each(ctx, `SELECT collection, lang, engine, who FROM archive_translate_jobs WHERE state = ? ORDER BY started`, []any{BatchRunning}, func(r *sql.Rows) error {
		var b Batch
		err := r.Scan(&b.Collection, &b.Lang, &b.Engine, &b.Who)
		left = append(left, b)
		return err
	})
	if err != nil {
		return err
	}
	for _, b := range left {
		if err := bs.start(b.Collection, b.Lang, b.Engine, b.Who, "resumed after a restart"); err != nil {
			b.State, b.Message, b.Ended = BatchInterrupted, "interrupted by a restart and not resumed: "+strings.TrimPrefix(err.Error(), "archive: ")+"; start it again, the pages done stay done", now()
			if err := bs.a.saveBatch(ctx, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// close cancels the running batches and waits for them to record where
// they stopped.
func (bs *batches) close() {
	bs.stop()
	bs.wg.Wait()
}

func (a *Archive) saveBatch(ctx context.Context, b Batch) error {
	_, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_translate_jobs (collection, lang, engine, who, state, total, done, failed, message, started, ended)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET lang = excluded.lang, engine = excluded.engine, who = excluded.who,
		state = excluded.state, total = excluded.total, done = excluded.done, failed = excluded.failed, message = excluded.message, started = excluded.started, ended = excluded.ended`,
		b.Collection, b.Lang, b.Engine, b.Who, b.State, b.Total, b.Done, b.Failed, clean(b.Message), b.Started, b.Ended)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// batch is a collection's last batch; nil if it never had one.
func (a *Archive) batch(ctx context.Context, collection string) (*Batch, error) {
	var b Batch
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT collection, lang, engine, who, state, total, done, failed, message, started, ended FROM archive_translate_jobs WHERE collection = ?`), collection).
		Scan(&b.Collection, &b.Lang, &b.Engine, &b.Who, &b.State, &b.Total, &b.Done, &b.Failed, &b.Message, &b.Started, &b.Ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return &b, nil
}
