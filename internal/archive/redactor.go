package archive

import (
	"context"
	"log/slog"
)

// maxRedactWaiting bounds the copies waiting for a slot: each user has at
// most one running or waiting, and past this many the server says busy.
const maxRedactWaiting = 8

// redactor runs redactions in the background, a few at a time (OCR is
// costly: each copy runs tesseract twice per page), one per user.
type redactor struct {
	a   *Archive
	log *slog.Logger
	run Redactor
	*jobs
}

func newRedactor(a *Archive, log *slog.Logger, run Redactor, workers int) *redactor {
	return &redactor{a: a, log: log, run: run, jobs: newJobs(workers, maxRedactWaiting, func(id string) bool {
		r, err := a.Redaction(context.Background(), id)
		return err != nil || r.State == RedactionRunning
	})}
}

// start records a redaction of docID by u and runs it in the background;
// it returns the redaction's ID, or (with errYours) the ID of the user's
// unfinished one, or errBusy.
func (rd *redactor) start(ctx context.Context, u User, docID string, m Marks) (string, error) {
	return rd.jobs.start(u.ID, func() (string, error) {
		return rd.a.BeginRedaction(ctx, docID, u.Name, m)
	}, func(ctx context.Context, id string) {
		// A stopped server records the copy as an error, not as running.
		if _, err := rd.a.RunRedaction(ctx, id, rd.run); err != nil {
			rd.log.Error("archive: redaction", "id", id, "err", err)
		}
	})
}
