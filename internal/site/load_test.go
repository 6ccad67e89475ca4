package site

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/store/storetest"
	"confide/internal/web"
)

// countingMail counts what the site sends, and to whom.
type countingMail struct {
	inner Mailer
	mu    sync.Mutex
	to    []string
}

func (m *countingMail) Send(to, subject, body string) error {
	m.mu.Lock()
	m.to = append(m.to, to)
	m.mu.Unlock()
	return m.inner.Send(to, subject, body)
}

func (m *countingMail) sent() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.to
	m.to = nil
	return out
}

// work counts the Argon2id hashes and checks the site runs, and the mail
// it sends.
type work struct {
	hashes, checks atomic.Int32
	mail           *countingMail
}

func (f *fixture) countWork() *work {
	wk := &work{mail: &countingMail{inner: f.srv.cfg.Mail}}
	f.srv.cfg.Mail = wk.mail
	hash, check := f.srv.hash, f.srv.check
	f.srv.hash = func(p string) string { wk.hashes.Add(1); return hash(p) }
	f.srv.check = func(p, phc string) bool { wk.checks.Add(1); return check(p, phc) }
	return wk
}

// take returns the counts since the last call and starts again.
func (wk *work) take() (hashes, checks int32, mail []string) {
	return wk.hashes.Swap(0), wk.checks.Swap(0), wk.mail.sent()
}

// A taken address and a new one cost the same on register (one hash, one
// mail), an unknown address and a known one the same on reset (one mail,
// no hash) and on sign-in (one check, no hash): the answer's timing does
// not tell who has an account.
func TestSameWorkForUnknownAddresses(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.reader("known@example.org", "K")
	wk := f.countWork()
	pass := "correct horse battery"
	for _, email := range []string{"new@example.org", "known@example.org"} {
		r := f.browser().Post("/register", "/register", url.Values{"email": {email}, "name": {"N"}, "passphrase": {pass}})
		h, c, m := wk.take()
		if r.Status != 200 || !strings.Contains(r.Body, "Check your email") || h != 1 || c != 0 || len(m) != 1 || m[0] != email {
			t.Errorf("register %s: %d, %d hashes, %d checks, mail %v", email, r.Status, h, c, m)
		}
	}
	for _, email := range []string{"nobody@example.org", "known@example.org"} {
		r := f.browser().Post("/reset", "/reset", url.Values{"email": {email}})
		h, c, m := wk.take()
		if r.Status != 200 || h != 0 || c != 0 || len(m) != 1 || m[0] != email {
			t.Errorf("reset %s: %d, %d hashes, %d checks, mail %v", email, r.Status, h, c, m)
		}
	}
	for _, email := range []string{"nobody@example.org", "known@example.org"} {
		r := f.browser().Post("/login", "/login", url.Values{"email": {email}, "passphrase": {"not the passphrase"}})
		h, c, m := wk.take()
		if r.Status != http.StatusUnauthorized || h != 0 || c != 1 || len(m) != 0 {
			t.Errorf("login %s: %d, %d hashes, %d checks, mail %v", email, r.Status, h, c, m)
		}
	}
	// The dummy hash an unknown address is checked against opens nothing.
	if ok, err := f.srv.checkPass(t.Context(), "", ""); ok || err != nil {
		t.Fatalf("the dummy hash matched: %v %v", ok, err)
	}
}

