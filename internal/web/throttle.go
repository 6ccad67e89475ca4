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

// KeyedThrottle is a token bucket per key (an account, never an address),
// held in memory only. It stops one account from being hammered where the
// zone's Throttle would let the attempts through.
type KeyedThrottle struct {
	mu      sync.Mutex
	burst   float64
	rate    float64
	maxKeys int
	m       map[string]*Throttle
}

// NewKeyedThrottle allows each key bursts of burst, refilled at perSecond,
// and remembers at most maxKeys keys.
func NewKeyedThrottle(burst, perSecond float64, maxKeys int) *KeyedThrottle {
	return &KeyedThrottle{burst: burst, rate: perSecond, maxKeys: maxKeys, m: map[string]*Throttle{}}
}

// Allow takes a token from key's bucket if there is one.
func (k *KeyedThrottle) Allow(key string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := k.m[key]
	if t == nil {
		if len(k.m) >= k.maxKeys {
			k.pruneLocked(now)
		}
		t = &Throttle{tokens: k.burst, burst: k.burst, rate: k.rate, last: now}
		k.m[key] = t
	}
	return t.Allow(now)
}

// pruneLocked forgets the buckets that have refilled, which a fresh bucket
// would equal. If every one is still draining the table starts over: a flood
// of that many accounts is already capped by the zone's Throttle.
func (k *KeyedThrottle) pruneLocked(now time.Time) {
	for key, t := range k.m {
		if t.tokens+now.Sub(t.last).Seconds()*t.rate >= t.burst {
			delete(k.m, key)
		}
	}
	if len(k.m) >= k.maxKeys {
		clear(k.m)
	}
}
