package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// NewToken returns a random bearer token (for a cookie or a mailed link)
// and the hash that is stored in its place, so a copied database holds no
// usable token.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Lockout is how long an account stays locked after n consecutive failed
// logins: nothing for the first four, then one minute doubling to an hour.
func Lockout(n int) time.Duration {
	if n < 5 {
		return 0
	}
	return min(time.Minute<<min(n-5, 6), time.Hour)
}

// LocalPath keeps a post-login redirect target on this site: a path
// starting with one slash, or "/". Anything that a browser could read as
// another host ("//evil", "/\evil", "https://…") becomes "/". It returns
// the path cleaned as http.Redirect will clean it, so what is checked is
// what is sent: "/x/../\evil" used to pass and leave as "/\evil", which
// browsers read as "//evil". Browsers read any backslash as a slash, so
// none is accepted.
func LocalPath(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/" // control characters can smuggle a scheme past browsers
		}
	}
	if len(p) == 0 || p[0] != '/' || len(p) > 1 && p[1] == '/' {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	// As http.Redirect does: the part before "?", trailing slash kept. A
	// cleaned path starts with one slash and holds no "//", so it names no
	// host and no scheme.
	rest, query := p, ""
	if i := strings.IndexByte(p, '?'); i >= 0 {
		rest, query = p[:i], p[i:]
	}
	clean := path.Clean(rest)
	if strings.HasSuffix(rest, "/") && !strings.HasSuffix(clean, "/") {
		clean += "/"
	}
	return clean + query
}

// Failures counts failed sign-ins by key (a client, or a name that has no
// account) in memory only, for a zone that must not write down who tried:
// keys are kept as a keyed hash, under a random key that is never stored,
// so not even a memory dump lists the names or addresses tried. It holds at
// most max keys; when full it drops the stale ones, then everything (an
// attacker who floods it only resets counts, which the zone's Throttle
// still bounds).
type Failures struct {
	mu    sync.Mutex
	key   []byte
	max   int
	extra int // failures allowed beyond an account's
	m     map[[16]byte]failCount
}

type failCount struct {
	n     int
	last  time.Time
	until time.Time
}

// failMemory is how long a key's count is kept after its last failure.
const failMemory = 24 * time.Hour

// NewFailures keeps counts for at most max keys; a key is locked as Lockout
// says for its count less extra, so extra more failures are allowed than an
// account gets.
func NewFailures(max, extra int) *Failures {
	k := make([]byte, 32)
	rand.Read(k)
	return &Failures{key: k, max: max, extra: extra, m: map[[16]byte]failCount{}}
}

func (f *Failures) id(key string) [16]byte {
	h := hmac.New(sha256.New, f.key)
	h.Write([]byte(key))
	var id [16]byte
	copy(id[:], h.Sum(nil))
	return id
}

// Until is when key's lock ends; the zero time if it is not locked.
func (f *Failures) Until(key string, now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.m[f.id(key)]; c.until.After(now) {
		return c.until
	}
	return time.Time{}
}

// Fail counts a failure for key and returns when its lock ends (the zero
// time if the count does not lock it yet).
func (f *Failures) Fail(key string, now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id(key)
	c, ok := f.m[id]
	if !ok && len(f.m) >= f.max {
		for k, old := range f.m {
			if now.Sub(old.last) > time.Hour && !old.until.After(now) {
				delete(f.m, k)
			}
		}
		if len(f.m) >= f.max {
			clear(f.m)
		}
	}
	if ok && now.Sub(c.last) > failMemory {
		c = failCount{}
	}
	c.n++
	c.last = now
	c.until = time.Time{}
	if d := Lockout(c.n - f.extra); d > 0 {
		c.until = now.Add(d)
	}
	f.m[id] = c
	return c.until
}

// Clear forgets key's failures, after it signed in.
func (f *Failures) Clear(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, f.id(key))
}
