package archive

import (
	"context"
	"errors"
	"sync"
)

// errBusy and errYours refuse a background job: too many are waiting for
// a slot, or the user's previous one of that kind is not finished.
var (
	errBusy  = errors.New("archive: too many jobs are waiting; try again in a few minutes")
	errYours = errors.New("archive: your previous job is not finished")
)

// jobs runs one kind of costly work in the background (redacted copies,
// export bundles): at most cap(slots) at once, at most maxWaiting waiting
// for a slot, and one running or waiting per user, so that no user and no
// kind of work starves the zone; close stops them all.
type jobs struct {
	slots      chan struct{}
	maxWaiting int
	// pending says whether a job's stored state is still unfinished: a
	// job's goroutine writes its end before it returns, and a user who
	// saw the end may start the next at once.
	pending func(id string) bool
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup

	mu      sync.Mutex
	byUser  map[string]string // user ID -> the job running or waiting
	waiting int
}

func newJobs(workers, maxWaiting int, pending func(id string) bool) *jobs {
	ctx, stop := context.WithCancel(context.Background())
	return &jobs{slots: make(chan struct{}, max(workers, 1)), maxWaiting: maxWaiting, pending: pending, ctx: ctx, stop: stop, byUser: map[string]string{}}
}

// start records a job of the user's with begin (which returns its ID) and
// runs it with run once a slot is free. The user's previous job counts as
// unfinished until its stored state says otherwise (pending), not until
// its goroutine has returned. run is called even when the zone
// stops first (its ctx is then done), so that it records the job as
// stopped rather than leave it waiting. start returns the job's ID, or
// (with errYours) the ID of the user's unfinished one, or errBusy.
func (j *jobs) start(userID string, begin func() (string, error), run func(ctx context.Context, id string)) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if id := j.byUser[userID]; id != "" && j.pending(id) {
		return id, errYours
	}
	if j.waiting >= j.maxWaiting {
		return "", errBusy
	}
	id, err := begin()
	if err != nil {
		return "", err
	}
	j.byUser[userID] = id
	j.waiting++
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		got := false
		select {
		case j.slots <- struct{}{}:
			got = true
		case <-j.ctx.Done():
		}
		j.mu.Lock()
		j.waiting--
		j.mu.Unlock()
		if got {
			defer func() { <-j.slots }()
		}
		// Forgotten before the slot is given back (defers run last
		// first), so that a free slot means a forgotten job.
		defer func() {
			j.mu.Lock()
			if j.byUser[userID] == id { // not the user's next job already
				delete(j.byUser, userID)
			}
			j.mu.Unlock()
		}()
		run(j.ctx, id)
	}()
	return id, nil
}

// close stops the running jobs and waits for them to record how they
// ended.
func (j *jobs) close() {
	j.stop()
	j.wg.Wait()
}
