package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Erasing is coalesced: a deletion wakes the eraser, which waits
// eraseDelay for more (a bulk delete or a retention run is many), erases
// once, and erases again eraseAgain later for rows PostgreSQL had to keep
// because a snapshot older than their deletion was still open. On
// PostgreSQL an erase is a VACUUM FULL that locks four tables for about a
// second per 100,000 items, so once per deletion would be too many.
var eraseDelay, eraseAgain = time.Second, 10 * time.Second

// eraser runs the dialect's Erase in the background.
type eraser struct {
	wake  chan struct{}
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
	dirty atomic.Bool // a deletion has not had its second erase yet
}

func (s *DB) startEraser() {
	s.er = &eraser{wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.eraseLoop()
}

// eraseSoon asks for an erase after a deletion has committed.
func (s *DB) eraseSoon() {
	if s.er == nil || s.d.Erase == "" {
		return
	}
	s.er.dirty.Store(true)
	select {
	case s.er.wake <- struct{}{}:
	default: // already woken: that erase will cover this deletion
	}
}

func (s *DB) eraseLoop() {
	defer close(s.er.done)
	wait := func(d time.Duration) bool {
		select {
		case <-s.er.quit:
			return false
		case <-time.After(d):
			return true
		}
	}
	for {
		select {
		case <-s.er.quit:
			return
		case <-s.er.wake:
		}
		if !wait(eraseDelay) {
			return
		}
		s.erase(context.Background())
		if !wait(eraseAgain) {
			return
		}
		s.er.dirty.Store(false)
		s.erase(context.Background())
	}
}

// stopEraser ends the eraser and, if a deletion is still waiting for its
// erase, runs it now, so that stopping the server does not skip one.
func (s *DB) stopEraser() {
	if s.er == nil {
		return
	}
	s.er.once.Do(func() {
		close(s.er.quit)
		<-s.er.done
		if s.er.dirty.Load() {
			s.erase(context.Background())
		}
	})
}

// erase makes deleted rows unrecoverable from the database's own files, as
// the dialect can. Its error is dropped: the rows are gone either way, and
// the next erase tries again.
func (s *DB) erase(ctx context.Context) {
	if s.d.Erase != "" {
		s.db.ExecContext(ctx, s.d.Erase)
	}
}
