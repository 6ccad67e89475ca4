package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"confide/internal/translate"
	"confide/internal/web"
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
// over all collections and every server on the database (each collection
// runs one at most), so that batches do not take every engine slot from
// the users' own work.
const maxBatches = 2

// batchTick is how often a server looks at the runs' rows: whether one of
// its own was cancelled from another server or taken from it, and whether
// a run is held by no live server (its server stopped and gave it back,
// or died and its lease ran out), to take it over. Its leases are renewed
// every leaseTime/3, as the ingest queue's are.
const batchTick = time.Second

// batchLock is the PostgreSQL advisory lock under which a server claims a
// run, so that two servers counting the live runs at once cannot both
// start one past maxBatches (on SQLite the write lock does it).
const batchLock = 7412

// errBatchLost is the cause that stops a run this server no longer holds:
// another server took it over (this one missed its renewals), so the row
// is theirs and nothing more is written to it from here.
var errBatchLost = errors.New("archive: another server holds this machine translation now")

// Batch is a machine translation of a collection started from the web
// zone: its progress, as the collection page shows it.
type Batch struct {
	Collection, Lang, Engine, Who string
	State                         string
	Total, Done, Failed           int
	// Message is how the run went, in English (batchWords' sentences,
	// joined by "; ", or an error's detail).
	Message        string
	Started, Ended string // UTC, to the second
}

// batchWords are the catalogue's keys of the sentences a run's Message is
// made of, for the collection page to say in its reader's language
// (reword).
var batchWords = []string{"archive.batch.msg.resumed", "archive.batch.msg.taken", "archive.batch.msg.stopped", "archive.batch.msg.cancelled",
	"archive.batch.msg.translated", "archive.batch.msg.skipped", "archive.batch.msg.failed", "archive.batch.msg.interrupted"}

// batchRun is a running batch: its row and how to stop it.
type batchRun struct {
	collection string
	mu         sync.Mutex
	b          Batch
	ctx        context.Context // the run's own: its cause says why it stopped
	cancel     context.CancelCauseFunc
	saved      time.Time
}

func (r *batchRun) snapshot() Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b
}

// batches runs the web zone's machine translations in the background of
// the server process. A run is held by one server at a time: its row
// names the owner and a lease the owner renews (see claimBatch).
type batches struct {
	a       *Archive
	engines []translate.Engine
	owner   string // this server's name in the rows of the runs it holds
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]*batchRun // by collection: the runs this server holds
	audit   func(who, action, detail string)
}

// ErrBatchRunning refuses a second batch for a collection.
var ErrBatchRunning = errors.New("archive: a machine translation of this collection is running; cancel it or wait for it to end")

// ErrBatchBusy refuses a batch past maxBatches.
var ErrBatchBusy = fmt.Errorf("archive: %d machine translations are running already; start this one when one ends", maxBatches)

