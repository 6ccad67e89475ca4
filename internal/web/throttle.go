package web

import (
	"sync"
	"time"
)

// Throttle is a token bucket shared by every login attempt of a zone,
// whatever the account: it caps guessing across accounts, where per-account
// lock-outs cannot.
type Throttle struct {
	mu     sync.Mutex
	tokens float64
	burst  float64
	rate   float64 // tokens per second
	last   time.Time
}

// NewThrottle allows bursts of burst attempts, refilled at perSecond.
func NewThrottle(burst, perSecond float64) *Throttle {
	return &Throttle{tokens: burst, burst: burst, rate: perSecond, last: time.Now()}
}

// Allow takes a token if there is one.
func (t *Throttle) Allow(now time.Time) bool {
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
