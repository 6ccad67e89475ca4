package seal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitStats polls l until ok holds, failing after a few seconds.
func waitStats(t *testing.T, l *Limiter, ok func(LimiterStats) bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if ok(l.Stats()) {
			return
		}
	}
	t.Fatalf("limiter never got there: %+v", l.Stats())
}

// Twenty callers at once against 2 slots and 3 waiting: two run, three
// wait, fifteen are told "busy" at once, and nobody waits past its context.
func TestLimiterBounds(t *testing.T) {
	l := NewLimiter(2, 3)
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- l.Do(context.Background(), func() { <-release })
		}()
	}
	waitStats(t, l, func(s LimiterStats) bool { return s.Busy == 15 && s.Active == 2 && s.Waiting == 3 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Do(ctx, func() { t.Error("ran past a full queue") }); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: %v", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	busy := 0
	for err := range errs {
		if errors.Is(err, ErrBusy) {
			busy++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	s := l.Stats()
	if busy != 15 || s.Runs != 5 || s.Peak != 2 || s.Active != 0 || s.Waiting != 0 {
		t.Fatalf("busy %d, stats %+v", busy, s)
	}
	// A waiter whose request ends leaves the queue without running.
	hold := make(chan struct{})
	go l.Do(context.Background(), func() { <-hold })
	go l.Do(context.Background(), func() { <-hold })
	waitStats(t, l, func(s LimiterStats) bool { return s.Active == 2 })
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.Do(ctx, func() { t.Error("ran without a slot") }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	close(hold)
	waitStats(t, l, func(s LimiterStats) bool { return s.Active == 0 && s.Waiting == 0 && s.Runs == 7 })
}
