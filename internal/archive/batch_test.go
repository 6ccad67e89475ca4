package archive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/testwait"
	"confide/internal/translate"
)

// sameDatabase is a second server's archive on a's database: on
// PostgreSQL the archive opened again, as `archive serve` on another
// machine opens it; on SQLite, whose folder one process holds, a itself.
// Either way each server (NewServer) has its own batches, and it is they
// that hold runs.
func sameDatabase(t *testing.T, a *Archive, c Config) *Archive {
	if c.DSN == "" {
		return a
	}
	return open(t, c)
}

// translations counts the stored versions into en of the collection's
// pages, and those past the first (a page translated twice).
func translations(t *testing.T, a *Archive) (all, again int) {
	t.Helper()
	return count(t, a, `SELECT COUNT(*) FROM archive_translations WHERE lang = 'en'`),
		count(t, a, `SELECT COUNT(*) FROM archive_translations WHERE lang = 'en' AND version > 1`)
}

// pagesToTranslate is how many pages of kgb a run into en translates
// when none is done.
func pagesToTranslate(t *testing.T, a *Archive) int {
	t.Helper()
	pages, _, err := a.Untranslated(context.Background(), "kgb", "", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 3 {
		t.Fatalf("only %d pages to translate", len(pages))
	}
	return len(pages)
}

// Two servers on one database both look for the run a stopped server
// left: exactly one runs it (the other's engine is never called), and no
// page is translated twice.
func TestBatchResumedByOneServer(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t), write(t, t.TempDir(), "three.txt", []byte(threeParagraphs)))
		want := pagesToTranslate(t, a)
		first := &stubEngine{}
		first.setGate(make(chan struct{}))
		srv, _ := serve(t, a, ServerConfig{Engines: []translate.Engine{first}})
		if err := srv.batch.start("kgb", "en", "stub", "ann"); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, "the first server's engine", func() bool { return first.callCount() > 0 })
		srv.Close()
		if b := waitBatch(t, a, "kgb", BatchRunning); !strings.Contains(b.Message, "stopped with the server") {
			t.Fatalf("after a stop: %+v", b)
		}
		gate := make(chan struct{})
		one, two := &stubEngine{}, &stubEngine{}
		one.setGate(gate)
		two.setGate(gate)
		serve(t, a, ServerConfig{Engines: []translate.Engine{one}})
		serve(t, sameDatabase(t, a, c), ServerConfig{Engines: []translate.Engine{two}})
		testwait.For(t, "a server to resume the run", func() bool { return one.callCount()+two.callCount() > 0 })
		// Both servers' watchers look again meanwhile.
		time.Sleep(3 * batchTick)
		if (one.callCount() == 0) == (two.callCount() == 0) {
			t.Fatalf("engine calls: %d and %d; exactly one server should run the run", one.callCount(), two.callCount())
		}
		close(gate)
		b := waitBatch(t, a, "kgb", BatchDone)
		if b.Done != want || !strings.Contains(b.Message, "resumed after a restart") {
			t.Fatalf("resumed run: %+v, want %d pages", b, want)
		}
		if all, again := translations(t, a); all != want || again != 0 {
			t.Fatalf("%d translations (%d past a page's first), want %d", all, again, want)
		}
		if (one.callCount() == 0) == (two.callCount() == 0) {
			t.Fatalf("engine calls after the run: %d and %d", one.callCount(), two.callCount())
		}
	})
}

