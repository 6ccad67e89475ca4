package archive

import (
	"context"
	"errors"
	"sync"
	"testing"

	"confide/internal/testwait"
)

// A user's next job may start as soon as the last one's stored state says
// it ended, though its goroutine has not returned yet; not before. The
// last one's goroutine, returning after the next has started, leaves the
// next one counted.
func TestJobsNextAfterStoredEnd(t *testing.T) {
	var mu sync.Mutex
	ended := map[string]bool{}
	j := newJobs(2, 8, func(id string) bool {
		mu.Lock()
		defer mu.Unlock()
		return !ended[id]
	})
	defer j.close()
	n := 0
	begin := func() (string, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		return string(rune('a' + n - 1)), nil
	}
	stored, returning, returned, hold := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once [3]sync.Once
	release := func(i int, c chan struct{}) { once[i].Do(func() { close(c) }) }
	// A failure lets every job end before close waits for them.
	defer func() { release(0, stored); release(1, returning); release(2, hold) }()
	first, err := j.start("ann", begin, func(_ context.Context, id string) {
		defer close(returned)
		<-stored
		mu.Lock()
		ended[id] = true
		mu.Unlock()
		<-returning // the goroutine's last steps, after the end is stored
	})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := j.start("ann", begin, func(context.Context, string) {}); !errors.Is(err, errYours) || id != first {
		t.Fatalf("a second job while the first runs: %q, %v", id, err)
	}
	if _, err := j.start("bob", begin, func(context.Context, string) {}); err != nil {
		t.Fatalf("another user's job: %v", err)
	}
	release(0, stored)
	testwait.For(t, "the first job's end stored", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return ended[first]
	})
	second, err := j.start("ann", begin, func(context.Context, string) { <-hold })
	if err != nil {
		t.Fatalf("the next job once the first's end is stored: %v", err)
	}
	release(1, returning)
	<-returned
	// The first's slot is given back after it is forgotten, and bob's
	// ended: one slot taken, the second's.
	testwait.For(t, "the first job's slot given back", func() bool { return len(j.slots) == 1 })
	if id, err := j.start("ann", begin, func(context.Context, string) {}); !errors.Is(err, errYours) || id != second {
		t.Errorf("a job while the second runs: %q, %v (the second is %q)", id, err, second)
	}
	release(2, hold)
}
