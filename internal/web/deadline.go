package web

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// BodyDeadline cuts off a client that stops sending its request body, so
// slow bodies cannot hold a zone's connections: every read of the body
// must make progress within idle (the deadline moves on as bytes arrive,
// so a large upload over a slow circuit is fine), and with total > 0 the
// whole body must arrive within total of its first read. Once the body has
// been read to its end no deadline is set, so a slow handler is not
// mistaken for a slow client.
func BodyDeadline(h http.Handler, idle, total time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle, total: total}
		}
		h.ServeHTTP(w, r)
	})
}

type deadlineBody struct {
	io.ReadCloser
	rc          *http.ResponseController
	idle, total time.Duration
	end         time.Time
	done        bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	now := time.Now()
	if b.end.IsZero() && b.total > 0 {
		b.end = now.Add(b.total)
	}
	d := now.Add(b.idle)
	if !b.end.IsZero() && d.After(b.end) {
		d = b.end
	}
	if err := b.rc.SetReadDeadline(d); errors.Is(err, http.ErrNotSupported) {
		b.done = true // not a net/http connection (a test recorder): nothing to hold
	}
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		// At the body's end net/http lifts the deadline for a read of its
		// own that watches for the client going away; one set after that
		// would end the request's context while the handler still works.
		b.done = true
	}
	return n, err
}
