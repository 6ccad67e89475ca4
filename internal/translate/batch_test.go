package translate

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fake is an engine that prefixes each paragraph, fails on pages holding
// "FAIL", can miscount on pages holding "DROP", and counts its calls in
// flight.
type fake struct {
	inFlight, peak, calls atomic.Int32
	delay                 time.Duration
}

func (f *fake) Name() string    { return "fake" }
func (f *fake) Version() string { return "1" }
func (f *fake) Pairs() []Pair   { return []Pair{{"ru", "en"}} }
func (f *fake) Translate(ctx context.Context, from, to string, ps []string) ([]string, error) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if strings.Contains(p, "FAIL") {
			return nil, errors.New("fake: cannot")
		}
		if strings.Contains(p, "DROP") {
			continue
		}
		out = append(out, "EN "+p)
	}
	return out, nil
}

func pagesOf(texts ...string) iter.Seq[Source] {
	return func(yield func(Source) bool) {
		for i, t := range texts {
			if !yield(Source{ID: fmt.Sprint("p", i), Text: t}) {
				return
			}
		}
	}
}

func TestBatchRecordsFailuresAndGoesOn(t *testing.T) {
	f := &fake{delay: 5 * time.Millisecond}
	var texts []string
	for i := range 20 {
		switch i {
		case 3:
			texts = append(texts, "страница FAIL")
		case 7:
			texts = append(texts, "раз\n\nDROP")
		default:
			texts = append(texts, fmt.Sprintf("страница %d\n\nвторой абзац", i))
		}
	}
	var got []Result
	var progress []Progress
	b := &Batch{Engine: f, From: "ru", To: "en", Workers: 3, Total: len(texts), Group: 2,
		OnResult:   func(r Result) { got = append(got, r) },
		OnProgress: func(p Progress) { progress = append(progress, p) }}
	rep, err := b.Run(context.Background(), pagesOf(texts...))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Done != 20 || rep.Failed != 2 || rep.Total != 20 || len(got) != 20 || len(progress) != 20 {
		t.Fatalf("report %+v, %d results, %d progress calls", rep, len(got), len(progress))
	}
	var failed []string
	for _, fl := range rep.Failures {
		failed = append(failed, fl.ID)
	}
	slices.Sort(failed)
	if !slices.Equal(failed, []string{"p3", "p7"}) || !errors.Is(rep.Failures[slices.IndexFunc(rep.Failures, func(f Failure) bool { return f.ID == "p7" })].Err, ErrMismatch) {
		t.Errorf("failures %v", rep.Failures)
	}
	for _, r := range got {
		if r.Err != nil {
			continue
		}
		want := []string{"EN " + r.Translation.Original[0], "EN второй абзац"}
		if !slices.Equal(r.Translation.Translated, want) || !r.Translation.Provenance.Machine || r.Translation.Provenance.Engine != "fake" {
			t.Errorf("%s: %+v", r.ID, r.Translation)
		}
	}
	for i, p := range progress {
		if p.Done != i+1 || p.Total != 20 || p.PerMinute() <= 0 {
			t.Errorf("progress %d: %+v rate %v", i, p, p.PerMinute())
		}
	}
	if peak := f.peak.Load(); peak > 3 || peak < 2 {
		t.Errorf("peak %d engines in flight, want at most the 3 workers (and more than one)", peak)
	}
}

func TestBatchCancels(t *testing.T) {
	f := &fake{delay: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var seen int
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = "страница"
	}
	b := &Batch{Engine: f, From: "ru", To: "en", Workers: 2, Group: 1,
		OnProgress: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if seen++; seen == 5 {
				cancel()
			}
		}}
	done := make(chan struct{})
	var rep Report
	var err error
	go func() { rep, err = b.Run(ctx, pagesOf(texts...)); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the batch did not stop when cancelled")
	}
	if !errors.Is(err, context.Canceled) || rep.Done < 5 || rep.Done > 10 || rep.Failed != 0 {
		t.Errorf("err %v report %+v: want cancelled after ~5 pages, none counted failed", err, rep)
	}
}

func TestBatchGroupsPages(t *testing.T) {
	texts := make([]string, 32)
	for i := range texts {
		texts[i] = fmt.Sprintf("страница %d\n\nабзац", i)
		if i == 9 {
			texts[i] = "" // a blank page in a group keeps its place
		}
	}
	for _, c := range []struct {
		group, bytes int
		calls        int32 // pages are 30 bytes below p10, 31 from it; p9 is blank
	}{{8, 0, 4}, {0, 0, 2}, {8, 60, 27}, {1, 0, 31}} {
		f := &fake{}
		got := map[string][]string{}
		b := &Batch{Engine: f, From: "ru", To: "en", Workers: 2, Group: c.group, GroupBytes: c.bytes,
			OnResult: func(r Result) { got[r.ID] = r.Translation.Translated }}
		rep, err := b.Run(context.Background(), pagesOf(texts...))
		if err != nil || rep.Done != 32 || rep.Failed != 0 {
			t.Fatalf("group %d/%d: %v %+v", c.group, c.bytes, err, rep)
		}
		if n := f.calls.Load(); n != c.calls {
			t.Errorf("group %d, %d bytes: %d engine calls, want %d", c.group, c.bytes, n, c.calls)
		}
		for i, text := range texts {
			var want []string
			for _, p := range Split(text) {
				want = append(want, "EN "+p)
			}
			if !slices.Equal(got[fmt.Sprint("p", i)], want) {
				t.Errorf("group %d: page %d got %q, want %q", c.group, i, got[fmt.Sprint("p", i)], want)
			}
		}
	}
}