// A run whose server died (it holds the lease, renews it no more) is left
// alone while the lease lasts, then taken over by another server, which
// goes on past the pages already done.
func TestBatchTakenOverAfterLease(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t), write(t, t.TempDir(), "three.txt", []byte(threeParagraphs)))
		want := pagesToTranslate(t, a)
		eng := &stubEngine{}
		// The dead server claimed the run and translated one page.
		three := DocID("kgb", "three.txt")
		if _, err := a.AddTranslation(ctx, three, 1, "en", "DEAD: done before the crash", MachineBy(eng, "ru", "en"), true, Draft); err != nil {
			t.Fatal(err)
		}
		if err := a.claimBatch(ctx, Batch{Collection: "kgb", Lang: "en", Engine: "stub", Who: "ann", State: BatchRunning, Started: now()}, "dead", false); err != nil {
			t.Fatal(err)
		}
		other := sameDatabase(t, a, c)
		serve(t, other, ServerConfig{Engines: []translate.Engine{eng}})
		time.Sleep(3 * batchTick)
		if owner, state, _, err := a.batchClaim(ctx, "kgb"); err != nil || owner != "dead" || state != BatchRunning || eng.callCount() != 0 {
			t.Fatalf("a run under a live lease: owner %q, %s, %d engine calls, %v", owner, state, eng.callCount(), err)
		}
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET lease = 1`); err != nil {
			t.Fatal(err)
		}
		b := waitBatch(t, a, "kgb", BatchDone)
		if b.Done != want-1 || !strings.Contains(b.Message, "resumed after its server stopped answering") || !strings.Contains(b.Message, "1 already translated") {
			t.Fatalf("taken-over run: %+v, want %d pages", b, want-1)
		}
		if owner, _, _, _ := a.batchClaim(ctx, "kgb"); owner == "dead" {
			t.Fatal("the dead server still holds the run")
		}
		if all, again := translations(t, a); all != want || again != 0 {
			t.Fatalf("%d translations (%d past a page's first), want %d", all, again, want)
		}
		if vs, _ := a.Translations(ctx, three, "en"); len(vs[1]) != 1 || vs[1][0].Text != "DEAD: done before the crash" {
			t.Fatalf("the page done before: %+v", vs[1])
		}
	})
}

// The cancel button stops a run whichever server runs it: here on the
// server that did not start it.
func TestBatchCancelFromAnotherServer(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t))
		runs, idle := &stubEngine{}, &stubEngine{}
		runs.setGate(make(chan struct{}))
		_, z1 := serve(t, a, ServerConfig{Engines: []translate.Engine{runs}})
		_, z2 := serve(t, sameDatabase(t, a, c), ServerConfig{Engines: []translate.Engine{idle}})
		ann := z1.user(t, "ann", RoleJournalist, "kgb")
		_, cp := ann.get("/collections/kgb")
		if res, _ := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", res.StatusCode)
		}
		testwait.For(t, "the engine", func() bool { return runs.callCount() > 0 })
		bob := z2.user(t, "bob", RoleJournalist, "kgb")
		_, cp = bob.get("/collections/kgb")
		if !strings.Contains(cp, "<strong>running</strong>") || !strings.Contains(cp, `id="batch-cancel"`) {
			t.Fatalf("the other server's page: %s", cp)
		}
		if res, _ := bob.post("/collections/kgb/translate/cancel", cp, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		b := waitBatch(t, a, "kgb", BatchCancelled)
		if idle.callCount() != 0 || b.Done != 0 {
			t.Fatalf("cancelled run: %+v; the other server's engine was called %d times", b, idle.callCount())
		}
		if !z2.audited(t, "bob", "batch translation cancel", "kgb") || !z1.audited(t, "ann", "batch translation cancelled", "kgb") {
			t.Fatal("the cancel is not audited")
		}
		// Started again, it runs: the cancel asked is not left behind.
		runs.setGate(nil)
		_, cp = bob.get("/collections/kgb")
		if res, _ := bob.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start again: %d", res.StatusCode)
		}
		if b := waitBatch(t, a, "kgb", BatchDone); b.Done == 0 {
			t.Fatalf("the run after a cancel: %+v", b)
		}
	})
}

// The bounds hold across servers: one run per collection and maxBatches
// over all, counted in the database.
func TestBatchBoundsAcrossServers(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		for _, name := range []string{"kgb", "gulag", "mvd"} {
			ingestAll(t, a, name, write(t, t.TempDir(), name+".txt", []byte(threeParagraphs)))
		}
		busy, free := &stubEngine{}, &stubEngine{}
		busy.setGate(make(chan struct{}))
		s1, _ := serve(t, a, ServerConfig{Engines: []translate.Engine{busy}})
		s2, _ := serve(t, sameDatabase(t, a, c), ServerConfig{Engines: []translate.Engine{free}})
		for _, name := range []string{"kgb", "gulag"} {
			if err := s1.batch.start(name, "en", "stub", "ann"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s2.batch.start("kgb", "en", "stub", "bob"); err != ErrBatchRunning {
			t.Fatalf("a second run of a collection on another server: %v", err)
		}
		if err := s2.batch.start("mvd", "en", "stub", "bob"); err != ErrBatchBusy {
			t.Fatalf("a third run on another server: %v", err)
		}
		if ok, err := s2.batch.cancel(context.Background(), "gulag"); !ok || err != nil {
			t.Fatalf("cancel: %v %v", ok, err)
		}
		waitBatch(t, a, "gulag", BatchCancelled)
		if err := s2.batch.start("mvd", "en", "stub", "bob"); err != nil {
			t.Fatalf("a slot given back: %v", err)
		}
		if b := waitBatch(t, a, "mvd", BatchDone); b.Done == 0 || free.callCount() == 0 {
			t.Fatalf("the run on the other server: %+v", b)
		}
	})
}

// A server that lost its run (another took it over while this one missed
// its renewals) stops it and writes nothing more: not to the row, and not
// the pages its engine gives back once it stopped (the new owner
// translates them).
func TestBatchLostRunStops(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t))
		eng := &stubEngine{deaf: true}
		gate := make(chan struct{})
		eng.setGate(gate)
		srv, _ := serve(t, a, ServerConfig{Engines: []translate.Engine{eng}})
		if err := srv.batch.start("kgb", "en", "stub", "ann"); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, "the engine", func() bool { return eng.callCount() > 0 })
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET owner = 'other', lease = ?, message = 'taken over'`, leaseUntil()+60); err != nil {
			t.Fatal(err)
		}
		// The server sees it on its next look; then the engine answers.
		srv.batch.mu.Lock()
		run := srv.batch.running["kgb"]
		srv.batch.mu.Unlock()
		if run == nil {
			t.Fatal("the run ended before it was taken over")
		}
		testwait.For(t, "the run to see it is lost", func() bool { return errors.Is(context.Cause(run.ctx), errBatchLost) })
		close(gate)
		testwait.For(t, "the lost run to stop", func() bool {
			srv.batch.mu.Lock()
			defer srv.batch.mu.Unlock()
			return srv.batch.running["kgb"] == nil
		})
		b, err := a.batch(ctx, "kgb")
		if err != nil {
			t.Fatal(err)
		}
		if owner, _, _, _ := a.batchClaim(ctx, "kgb"); owner != "other" || b.State != BatchRunning || b.Message != "taken over" || b.Ended != "" {
			t.Fatalf("the row after the lost run stopped: owner %q, %+v", owner, b)
		}
		if all, _ := translations(t, a); all != 0 {
			t.Fatalf("the lost run stored %d translations", all)
		}
	})
}

