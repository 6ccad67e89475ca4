package dropbox

import (
	"sync"
	"time"

	"confide/internal/store"
)

// upload is a file arriving through the API in several requests, so that a
// dropped Tor circuit costs only the bytes in flight. Its age stream lives in
// memory for as long as the upload does (at most uploadTTL idle): that is the
// same file key a single long request would hold. A server restart loses
// unfinished uploads, never finished submissions.
type upload struct {
	mu       sync.Mutex
	id       string
	sourceID string
	z        *sealer
	touched  time.Time
	gone     bool
}

type uploads struct {
	mu sync.Mutex
	m  map[string]*upload
}

// Limits on uploads held open at once: each is an open file and an age stream.
const (
	maxUploadsPerSource = 256
	maxUploads          = 4096
)

func newUploads() *uploads { return &uploads{m: map[string]*upload{}} }

// add registers a new upload, or returns false when too many are open.
func (u *uploads) add(sourceID string, z *sealer) (*upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(time.Now())
	mine := 0
	for _, up := range u.m {
		if up.sourceID == sourceID {
			mine++
		}
	}
	if mine >= maxUploadsPerSource || len(u.m) >= maxUploads {
		return nil, false
	}
	up := &upload{id: store.NewID(), sourceID: sourceID, z: z, touched: time.Now()}
	u.m[up.id] = up
	return up, true
}

// get returns the source's upload, or nil: another source's ID is as unknown
// as a made-up one.
func (u *uploads) get(sourceID, id string) *upload {
	u.mu.Lock()
	defer u.mu.Unlock()
	up := u.m[id]
	if up == nil || up.sourceID != sourceID {
		return nil
	}
	return up
}

// take removes the uploads named, all or none, for a submission.
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

// remove drops an upload and deletes its ciphertext.
func (u *uploads) remove(up *upload) {
	u.mu.Lock()
	delete(u.m, up.id)
	u.mu.Unlock()
	up.z.abort()
	up.gone = true
}

func (u *uploads) expireLocked(now time.Time) {
	for id, up := range u.m {
		if up.mu.TryLock() {
			if now.Sub(up.touched) > uploadTTL {
				delete(u.m, id)
				up.z.abort()
				up.gone = true
			}
			up.mu.Unlock()
		}
	}
}

func (u *uploads) abortAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, up := range u.m {
		delete(u.m, id)
		up.z.abort()
	}
}
