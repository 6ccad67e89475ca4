package dropbox

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"

	"confide/internal/seal"
)

// errBusy means the derivation queue is full.
var errBusy = errors.New("dropbox: too many logins at once")

// deriver bounds concurrent Argon2id derivations (each holds 64 MiB) and the
// number waiting, so a flood of logins gets "busy" pages instead of
// exhausting memory.
type deriver struct {
	params  seal.Params
	salt    []byte
	slots   chan struct{}
	waiting chan struct{}

	mu     sync.Mutex
	active int
}

func newDeriver(params seal.Params, salt []byte, concurrent, queue int) *deriver {
	return &deriver{
		params:  params,
		salt:    salt,
		slots:   make(chan struct{}, concurrent),
		waiting: make(chan struct{}, concurrent+queue),
	}
}

// derive runs one derivation, waiting for a slot if the queue has room.
func (d *deriver) derive(ctx context.Context, codename string) (*seal.SourceKeys, error) {
	select {
	case d.waiting <- struct{}{}:
	default:
		return nil, errBusy
	}
	defer func() { <-d.waiting }()
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	d.mu.Lock()
	d.active++
	d.mu.Unlock()
	keys, err := seal.Derive(codename, d.salt, d.params)
	<-d.slots
	d.mu.Lock()
	d.active--
	idle := d.active == 0
	d.mu.Unlock()
	if idle {
		// Argon2id's buffers would otherwise sit in the heap until the
		// scavenger returns them; give them back as soon as nobody derives.
		debug.FreeOSMemory()
	}
	return keys, err
}
