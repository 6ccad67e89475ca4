package dropbox

import (
	"errors"
	"sync"
	"time"

	"confide/internal/store"
)

// upload is a file arriving through the API in several requests, so that a
// dropped Tor circuit costs only the bytes in flight. Its age stream lives in
// memory for as long as the upload does (until its source has been idle for
// Config.UploadIdle): that is the same file key a single long request would
// hold. A server restart loses unfinished uploads, never finished
// submissions.
type upload struct {
	mu       sync.Mutex
	id       string
	sourceID string
	// resume is the client's tag for what it is sending (an HMAC under
	// its login key of the file's kind, name, size and hash; opaque here),
	// so the same command run again after a dropped circuit finds this
	// upload instead of starting over. Like the upload, it is only in memory.
	resume string
	z      *sealer
	gone   bool
}

// openFiles counts the ciphertext files held open, by web submissions and
// API uploads together, so that neither can run the process out of file
// descriptors and stop the other zones accepting connections.
type openFiles struct {
	mu         sync.Mutex
	n, max     int
	peak, full int
}

// take reserves one open file, or returns false when all are in use.
func (o *openFiles) take() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n >= o.max {
		o.full++
		return false
	}
	o.n++
	o.peak = max(o.peak, o.n)
	return true
}

// give returns n reservations.
func (o *openFiles) give(n int) {
	o.mu.Lock()
	o.n -= n
	o.mu.Unlock()
}

// stats returns the files open now, the most ever open at once, and how
// many were refused.
func (o *openFiles) stats() (open, peak, full int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n, o.peak, o.full
}

// Why an upload could not be opened.
var (
	errTooManyMine = errors.New("dropbox: this source has too many uploads open")
	errUploadsFull = errors.New("dropbox: too many uploads open")
)

type uploads struct {
	mu sync.Mutex
	m  map[string]*upload
	// last is when each source with uploads last opened or appended to
	// one. Idleness is the source's, not the upload's: the first files of
	// a submission wait, finished, while a long one is sent.
	last      map[string]time.Time
	files     *openFiles
	max       int
	perSource int
	idle      time.Duration
	now       func() time.Time
}

func newUploads(files *openFiles, max, perSource int, idle time.Duration, now func() time.Time) *uploads {
	return &uploads{m: map[string]*upload{}, last: map[string]time.Time{}, files: files, max: max, perSource: perSource, idle: idle, now: now}
}

// room tells whether sourceID may open one more upload, after expiring the
// idle ones, so a refused request opens no file.
func (u *uploads) room(sourceID string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(u.now())
	return u.roomLocked(sourceID)
}

func (u *uploads) roomLocked(sourceID string) error {
	mine := 0
	for _, up := range u.m {
		if up.sourceID == sourceID {
			mine++
		}
	}
	if mine >= u.perSource {
		return errTooManyMine
	}
	if len(u.m) >= u.max {
		return errUploadsFull
	}
	return nil
}

// add registers a new upload whose open file the caller has reserved in
// u.files; on refusal the reservation stays the caller's.
func (u *uploads) add(sourceID, resume string, z *sealer) (*upload, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.roomLocked(sourceID); err != nil {
		return nil, err
	}
	up := &upload{id: store.NewID(), sourceID: sourceID, resume: resume, z: z}
	u.m[up.id] = up
	u.last[sourceID] = u.now()
	return up, nil
}

// resumed returns the source's open upload with that tag, or nil.
func (u *uploads) resumed(sourceID, tag string) *upload {
	if tag == "" {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(u.now())
	for _, up := range u.m {
		if up.sourceID == sourceID && up.resume == tag {
			u.last[sourceID] = u.now()
			return up
		}
	}
	return nil
}

// touch notes that sourceID is sending.
func (u *uploads) touch(sourceID string) {
	u.mu.Lock()
	u.last[sourceID] = u.now()
	u.mu.Unlock()
}

// get returns the source's upload, or nil: another source's ID is as unknown
// as a made-up one.
func (u *uploads) get(sourceID, id string) *upload {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(u.now())
	up := u.m[id]
	if up == nil || up.sourceID != sourceID {
		return nil
	}
	return up
}

// take removes the uploads named, all or none, for a submission. Their
// open files become the caller's to give back to u.files.
func (u *uploads) take(sourceID string, ids []string) ([]*upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	seen := map[string]bool{}
	out := make([]*upload, 0, len(ids))
	for _, id := range ids {
		up := u.m[id]
		if up == nil || up.sourceID != sourceID || seen[id] {
			return nil, false
		}
		seen[id] = true
		out = append(out, up)
	}
	for _, id := range ids {
		delete(u.m, id)
	}
	return out, true
}

// remove drops an upload and deletes its ciphertext. The caller holds up.mu.
func (u *uploads) remove(up *upload) {
	u.mu.Lock()
	_, ok := u.m[up.id]
	delete(u.m, up.id)
	u.mu.Unlock()
	up.z.abort()
	up.gone = true
	if ok { // else a submission took it, and gives its file back
		u.files.give(1)
	}
}

// expire aborts the uploads idle for longer than u.idle.
func (u *uploads) expire() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(u.now())
}

func (u *uploads) expireLocked(now time.Time) {
	// A source with an append in flight (its lock held) is not idle,
	// however long that request takes.
	sending := map[string]bool{}
	var idle []*upload
	for _, up := range u.m {
		switch {
		case !up.mu.TryLock():
			sending[up.sourceID] = true
		case now.Sub(u.last[up.sourceID]) > u.idle:
			idle = append(idle, up) // still locked
		default:
			up.mu.Unlock()
		}
	}
	for _, up := range idle {
		if !sending[up.sourceID] {
			delete(u.m, up.id)
			up.z.abort()
			up.gone = true
			u.files.give(1)
		}
		up.mu.Unlock()
	}
	if len(u.last) > len(u.m) {
		u.forgetLocked()
	}
}

// forgetLocked drops the activity of sources with no upload left.
func (u *uploads) forgetLocked() {
	have := map[string]bool{}
	for _, up := range u.m {
		have[up.sourceID] = true
	}
	for src := range u.last {
		if !have[src] {
			delete(u.last, src)
		}
	}
}

func (u *uploads) abortAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, up := range u.m {
		delete(u.m, id)
		up.z.abort()
		u.files.give(1)
	}
	clear(u.last)
}
