// Package authtest is the contract every auth.Store must keep, run by each
// zone against its own adapter (on every backend, through storetest.Each),
// and the sign-in rules checked through an auth.Service over that store.
package authtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/auth"
	"confide/internal/seal"
	"confide/internal/web"
	"confide/internal/web/webtest"
)

// Fixture is a zone's account store under test.
type Fixture struct {
	Store auth.Store
	// Add creates an account with a passphrase hash and a TOTP secret not
	// yet confirmed, and returns it as AccountByName would.
	Add func(t *testing.T, name, passHash, totpSecret string) auth.Account
}

// Params is the cheap Argon2id cost the suite hashes with.
var Params = seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}

// Run checks the store that open makes, a fresh one for each subtest.
func Run(t *testing.T, open func(t *testing.T) Fixture) {
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("TOTPStepOnce", func(t *testing.T) { testTOTPStep(t, open(t)) })
	t.Run("SecurityKeys", func(t *testing.T) { testSecurityKeys(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("SignIn", func(t *testing.T) { testSignIn(t, open(t)) })
	t.Run("LockNeverRefusesTheRightSecrets", func(t *testing.T) { testLock(t, open(t)) })
	t.Run("UnknownNamesAnswerAlike", func(t *testing.T) { testUnknown(t, open(t)) })
	t.Run("SessionCookies", func(t *testing.T) { testCookies(t, open(t)) })
	t.Run("Setup", func(t *testing.T) { testSetup(t, open(t)) })
	t.Run("SecurityKeyCeremonies", func(t *testing.T) { testKeyCeremonies(t, open(t)) })
}

func testAccounts(t *testing.T, f Fixture) {
	ctx := context.Background()
	if _, err := f.Store.AccountByName(ctx, "nobody"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown name: %v", err)
	}
	added := f.Add(t, "ann", "$argon2id$hash", "SECRET")
	a, err := f.Store.AccountByName(ctx, "ann")
	if err != nil || a.ID != added.ID || a.ID == "" || a.Name != "ann" || a.PassHash != "$argon2id$hash" || a.TOTPSecret != "SECRET" ||
		a.TOTPConfirmed || a.Failures != 0 || a.LockedUntil != 0 {
		t.Fatalf("found %+v, %v; added %+v", a, err, added)
	}
	for i, lock := range []int64{0, 1234} {
		if err := f.Store.LoginFailed(ctx, a.ID, lock); err != nil {
			t.Fatal(err)
		}
		a, _ = f.Store.AccountByName(ctx, "ann")
		if a.Failures != i+1 || a.LockedUntil != lock {
			t.Fatalf("after %d failures: %+v", i+1, a)
		}
	}
	if err := f.Store.LoginSucceeded(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ = f.Store.AccountByName(ctx, "ann"); a.Failures != 0 || a.LockedUntil != 0 {
		t.Fatalf("after a success: %+v", a)
	}
	if err := f.Store.ConfirmTOTP(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ = f.Store.AccountByName(ctx, "ann"); !a.TOTPConfirmed {
		t.Fatalf("confirmed: %+v", a)
	}
}

// A step is used once, and no earlier one after it; of racing requests
// with the same step exactly one wins.
func testTOTPStep(t *testing.T, f Fixture) {
	ctx := context.Background()
	a := f.Add(t, "ann", "h", "S")
	for _, c := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		if ok, err := f.Store.UseTOTPStep(ctx, a.ID, c.step); err != nil || ok != c.want {
			t.Fatalf("step %d: %v %v, want %v", c.step, ok, err, c.want)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			ok, err := f.Store.UseTOTPStep(ctx, a.ID, 200)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if ok {
				wins++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d racing uses of one step won", wins)
	}
}

func testSecurityKeys(t *testing.T, f Fixture) {
	ctx := context.Background()
	a, b := f.Add(t, "ann", "h", "S"), f.Add(t, "bob", "h", "S")
	if keys, err := f.Store.SecurityKeys(ctx, a.ID); err != nil || len(keys) != 0 {
		t.Fatalf("before: %v %v", keys, err)
	}
	if err := f.Store.AddSecurityKey(ctx, a.ID, "k1", `{"n":1}`); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.AddSecurityKey(ctx, a.ID, "k2", `{"n":2}`); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.UpdateSecurityKey(ctx, "k1", `{"n":3}`); err != nil {
		t.Fatal(err)
	}
	keys, err := f.Store.SecurityKeys(ctx, a.ID)
	if err != nil || len(keys) != 2 || !(keys[0] == `{"n":3}` && keys[1] == `{"n":2}` || keys[1] == `{"n":3}` && keys[0] == `{"n":2}`) {
		t.Fatalf("ann's keys: %q %v", keys, err)
	}
	if keys, err := f.Store.SecurityKeys(ctx, b.ID); err != nil || len(keys) != 0 {
		t.Fatalf("bob has ann's keys: %q %v", keys, err)
	}
}

func testSessions(t *testing.T, f Fixture) {
	ctx := context.Background()
	a := f.Add(t, "ann", "h", "S")
	tok, hash := web.NewToken()
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := f.Store.CreateSession(ctx, auth.Session{TokenHash: hash, AccountID: a.ID, Kind: auth.KindSetup, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	sess, err := f.Store.SessionByHash(ctx, web.TokenHash(tok))
	// Stores may round the expiry up to the minute.
	if err != nil || !bytes.Equal(sess.TokenHash, hash) || sess.AccountID != a.ID || sess.Kind != auth.KindSetup ||
		sess.Expires.Before(exp) || sess.Expires.After(exp.Add(time.Minute)) || sess.Data != "" {
		t.Fatalf("session %+v, %v", sess, err)
	}
	if err := f.Store.SetSessionData(ctx, hash, "challenge"); err != nil {
		t.Fatal(err)
	}
	later := exp.Add(time.Hour)
	if err := f.Store.ExtendSession(ctx, hash, later); err != nil {
		t.Fatal(err)
	}
	if sess, err = f.Store.SessionByHash(ctx, hash); err != nil || sess.Data != "challenge" || sess.Expires.Before(later) {
		t.Fatalf("after data and extension: %+v, %v", sess, err)
	}
	if err := f.Store.DeleteSession(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.SessionByHash(ctx, hash); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
}

// zone is a Service over the fixture's store, with a clock the test moves.
type zone struct {
	f     Fixture
	svc   *auth.Service
	clock *webtest.Clock
	// audit lists the events recorded, as "name: action (detail)".
	mu    sync.Mutex
	audit []string
}

func newZone(t *testing.T, f Fixture) *zone {
	z := &zone{f: f, clock: webtest.NewClock(time.Now())}
	svc, err := auth.New(auth.Config{Store: f.Store, Cookie: "zone_session", CSRF: web.CSRF{Cookie: "zone_csrf"}, Params: Params,
		Idle: 30 * time.Minute, Issuer: "Test", Now: z.clock.Now,
		Audit: func(_ context.Context, a auth.Account, action, detail string) {
			z.mu.Lock()
			z.audit = append(z.audit, a.Name+": "+action+" ("+detail+")")
			z.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	z.svc = svc
	return z
}

// person is an account with its secrets.
type person struct {
	auth.Account
	pass, secret string
}

func (z *zone) person(t *testing.T, name string, confirmed bool) person {
	secret, _, err := seal.NewTOTP("Test", name)
	if err != nil {
		t.Fatal(err)
	}
	pass := seal.NewPassphrase()
	a := z.f.Add(t, name, seal.HashPassphrase(pass, Params), secret)
	if confirmed {
		if err := z.f.Store.ConfirmTOTP(context.Background(), a.ID); err != nil {
			t.Fatal(err)
		}
	}
	return person{a, pass, secret}
}

// code is p's code now; the clock then moves a step on, so each call gives
// a fresh code.
func (z *zone) code(t *testing.T, p person) string {
	c, err := seal.TOTPCode(p.secret, z.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	z.clock.Advance(30 * time.Second)
	return c
}

func request(client string) *http.Request {
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = client + ":1234"
	return r
}

func testSignIn(t *testing.T, f Fixture) {
	z := newZone(t, f)
	ann := z.person(t, "ann", true)
	code := z.code(t, ann)
	a, pending, err := z.svc.Authenticate(request("10.0.0.1"), "ann", ann.pass, code, true)
	if err != nil || a.ID != ann.ID || pending != "" {
		t.Fatalf("right secrets: %+v %q %v", a, pending, err)
	}
	if _, _, err := z.svc.Authenticate(request("10.0.0.1"), "ann", ann.pass, code, true); !errors.Is(err, auth.ErrLoginFailed) {
		t.Fatalf("a replayed code: %v", err)
	}
	if _, _, err := z.svc.Authenticate(request("10.0.0.1"), "ann", "wrong", z.code(t, ann), true); !errors.Is(err, auth.ErrLoginFailed) {
		t.Fatalf("a wrong passphrase: %v", err)
	}
	if got := strings.Join(z.audit, "; "); got != "ann: login failed (right passphrase, wrong code); ann: login failed ()" {
		t.Fatalf("audit: %s", got)
	}
	// No second factor yet: the web stops at setup, the API signs in.
	bob := z.person(t, "bob", false)
	if _, pending, err := z.svc.Authenticate(request("10.0.0.2"), "bob", bob.pass, "", true); err != nil || pending != auth.KindSetup {
		t.Fatalf("setup pending: %q %v", pending, err)
	}
	if _, pending, err := z.svc.Authenticate(request("10.0.0.2"), "bob", bob.pass, z.code(t, bob), false); err != nil || pending != "" {
		t.Fatalf("API sign-in before setup: %q %v", pending, err)
	}
	// A security key and no code: the key step is pending, failures stand.
	if err := f.Store.AddSecurityKey(context.Background(), ann.ID, "k", "{}"); err != nil {
		t.Fatal(err)
	}
	if _, pending, err := z.svc.Authenticate(request("10.0.0.1"), "ann", ann.pass, "", true); err != nil || pending != auth.KindKey {
		t.Fatalf("key pending: %q %v", pending, err)
	}
	if a, _ := f.Store.AccountByName(context.Background(), "ann"); a.Failures != 2 {
		t.Fatalf("the key step cleared the failures: %+v", a)
	}
}

// Wrong passphrases lock a name (five for a minute, six for two); the lock
// refuses guesses with its end, spends the codes of the moment on a wrong
// one, and still admits the right passphrase with a later step's code.
func testLock(t *testing.T, f Fixture) {
	z := newZone(t, f)
	ann := z.person(t, "ann", true)
	for i := range 6 {
		_, _, err := z.svc.Authenticate(request("10.0.1."+string(rune('1'+i))), "ann", "guess", "000000", false)
		var lock auth.LockedError
		want := time.Duration(i-3) * time.Minute
		switch {
		case i < 4 && !errors.Is(err, auth.ErrLoginFailed):
			t.Fatalf("failure %d: %v", i+1, err)
		case i >= 4 && (!errors.As(err, &lock) || !errors.Is(err, auth.ErrLocked) || lock.Until.Sub(z.clock.Now()) > want || lock.Until.Sub(z.clock.Now()) < want-time.Second):
			t.Fatalf("failure %d: %v, want a lock of %v", i+1, err, want)
		}
	}
	now, _ := seal.TOTPCode(ann.secret, z.clock.Now())
	if _, _, err := z.svc.Authenticate(request("10.0.2.1"), "ann", ann.pass, "000000", false); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("a wrong code while locked: %v", err)
	}
	if _, _, err := z.svc.Authenticate(request("10.0.2.1"), "ann", ann.pass, now, false); err == nil {
		t.Fatal("a wrong code while locked left this moment's code usable")
	}
	z.clock.Advance(60 * time.Second)
	if _, _, err := z.svc.Authenticate(request("10.0.2.1"), "ann", ann.pass, z.code(t, ann), false); err != nil {
		t.Fatalf("the right secrets while locked: %v", err)
	}
	if a, _ := f.Store.AccountByName(context.Background(), "ann"); a.Failures != 0 || a.LockedUntil != 0 {
		t.Fatalf("a success left the lock: %+v", a)
	}
}

// An unknown name gets the answers a real one with a wrong passphrase gets,
// lock times included.
func testUnknown(t *testing.T, f Fixture) {
	z := newZone(t, f)
	z.person(t, "ann", true)
	for i := range 6 {
		_, _, known := z.svc.Authenticate(request("10.0.3.1"), "ann", "guess", "000000", true)
		_, _, unknown := z.svc.Authenticate(request("10.0.3.2"), "nobody", "guess", "000000", true)
		if known == nil || unknown == nil || known.Error() != unknown.Error() {
			t.Fatalf("failure %d: known %v, unknown %v", i+1, known, unknown)
		}
		if i == 5 && !errors.Is(unknown, auth.ErrLocked) {
			t.Fatalf("six failures did not lock the unknown name: %v", unknown)
		}
	}
	for _, e := range z.audit {
		if strings.HasPrefix(e, "nobody") {
			t.Fatalf("an unknown name was logged: %s", e)
		}
	}
}

func testCookies(t *testing.T, f Fixture) {
	z := newZone(t, f)
	ann := z.person(t, "ann", true)
	w := httptest.NewRecorder()
	if err := z.svc.StartSession(w, request("10.0.4.1"), ann.ID, auth.KindFull); err != nil {
		t.Fatal(err)
	}
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "zone_session" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Value == "" {
		t.Fatalf("session cookie %+v", ck)
	}
	if !strings.Contains(strings.Join(w.Result().Header.Values("Set-Cookie"), "\n"), "zone_csrf=") {
		t.Fatal("signing in did not rotate the CSRF token")
	}
	// Only the token's hash is stored.
	if _, err := f.Store.SessionByHash(context.Background(), []byte(ck.Value)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("the token itself finds a session: %v", err)
	}
	r := request("10.0.4.1")
	r.AddCookie(ck)
	if sess, err := z.svc.Current(r, auth.KindFull); err != nil || sess.AccountID != ann.ID {
		t.Fatalf("current: %+v %v", sess, err)
	}
	if _, err := z.svc.Current(r, auth.KindSetup); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("a full session passed for a setup one: %v", err)
	}
	z.clock.Advance(31 * time.Minute)
	if _, err := z.svc.Current(r, auth.KindFull); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("an idle session lived on: %v", err)
	}
	z.svc.End(httptest.NewRecorder(), r)
	if _, err := f.Store.SessionByHash(context.Background(), web.TokenHash(ck.Value)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("ending left the session stored: %v", err)
	}
}

func testSetup(t *testing.T, f Fixture) {
	z := newZone(t, f)
	bob := z.person(t, "bob", false)
	w := httptest.NewRecorder()
	if err := z.svc.StartSession(w, request("10.0.5.1"), bob.ID, auth.KindSetup); err != nil {
		t.Fatal(err)
	}
	r := request("10.0.5.1")
	r.AddCookie(w.Result().Cookies()[0])
	sess, err := z.svc.Current(r, auth.KindSetup)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := z.svc.ConfirmSetup(httptest.NewRecorder(), r, bob.Account, sess, "000000"); ok || err != nil {
		t.Fatalf("a wrong first code: %v %v", ok, err)
	}
	w = httptest.NewRecorder()
	if ok, err := z.svc.ConfirmSetup(w, r, bob.Account, sess, z.code(t, bob)); !ok || err != nil {
		t.Fatalf("the right first code: %v %v", ok, err)
	}
	if a, _ := f.Store.AccountByName(context.Background(), "bob"); !a.TOTPConfirmed {
		t.Fatal("setup did not confirm the second factor")
	}
	if _, err := z.svc.Current(r, auth.KindSetup); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("the setup session outlived setup: %v", err)
	}
	r = request("10.0.5.1")
	r.AddCookie(w.Result().Cookies()[0])
	if _, err := z.svc.Current(r, auth.KindFull); err != nil {
		t.Fatalf("setup did not sign in: %v", err)
	}
}

// origin is where the suite's key ceremonies say they ran.
const origin = "http://zone.test"

// keyRequest is a request from origin in p's session of kind, with body
// posted if there is one.
func (z *zone) keyRequest(t *testing.T, p person, kind string, body []byte) *http.Request {
	t.Helper()
	w := httptest.NewRecorder()
	if err := z.svc.StartSession(w, request("10.0.6.1"), p.ID, kind); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", origin+"/key", bytes.NewReader(body))
	r.RemoteAddr = "10.0.6.1:1234"
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

// again is r with another body, in the same session.
func again(r *http.Request, body []byte) *http.Request {
	r2 := httptest.NewRequest("POST", origin+"/key", bytes.NewReader(body))
	r2.RemoteAddr = r.RemoteAddr
	for _, c := range r.Cookies() {
		r2.AddCookie(c)
	}
	return r2
}

// register adds k to p's account through the ceremony.
func (z *zone) register(t *testing.T, p person, k *Key) {
	t.Helper()
	r := z.keyRequest(t, p, auth.KindFull, nil)
	opts, err := z.svc.BeginKeyRegistration(r, p.Account)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := json.Marshal(opts)
	body, err := k.Register(origin, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := z.svc.FinishKeyRegistration(again(r, body), p.Account); err != nil {
		t.Fatalf("registering a key: %v", err)
	}
}

// keyLogin answers p's key step with k, as the account is at the time.
func (z *zone) keyLogin(t *testing.T, p person, k *Key) error {
	t.Helper()
	a, err := z.f.Store.AccountByName(context.Background(), p.Name)
	if err != nil {
		t.Fatal(err)
	}
	r := z.keyRequest(t, p, auth.KindKey, nil)
	sess, err := z.svc.Current(r, auth.KindKey)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := z.svc.BeginKeyLogin(r, a, sess)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := json.Marshal(opts)
	body, err := k.Login(origin, o)
	if err != nil {
		t.Fatal(err)
	}
	if sess, err = z.svc.Current(r, auth.KindKey); err != nil {
		t.Fatal(err)
	}
	r = again(r, body)
	w := httptest.NewRecorder()
	if err := z.svc.FinishKeyLogin(w, r, a, sess); err != nil {
		return err
	}
	full := request("10.0.6.1")
	for _, c := range w.Result().Cookies() {
		if c.Name == "zone_session" {
			full.AddCookie(c)
		}
	}
	if _, err := z.svc.Current(full, auth.KindFull); err != nil {
		t.Fatalf("a verified key gave no full session: %v", err)
	}
	return nil
}

// A registered key signs in; a key of another account, a key whose
// signatures do not verify, and a clone whose counter went back are
// refused, each counted as a failed sign-in, and enough of them lock the
// name.
func testKeyCeremonies(t *testing.T, f Fixture) {
	z := newZone(t, f)
	ann, bob := z.person(t, "ann", true), z.person(t, "bob", true)
	key, bobs := NewKey(), NewKey()
	z.register(t, ann, key)
	z.register(t, bob, bobs)
	if keys, _ := f.Store.SecurityKeys(context.Background(), ann.ID); len(keys) != 1 {
		t.Fatalf("ann's keys after registering: %q", keys)
	}
	clone := key.Clone()
	if err := z.keyLogin(t, ann, key); err != nil {
		t.Fatalf("the registered key: %v", err)
	}
	if err := z.keyLogin(t, ann, key); err != nil {
		t.Fatalf("the registered key, again: %v", err)
	}
	// The clone's counter is behind the key's: two copies exist.
	if err := z.keyLogin(t, ann, clone); !errors.Is(err, auth.ErrCloned) || !errors.Is(err, auth.ErrNotVerified) {
		t.Fatalf("a cloned key: %v", err)
	}
	if err := z.keyLogin(t, ann, key); err != nil {
		t.Fatalf("the key after its clone was refused: %v", err)
	}
	for i, k := range []*Key{bobs, key.Impostor(), NewKey(), bobs, clone} {
		err := z.keyLogin(t, ann, k)
		var lock auth.LockedError
		if !errors.Is(err, auth.ErrNotVerified) || i < 4 && errors.Is(err, auth.ErrLocked) ||
			i == 4 && (!errors.As(err, &lock) || lock.Until.Sub(z.clock.Now()) > time.Minute || lock.Until.Sub(z.clock.Now()) < time.Minute-time.Second) {
			t.Fatalf("wrong key %d: %v", i, err)
		}
	}
	a, _ := f.Store.AccountByName(context.Background(), "ann")
	if a.Failures != 5 || a.LockedUntil <= z.clock.Now().Unix() {
		t.Fatalf("after five refused keys: %+v", a)
	}
	if _, _, err := z.svc.Authenticate(request("10.0.6.2"), "ann", ann.pass, "000000", true); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("refused keys did not lock the name: %v", err)
	}
	// They count for the client too: five more, for bob, and the client
	// (10.0.6.1) is locked for every name, as after ten wrong codes.
	for range 5 {
		if err := z.keyLogin(t, bob, NewKey()); !errors.Is(err, auth.ErrNotVerified) {
			t.Fatalf("bob's wrong key: %v", err)
		}
	}
	carol := z.person(t, "carol", true)
	if _, _, err := z.svc.Authenticate(request("10.0.6.1"), "carol", "guess", "000000", true); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("ten refused keys from one client did not lock it: %v", err)
	}
	if _, _, err := z.svc.Authenticate(request("10.0.6.3"), "carol", carol.pass, z.code(t, carol), true); err != nil {
		t.Fatalf("another client: %v", err)
	}
	// The lock never refuses the right secrets: the right key still signs in.
	if err := z.keyLogin(t, ann, key); err != nil {
		t.Fatalf("the right key while locked: %v", err)
	}
	if a, _ := f.Store.AccountByName(context.Background(), "ann"); a.Failures != 0 || a.LockedUntil != 0 {
		t.Fatalf("a key sign-in left the lock: %+v", a)
	}
	n := 0
	for _, e := range z.audit {
		if strings.HasPrefix(e, "ann: login failed (security key") {
			n++
		}
	}
	if n != 6 || !slices.Contains(z.audit, "ann: login failed (security key, counter went back (a copy?))") {
		t.Fatalf("%d refused keys audited, want 6: %q", n, z.audit)
	}
}
