package testwait

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a testing.TB whose Fatalf records the message and ends the
// calling goroutine, as the real one does, without failing this test.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestForReturnsOnceTrue(t *testing.T) {
	var n atomic.Int32
	go func() {
		time.Sleep(20 * time.Millisecond)
		n.Store(1)
	}()
	For(t, "the flag", func() bool { return n.Load() == 1 })
	if n.Load() != 1 {
		t.Fatal("For returned before its condition held")
	}
}

func TestWithinFailsAtItsBound(t *testing.T) {
	r := &recorder{TB: t}
	done := make(chan time.Duration)
	start := time.Now()
	go func() {
		defer func() { done <- time.Since(start) }()
		within(r, 50*time.Millisecond, "a condition that never holds", func() bool { return false })
	}()
	took := <-done
	if r.msg != "still not so after 50ms: a condition that never holds" {
		t.Errorf("failure: %q", r.msg)
	}
	if took < 50*time.Millisecond || took > 5*time.Second {
		t.Errorf("failed after %v, bound 50ms", took)
	}
}