func newBatches(a *Archive, engines []translate.Engine, audit func(who, action, detail string)) *batches {
	ctx, stop := context.WithCancel(context.Background())
	owner, _ := web.NewToken()
	return &batches{a: a, engines: engines, owner: owner, ctx: ctx, stop: stop, running: map[string]*batchRun{}, audit: audit}
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

// pick is the configured engine of that name, if it translates into lang.
func (bs *batches) pick(engine, lang string) (translate.Engine, error) {
	eng := bs.engine(engine)
	if eng == nil {
		return nil, &InputError{fmt.Sprintf("no engine %q is configured (archive serve --translate-url, or Apertium installed)", engine)}
	}
	if !slices.Contains(targets(eng), lang) {
		return nil, &InputError{fmt.Sprintf("%s translates into %s, not into %q", eng.Name(), strings.Join(targets(eng), ", "), lang)}
	}
	return eng, nil
}

// start runs a batch for collection into lang with the named engine.
func (bs *batches) start(collection, lang, engine, who string) error {
	eng, err := bs.pick(engine, lang)
	if err != nil {
		return err
	}
	return bs.launch(Batch{Collection: collection, Lang: lang, Engine: engine, Who: who, State: BatchRunning, Started: now()}, eng, false)
}

// launch claims b's run for this server (takeOver: only one no live
// server holds) and runs it in the background.
func (bs *batches) launch(b Batch, eng translate.Engine, takeOver bool) error {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.running[b.Collection] != nil {
		return ErrBatchRunning
	}
	if bs.ctx.Err() != nil {
		return errors.New("archive: the server is stopping; start the machine translation again when it is back")
	}
	if err := bs.a.claimBatch(bs.ctx, b, bs.owner, takeOver); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(bs.ctx)
	run := &batchRun{collection: b.Collection, ctx: ctx, cancel: cancel, b: b}
	bs.running[b.Collection] = run
	bs.wg.Add(1)
	go bs.run(run, eng)
	return nil
}

func (bs *batches) run(run *batchRun, eng translate.Engine) {
	ctx := run.ctx
	defer bs.wg.Done()
	defer func() {
		bs.mu.Lock()
		if bs.running[run.collection] == run { // not a run launched since
			delete(bs.running, run.collection)
		}
		bs.mu.Unlock()
	}()
	// A cancel asked while the run's last server was dying is seen before
	// any page goes to the engine.
	bs.check(run, false)
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
	if errors.Is(context.Cause(ctx), errBatchLost) {
		return // the server that took it over writes its end
	}
	// The end is worked out apart from the run's copy, which the pages
	// show while the run is held: it is published with the row.
	b = run.snapshot()
	b.Ended = now()
	resumed := b.Message
	switch {
	case errors.Is(err, context.Canceled) && bs.ctx.Err() != nil:
		// The server is stopping: the next one goes on.
		b.State, b.Ended = BatchRunning, ""
		b.Message = english("archive.batch.msg.stopped")
	case errors.Is(err, context.Canceled):
		b.State = BatchCancelled
		b.Message = english("archive.batch.msg.cancelled")
	case err != nil:
		b.State, b.Message = BatchFailed, err.Error()
	default:
		b.State = BatchDone
		b.Message = english("archive.batch.msg.translated", rep.Done, rep.Engine) + "; " + english("archive.batch.msg.skipped", rep.Skipped)
		if len(rep.Failures) > 0 {
			b.Message += "; " + english("archive.batch.msg.failed", len(rep.Failures), rep.Failures[0])
		}
	}
	if resumed != "" && b.State != BatchRunning {
		b.Message = resumed + "; " + b.Message
	}
	// Audited before anything says it ended, so that whoever sees the end
	// finds it in the log.
	bs.audit(b.Who, "batch translation "+b.State, b.Collection+" into "+b.Lang+" with "+b.Engine+": "+b.Message)
	// The end is written and the run forgotten at once, under the lock
	// launch and current hold: whoever sees the end may start the next run.
	bs.mu.Lock()
	defer bs.mu.Unlock()
	run.mu.Lock()
	run.b = b
	run.mu.Unlock()
	bs.save(run, true)
	delete(bs.running, run.collection)
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
	bs.a.saveBatch(context.Background(), b, bs.owner, final)
}

// cancel stops a collection's running batch, whichever server runs it:
// this one's at once, another's when it next looks at its row (within
// batchTick), and one no live server holds is ended here. False when
// none runs.
func (bs *batches) cancel(ctx context.Context, collection string) (bool, error) {
	// The row says so even for this server's run: stopped before it saw
	// the cancel, it goes to the next server with it.
	ok, err := bs.a.cancelBatch(ctx, collection)
	bs.mu.Lock()
	r := bs.running[collection]
	bs.mu.Unlock()
	if r != nil {
		r.cancel(nil)
		ok = true
	}
	return ok, err
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

// resume takes over the runs a stopped server left, and from then on
// watches the runs' rows (when this server has an engine to run them).
func (bs *batches) resume(ctx context.Context) error {
	if err := bs.takeOver(ctx); err != nil {
		return err
	}
	if len(bs.engines) > 0 {
		bs.wg.Add(1)
		go bs.watch()
	}
	return nil
}

// watch looks at the runs' rows every batchTick until the server stops.
func (bs *batches) watch() {
	defer bs.wg.Done()
	t := time.NewTicker(batchTick)
	defer t.Stop()
	renewed := time.Now()
	for {
		select {
		case <-bs.ctx.Done():
			return
		case <-t.C:
		}
		renew := time.Since(renewed) >= leaseTime/3
		if renew {
			renewed = time.Now()
		}
		bs.mu.Lock()
		runs := slices.Collect(maps.Values(bs.running))
		bs.mu.Unlock()
		for _, r := range runs {
			bs.check(r, renew)
		}
		// A failure is looked at again on the next tick.
		bs.takeOver(bs.ctx)
	}
}

// check looks at the row of a run this server holds (renewing its lease
// first, with renew): one another server took over stops here without
// writing to the row again, one cancelled from another server stops as
// cancelled. A database that does not answer changes nothing: the lease
// covers a short outage, and a longer one gives the run to another server.
func (bs *batches) check(run *batchRun, renew bool) {
	ctx := bs.ctx
	if renew {
		if held, err := bs.a.renewBatch(ctx, run.collection, bs.owner); err == nil && !held {
			run.cancel(errBatchLost)
			return
		}
	}
	owner, state, asked, err := bs.a.batchClaim(ctx, run.collection)
	switch {
	case err != nil:
	case owner != bs.owner || state != BatchRunning:
		run.cancel(errBatchLost)
	case asked:
		run.cancel(nil)
	}
}

// takeOver starts the runs no live server holds: those a stopped server
// gave back and those of a server that died (its lease ran out), with the
// same engine if this server has it (else the run ends as interrupted);
// the pages done stay done. One past maxBatches waits for a later look.
func (bs *batches) takeOver(ctx context.Context) error {
	type left struct {
		b     Batch
		lease int64
	}
	var ls []left
	err := bs.a.each(ctx, `SELECT collection, lang, engine, who, lease FROM archive_translate_jobs WHERE state = ? AND lease < ? ORDER BY started`, []any{BatchRunning, time.Now().Unix()}, func(r *sql.Rows) error {
		var l left
		err := r.Scan(&l.b.Collection, &l.b.Lang, &l.b.Engine, &l.b.Who, &l.lease)
		ls = append(ls, l)
		return err
	})
	if err != nil {
		return err
	}
	for _, l := range ls {
		b := l.b
		b.State, b.Started, b.Message = BatchRunning, now(), english("archive.batch.msg.resumed")
		if l.lease != 0 {
			b.Message = english("archive.batch.msg.taken")
		}
		eng, err := bs.pick(b.Engine, b.Lang)
		if err != nil {
			why := english("archive.batch.msg.interrupted", strings.TrimPrefix(err.Error(), "archive: "))
			if err := bs.a.interruptBatch(ctx, b.Collection, why); err != nil {
				return err
			}
			continue
		}
		switch err := bs.launch(b, eng, true); {
		case errors.Is(err, ErrBatchRunning), errors.Is(err, ErrBatchBusy):
			// Another server took it first, or it waits for a slot.
		case err != nil:
			return err
		}
	}
	return nil
}

// close cancels the running batches and waits for them to record where
// they stopped (and give back their leases, for the next server).
func (bs *batches) close() {
	bs.stop()
	bs.wg.Wait()
}

// claimBatch makes b's run owner's, in one transaction that two servers
// cannot both win (SQLite's write lock; on PostgreSQL batchLock, and the
// write is conditional besides): a new run replaces a row no live server
// runs, a taken-over one (takeOver) only a running row whose lease ran
// out (0: its server gave it back when it stopped). A live run of the
// collection is ErrBatchRunning; maxBatches live runs over all,
// ErrBatchBusy.
func (a *Archive) claimBatch(ctx context.Context, b Batch, owner string, takeOver bool) error {
	// As for the queue's claims: a commit cut short may still be applied.
	ctx = context.WithoutCancel(ctx)
	tx, err := a.db.sql.BeginTx(ctx, nil) // SQLite: IMMEDIATE (_txlock)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	if a.db.postgres {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, batchLock)); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	t := time.Now().Unix()
	var live int
	if err := tx.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_translate_jobs WHERE state = ? AND lease >= ? AND collection <> ?`), BatchRunning, t, b.Collection).Scan(&live); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	var res sql.Result
	if takeOver {
		res, err = a.db.exec(ctx, tx, `UPDATE archive_translate_jobs SET owner = ?, lease = ?, total = 0, done = 0, failed = 0, message = ?, started = ?, ended = ''
			WHERE collection = ? AND state = ? AND lease < ?`, owner, leaseUntil(), clean(b.Message), b.Started, b.Collection, BatchRunning, t)
	} else {
		res, err = a.db.exec(ctx, tx, `INSERT INTO archive_translate_jobs (collection, lang, engine, who, state, total, done, failed, message, started, ended, owner, lease, cancel_asked)
			VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, ?, '', ?, ?, 0) ON CONFLICT (collection) DO UPDATE SET lang = excluded.lang, engine = excluded.engine, who = excluded.who,
			state = excluded.state, total = 0, done = 0, failed = 0, message = excluded.message, started = excluded.started, ended = '',
			owner = excluded.owner, lease = excluded.lease, cancel_asked = 0
			WHERE archive_translate_jobs.state <> ? OR archive_translate_jobs.lease < ?`,
			b.Collection, b.Lang, b.Engine, b.Who, BatchRunning, clean(b.Message), b.Started, owner, leaseUntil(), BatchRunning, t)
	}
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return ErrBatchRunning
	}
	if live >= maxBatches {
		return ErrBatchBusy
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// renewBatch extends the lease of owner's run of collection; false when
// owner holds it no more.
func (a *Archive) renewBatch(ctx context.Context, collection, owner string) (bool, error) {
	defer a.writing()()
	res, err := a.db.exec(ctx, a.db.claims, `UPDATE archive_translate_jobs SET lease = ? WHERE collection = ? AND owner = ? AND state = ?`, leaseUntil(), collection, owner, BatchRunning)
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	k, err := res.RowsAffected()
	return k > 0, err
}

// batchClaim is who holds a collection's run, its state and whether a
// cancel was asked.
func (a *Archive) batchClaim(ctx context.Context, collection string) (owner, state string, asked bool, err error) {
	var n int
	err = a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT owner, state, cancel_asked FROM archive_translate_jobs WHERE collection = ?`), collection).Scan(&owner, &state, &n)
	if err != nil {
		return "", "", false, fmt.Errorf("archive: %w", err)
	}
	return owner, state, n != 0, nil
}

