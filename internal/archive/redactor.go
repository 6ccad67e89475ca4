package archive

import (
	"context"
	"errors"
	"log/slog"
	"sync"
)

// maxRedactWaiting bounds the copies waiting for a slot: each user has at
// most one running or waiting, and past this many the server says busy.
const maxRedactWaiting = 8

// errRedactBusy and errRedactYours refuse a copy: too many waiting, or
// the user's previous one is not finished.
var (
	errRedactBusy  = errors.New("archive: redactions are busy")
	errRedactYours = errors.New("archive: your previous redaction is not finished")
)

// redactor runs redactions in the background, a few at a time (OCR is
// costly: each copy runs tesseract twice per page), one per user.
type redactor struct {
	a     *Archive
	log   *slog.Logger
	run   Redactor
	slots chan struct{}
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup

	mu      sync.Mutex
	byUser  map[string]string // user ID -> the redaction running or waiting
	waiting int
}

func newRedactor(a *Archive, log *slog.Logger, run Redactor, workers int) *redactor {
	ctx, stop := context.WithCancel(context.Background())
	return &redactor{a: a, log: log, run: run, slots: make(chan struct{}, max(workers, 1)), ctx: ctx, stop: stop, byUser: map[string]string{}}
}

// start records a redaction of docID by u and runs it in the background;
// it returns the redaction's ID, or (with errRedactYours) the ID of the
// user's unfinished one.
func (rd *redactor) start(ctx context.Context, u User, docID string, m Marks) (string, error) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if id := rd.byUser[u.ID]; id != "" {
		return id, errRedactYours
	}
	if rd.waiting >= maxRedactWaiting {
		return "", errRedactBusy
	}
	id, err := rd.a.BeginRedaction(ctx, docID, u.Name, m)
	if err != nil {
		return "", err
	}
	rd.byUser[u.ID] = id
	rd.waiting++
	rd.wg.Add(1)
	go func() {
		defer rd.wg.Done()
		defer func() {
			rd.mu.Lock()
			delete(rd.byUser, u.ID)
			rd.mu.Unlock()
		}()
		select {
		case rd.slots <- struct{}{}:
		case <-rd.ctx.Done():
		}
		rd.mu.Lock()
		rd.waiting--
		rd.mu.Unlock()
		if rd.ctx.Err() == nil {
			defer func() { <-rd.slots }()
		}
		// A stopped server records the copy as an error, not as running.
		if _, err := rd.a.RunRedaction(rd.ctx, id, rd.run); err != nil {
			rd.log.Error("archive: redaction", "id", id, "err", err)
		}
	}()
	return id, nil
}

// close stops the running copies and waits for their rows to be written.
func (rd *redactor) close() {
	rd.stop()
	rd.wg.Wait()
}
