package translate

import (
	"context"
	"iter"
	"sync"
	"time"

	"confide/internal/ingest/tool"
)

// Source is one page to translate in a batch.
type Source struct {
	ID   string // the caller's key for the page
	Text string
}

// Result is one page's outcome: a Translation, or the error that page met.
type Result struct {
	ID          string
	Translation Translation
	Err         error
}

// Progress is a batch's state after a page.
type Progress struct {
	Done    int // pages finished, failed ones included
	Failed  int
	Total   int // as given to Batch, 0 if unknown
	Elapsed time.Duration
}

// PerMinute is the rate so far, in pages a minute.
func (p Progress) PerMinute() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Minutes()
}

// Failure is a page the batch could not translate.
type Failure struct {
	ID  string
	Err error
}

// Report is what a batch did.
type Report struct {
	Progress
	Failures []Failure
}

// Batch translates many pages with one engine.
type Batch struct {
	Engine   Engine
	From, To string
	// Workers is how many pages are in flight at once; 0 means
	// tool.Slots() (the process-wide bound on programs, which Apertium
	// waits on anyway).
	Workers int
	// Total, if known, is passed on in Progress.
	Total int
	// OnResult is called once per page, translated or failed, one call at
	// a time (a store need not be safe for concurrent use).
	OnResult func(Result)
	// OnProgress is called after each page, one call at a time.
	OnProgress func(Progress)
}

// Run translates the pages as they come. A page that fails is recorded in
// the report and in OnResult, and the batch goes on; when ctx ends, no new
// page starts, the ones in flight end, and Run returns the report so far
// with ctx's error.
func (b *Batch) Run(ctx context.Context, pages iter.Seq[Source]) (Report, error) {
	workers := b.Workers
	if workers <= 0 {
		workers = tool.Slots()
	}
	start := time.Now()
	var (
		mu  sync.Mutex
		rep = Report{Progress: Progress{Total: b.Total}}
		wg  sync.WaitGroup
	)
	work := make(chan Source)
	for range workers {
		wg.Go(func() {
			for src := range work {
				t, err := Page(ctx, b.Engine, b.From, b.To, src.Text)
				if err != nil && ctx.Err() != nil {
					// Cancelled, not failed: the page is left for the next run.
					continue
				}
				mu.Lock()
				rep.Done++
				if err != nil {
					rep.Failed++
					rep.Failures = append(rep.Failures, Failure{ID: src.ID, Err: err})
				}
				rep.Elapsed = time.Since(start)
				if b.OnResult != nil {
					b.OnResult(Result{ID: src.ID, Translation: t, Err: err})
				}
				if b.OnProgress != nil {
					b.OnProgress(rep.Progress)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for src := range pages {
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- src:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep, ctx.Err()
}
