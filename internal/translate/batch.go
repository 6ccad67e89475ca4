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
	// Group bounds the pages sent to the engine in one call, GroupBytes
	// their text; 0 means 16 pages and 16 KiB. Starting an engine costs
	// more than a page (apertium loads its dictionaries on every run), so
	// pages go together; a call that fails is done again page by page, so
	// a failure stays with its own page.
	Group, GroupBytes int
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
	group, groupBytes := b.Group, b.GroupBytes
	if group <= 0 {
		group = 16
	}
	if groupBytes <= 0 {
		groupBytes = 16 << 10
	}
	work := make(chan []Source)
	for range workers {
		wg.Go(func() {
			for g := range work {
				results := b.translate(ctx, g)
				mu.Lock()
				for _, r := range results {
					rep.Done++
					if r.Err != nil {
						rep.Failed++
						rep.Failures = append(rep.Failures, Failure{ID: r.ID, Err: r.Err})
					}
					rep.Elapsed = time.Since(start)
					if b.OnResult != nil {
						b.OnResult(r)
					}
					if b.OnProgress != nil {
						b.OnProgress(rep.Progress)
					}
				}
				mu.Unlock()
			}
		})
	}
	var g []Source
	size := 0
	send := func() bool {
		if len(g) == 0 {
			return true
		}
		select {
		case work <- g:
			g, size = nil, 0
			return true
		case <-ctx.Done():
			return false
		}
	}
	for src := range pages {
		if ctx.Err() != nil {
			break
		}
		if len(g) > 0 && size+len(src.Text) > groupBytes {
			if !send() {
				break
			}
		}
		g = append(g, src)
		size += len(src.Text)
		if len(g) >= group && !send() {
			break
		}
	}
	if ctx.Err() == nil {
		send()
	}
	close(work)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep, ctx.Err()
}

// translate does a group of pages in one engine call if it can, else page
// by page. Pages cut short by ctx's end are left out: they are not failed,
// only not done.
func (b *Batch) translate(ctx context.Context, g []Source) []Result {
	from, to := Canon(b.From), Canon(b.To)
	if len(g) > 1 && Offers(b.Engine, from, to) {
		var all []string
		split := make([][]string, len(g))
		for i, src := range g {
			split[i] = Split(src.Text)
			all = append(all, split[i]...)
		}
		out, err := b.Engine.Translate(ctx, from, to, all)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && len(out) == len(all) {
			res := make([]Result, len(g))
			for i, src := range g {
				n := len(split[i])
				res[i] = Result{ID: src.ID, Translation: Translation{
					Original: split[i], Translated: out[:n:n], Provenance: machine(b.Engine, from, to)}}
				out = out[n:]
			}
			return res
		}
	}
	var res []Result
	for _, src := range g {
		t, err := Page(ctx, b.Engine, from, to, src.Text)
		if err != nil && ctx.Err() != nil {
			return res
		}
		res = append(res, Result{ID: src.ID, Translation: t, Err: err})
	}
	return res
}