// Forty sign-ups at once run at most Hashes Argon2id hashes together (the
// limiter's counters, with each hash held until the test lets go), queue
// Queue more, and tell the rest at once that the site is busy: 503, with
// Retry-After, in a page that keeps what they typed.
func TestRegisterHashesAreBounded(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	f.srv.argon = seal.NewLimiter(2, 4)
	f.srv.limits.register = web.NewThrottle(100, 1) // this test is about the limiter, not the throttle
	release := make(chan struct{})
	hash := f.srv.hash
	var inHash, most atomic.Int32
	f.srv.hash = func(p string) string {
		n := inHash.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		inHash.Add(-1)
		return hash(p)
	}
	const n = 40
	pages := make(chan webtestPage, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		b := f.browser()
		tok := b.Get("/register").CSRF(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.PostRaw("/register", url.Values{"csrf": {tok}, "email": {fmt.Sprintf("r%d@example.org", i)}, "name": {"R"}, "passphrase": {"correct horse battery"}})
			pages <- webtestPage{r.Status, r.Header.Get("Retry-After"), r.Body}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		st := f.srv.argon.Stats()
		if st.Busy == n-6 && st.Active == 2 && st.Waiting == 4 {
			break
		}
		if time.Now().After(deadline) || st.Active > 2 || inHash.Load() > 2 {
			close(release)
			t.Fatalf("never settled at 2 running, 4 waiting: %+v, %d hashing", st, inHash.Load())
		}
	}
	close(release)
	wg.Wait()
	close(pages)
	served, busy := 0, 0
	for p := range pages {
		switch {
		case p.status == 200:
			served++
		case p.status == http.StatusServiceUnavailable && p.retry != "" && strings.Contains(p.body, "busy") && strings.Contains(p.body, "@example.org"):
			busy++
		default:
			t.Errorf("unexpected answer %d (Retry-After %q): %.200s", p.status, p.retry, p.body)
		}
	}
	if served != 6 || busy != n-6 || most.Load() > 2 || f.srv.argon.Stats().Peak > 2 {
		t.Fatalf("served %d, busy %d, at most %d hashing at once (peak %d)", served, busy, most.Load(), f.srv.argon.Stats().Peak)
	}
}

type webtestPage struct {
	status      int
	retry, body string
}

// Each form is throttled per account and across all of them, in memory:
// the fourth sign-up or reset for one address within minutes is refused
// (429, Retry-After) without a hash or a mail while another address goes
// through, and the form's bucket caps every address together.
func TestFormThrottles(t *testing.T) {
	f := newFixture(t, storetest.Backends()[0])
	wk := f.countWork()
	post := func(form, email string) webtestPage {
		v := url.Values{"email": {email}, "name": {"T"}, "passphrase": {"correct horse battery"}}
		r := f.browser().Post("/"+form, "/"+form, v)
		return webtestPage{r.Status, r.Header.Get("Retry-After"), r.Body}
	}
	for _, form := range []string{"register", "reset"} {
		for i := 0; i < 3; i++ {
			if p := post(form, "same-"+form+"@example.org"); p.status != 200 {
				t.Fatalf("%s %d: %d", form, i, p.status)
			}
		}
		wk.take()
		p := post(form, "same-"+form+"@example.org")
		h, _, m := wk.take()
		if p.status != http.StatusTooManyRequests || p.retry == "" || !strings.Contains(p.body, "Too many attempts") || h != 0 || len(m) != 0 {
			t.Fatalf("%s, fourth for one address: %d %q, %d hashes, mail %v", form, p.status, p.retry, h, m)
		}
		if p := post(form, "other-"+form+"@example.org"); p.status != 200 {
			t.Fatalf("%s, another address: %d", form, p.status)
		}
		// Ten a second refill at one a second: a burst of distinct
		// addresses runs dry.
		refused := 0
		for i := 0; i < 12; i++ {
			if post(form, fmt.Sprintf("many%d-%s@example.org", i, form)).status == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused == 0 {
			t.Fatalf("%s: no cap across addresses", form)
		}
		f.clock.Advance(time.Hour)
		if p := post(form, "same-"+form+"@example.org"); p.status != 200 {
			t.Fatalf("%s an hour later: %d", form, p.status)
		}
	}
	// Sign-in: an unknown address has no lock-out row, so only the
	// per-account bucket stops guessing at it without Argon2id runs.
	wk.take()
	refused := 0
	for i := 0; i < 12; i++ {
		r := f.browser().Post("/login", "/login", url.Values{"email": {"ghost@example.org"}, "passphrase": {"guess guess guess"}})
		if r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") != "" {
			refused++
		}
	}
	if _, c, _ := wk.take(); refused != 2 || c != 10 {
		t.Fatalf("login to one unknown address: %d refused, %d checks", refused, c)
	}
}
