package newsroom

import (
	"sync"
	"time"
)

// throttle is a token bucket shared by every login attempt, whatever the
// account: it caps guessing across accounts, where per-account lock-outs
// cannot.
type throttle struct {
	mu     sync.Mutex
	tokens float64
	burst  float64
	rate   float64 // tokens per second
	last   time.Time
}

func newThrottle(burst, perSecond float64) *throttle {
	return &throttle{tokens: burst, burst: burst, rate: perSecond, last: time.Now()}
}

func (t *throttle) allow(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens = min(t.burst, t.tokens+now.Sub(t.last).Seconds()*t.rate)
	t.last = now
	if t.tokens < 1 {
		return false
	}
	t.tokens--
	return true
}
