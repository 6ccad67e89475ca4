package seal

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
)

// ErrBusy means a Limiter's queue is full; the caller should answer "busy".
var ErrBusy = errors.New("seal: too many Argon2id runs at once")

// Limiter bounds how many Argon2id runs (each holds its MemoryKiB) a zone
// has in flight and how many more may wait, so a flood of sign-ups or
// logins gets "busy" answers instead of exhausting the process's memory.
// Each zone has its own, so one zone's flood does not starve another.
type Limiter struct {
	slots   chan struct{}
	waiting chan struct{}

	mu    sync.Mutex
	stats LimiterStats
}

// LimiterStats are a Limiter's counters, for tests and monitoring.
type LimiterStats struct {
	Active  int // runs in flight
	Waiting int // runs queued for a slot
	Peak    int // the most runs ever in flight at once
	Runs    int // runs completed
	Busy    int // runs refused because the queue was full
}

// NewLimiter allows concurrent runs at once and queue more waiting.
func NewLimiter(concurrent, queue int) *Limiter {
	return &Limiter{
		slots:   make(chan struct{}, max(concurrent, 1)),
		waiting: make(chan struct{}, max(concurrent, 1)+max(queue, 0)),
	}
}

// Do runs f, one Argon2id computation, when a slot is free. It returns
// ErrBusy at once if the queue is full, or ctx's error if the caller gives
// up while waiting.
func (l *Limiter) Do(ctx context.Context, f func()) error {
	select {
	case l.waiting <- struct{}{}:
	default:
		l.mu.Lock()
		l.stats.Busy++
		l.mu.Unlock()
		return ErrBusy
	}
	defer func() { <-l.waiting }()
	l.mu.Lock()
	l.stats.Waiting++
	l.mu.Unlock()
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		l.mu.Lock()
		l.stats.Waiting--
		l.mu.Unlock()
		return ctx.Err()
	}
	l.mu.Lock()
	l.stats.Waiting--
	l.stats.Active++
	l.stats.Peak = max(l.stats.Peak, l.stats.Active)
	l.mu.Unlock()
	defer func() {
		<-l.slots
		l.mu.Lock()
		l.stats.Active--
		l.stats.Runs++
		idle := l.stats.Active == 0
		l.mu.Unlock()
		if idle {
			// Argon2id's buffers would otherwise sit in the heap until the
			// scavenger returns them; give them back as soon as nobody runs.
			debug.FreeOSMemory()
		}
	}()
	f()
	return nil
}

// Stats returns the current counters.
func (l *Limiter) Stats() LimiterStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}