// cancelBatch ends a collection's run that no live server holds, or asks
// the one that holds it to stop; false when none runs.
func (a *Archive) cancelBatch(ctx context.Context, collection string) (bool, error) {
	res, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET state = ?, message = ?, ended = ?, lease = 0 WHERE collection = ? AND state = ? AND lease < ?`,
		BatchCancelled, english("archive.batch.msg.cancelled"), now(), collection, BatchRunning, time.Now().Unix())
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	if k, _ := res.RowsAffected(); k > 0 {
		return true, nil
	}
	res, err = a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET cancel_asked = 1 WHERE collection = ? AND state = ?`, collection, BatchRunning)
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	k, _ := res.RowsAffected()
	return k > 0, nil
}

// interruptBatch ends, saying why, a collection's run that no live server
// holds and this one cannot run.
func (a *Archive) interruptBatch(ctx context.Context, collection, why string) error {
	_, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET state = ?, message = ?, ended = ?, lease = 0 WHERE collection = ? AND state = ? AND lease < ?`,
		BatchInterrupted, clean(why), now(), collection, BatchRunning, time.Now().Unix())
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// saveBatch writes the progress of owner's run, nothing once another
// server holds it; final gives the lease back, so that a run stopped with
// its server is taken over at once.
func (a *Archive) saveBatch(ctx context.Context, b Batch, owner string, final bool) error {
	q := `UPDATE archive_translate_jobs SET state = ?, total = ?, done = ?, failed = ?, message = ?, ended = ?`
	if final {
		q += `, lease = 0`
	}
	_, err := a.db.exec(ctx, a.db.sql, q+` WHERE collection = ? AND owner = ?`, b.State, b.Total, b.Done, b.Failed, clean(b.Message), b.Ended, b.Collection, owner)
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