// Claims made at once from two servers' archives: one run per collection
// and maxBatches over all, however the claims interleave.
func TestBatchClaimsRace(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		ctx := context.Background()
		a := open(t, c)
		names := []string{"kgb", "gulag", "mvd"}
		for _, n := range names {
			if err := a.SetCollection(ctx, n, ""); err != nil {
				t.Fatal(err)
			}
		}
		archives := []*Archive{a, sameDatabase(t, a, c)}
		var mu sync.Mutex
		won := map[string]int{}
		var wg sync.WaitGroup
		for i, ar := range archives {
			for _, n := range names {
				for k := range 3 {
					wg.Go(func() {
						err := ar.claimBatch(ctx, Batch{Collection: n, Lang: "en", Engine: "stub", Who: "ann", State: BatchRunning, Started: now()}, fmt.Sprintf("server %d.%d", i, k), false)
						switch {
						case err == nil:
							mu.Lock()
							won[n]++
							mu.Unlock()
						case err != ErrBatchRunning && err != ErrBatchBusy:
							t.Error(err)
						}
					})
				}
			}
		}
		wg.Wait()
		total := 0
		for n, k := range won {
			if k > 1 {
				t.Errorf("%s claimed %d times", n, k)
			}
			total += k
		}
		if total != maxBatches {
			t.Fatalf("%d runs claimed over all (%v), want %d", total, won, maxBatches)
		}
		if live := count(t, a, `SELECT COUNT(*) FROM archive_translate_jobs WHERE state = 'running' AND lease > 0`); live != maxBatches {
			t.Fatalf("%d rows running, want %d", live, maxBatches)
		}
	})
}

// On SQLite one process holds the folder, so a run a killed server left is
// resumed as soon as the archive opens again, not after its lease.
func TestBatchSQLiteRestartResumesAtOnce(t *testing.T) {
	ctx := context.Background()
	c := Config{Dir: t.TempDir(), NoOCR: true, Who: "ann"}
	a, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ingestAll(t, a, "kgb", trove(t))
	if err := a.claimBatch(ctx, Batch{Collection: "kgb", Lang: "en", Engine: "stub", Who: "ann", State: BatchRunning, Started: now()}, "killed", false); err != nil {
		t.Fatal(err)
	}
	a.Close()
	a = open(t, c)
	serve(t, a, ServerConfig{Engines: []translate.Engine{&stubEngine{}}})
	start := time.Now()
	b := waitBatch(t, a, "kgb", BatchDone)
	if time.Since(start) > leaseTime/2 || !strings.Contains(b.Message, "resumed after a restart") {
		t.Fatalf("resumed after %s: %+v", time.Since(start), b)
	}
}
