package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/store"
)

// RunNewsroom runs the newsroom part of the storage contract.
func RunNewsroom(t *testing.T, open func(t testing.TB) (*store.DB, string)) {
	ctx := context.Background()
	seed := func(t *testing.T, s *store.DB, n int) []store.Source {
		var out []store.Source
		for i := 0; i < n; i++ {
			src := store.Source{ID: store.NewID(), LoginHash: []byte{byte(i), 1}, Recipient: "r", Designation: "d" + string(rune('a'+i)), Created: 1, Active: 1}
			if err := s.CreateSource(ctx, src); err != nil {
				t.Fatal(err)
			}
			out = append(out, src)
		}
		return out
	}
	t.Run("credentials and totp replay", func(t *testing.T) {
		s, _ := open(t)
		j := store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1x", PassHash: "h1", TOTPSecret: "S1"}
		s.AddJournalist(ctx, j)
		if ok, _ := s.UseTOTPStep(ctx, j.ID, 100); !ok {
			t.Fatal("first use refused")
		}
		for _, step := range []int64{100, 99} {
			if ok, _ := s.UseTOTPStep(ctx, j.ID, step); ok {
				t.Fatalf("step %d accepted twice", step)
			}
		}
		if ok, _ := s.UseTOTPStep(ctx, j.ID, 101); !ok {
			t.Fatal("next step refused")
		}
		s.LoginFailed(ctx, j.ID, 12345)
		s.LoginFailed(ctx, j.ID, 23456)
		got, _ := s.JournalistByID(ctx, j.ID)
		if got.Failures != 2 || got.LockedUntil != 23456 || got.PassHash != "h1" || got.TOTPSecret != "S1" || got.TOTPConfirmed {
			t.Fatalf("%+v", got)
		}
		s.SetPassphrase(ctx, j.ID, "h2")
		s.SetTOTP(ctx, j.ID, "S2", false)
		s.ConfirmTOTP(ctx, j.ID)
		s.SetRecipient(ctx, j.ID, "age1y")
		got, _ = s.JournalistByID(ctx, j.ID)
		if got.PassHash != "h2" || got.Failures != 0 || got.TOTPSecret != "S2" || got.TOTPLast != 0 || !got.TOTPConfirmed || got.Recipient != "age1y" {
			t.Fatalf("%+v", got)
		}
		if err := s.SetPassphrase(ctx, "nobody", "h"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown journalist: %v", err)
		}
	})
	t.Run("totp step race", func(t *testing.T) {
		// The same code sent at once: one guarded UPDATE lets exactly one
		// through, where read, compare, write would let several.
		s, _ := open(t)
		j := store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1x"}
		s.AddJournalist(ctx, j)
		for step := int64(1); step <= 10; step++ {
			var wg sync.WaitGroup
			var won atomic.Int32
			for i := 0; i < 8; i++ {
				wg.Go(func() {
					ok, err := s.UseTOTPStep(ctx, j.ID, step)
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
					}
				})
			}
			wg.Wait()
			if n := won.Load(); n != 1 {
				t.Fatalf("step %d: %d of 8 concurrent uses accepted", step, n)
			}
		}
	})
	t.Run("sessions", func(t *testing.T) {
		s, _ := open(t)
		j := store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1x"}
		s.AddJournalist(ctx, j)
		live := store.Session{TokenHash: []byte("live"), JournalistID: j.ID, Kind: "web", Expires: time.Now().Add(time.Hour)}
		// Expiries are kept rounded up to the minute: two minutes ago is past.
		dead := store.Session{TokenHash: []byte("dead"), JournalistID: j.ID, Kind: "api", Expires: time.Now().Add(-2 * time.Minute)}
		s.CreateSession(ctx, live)
		s.CreateSession(ctx, dead)
		if got, err := s.SessionByHash(ctx, []byte("live")); err != nil || got.JournalistID != j.ID || got.Kind != "web" {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := s.SessionByHash(ctx, []byte("dead")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		s.SetSessionData(ctx, []byte("live"), "challenge")
		if got, _ := s.SessionByHash(ctx, []byte("live")); got.Data != "challenge" {
			t.Fatalf("session data %q", got.Data)
		}
		s.AddSecurityKey(ctx, j.ID, "cred1", `{"n":1}`)
		s.AddSecurityKey(ctx, j.ID, "cred2", `{"n":2}`)
		if err := s.AddSecurityKey(ctx, j.ID, "cred1", `{}`); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate credential: %v", err)
		}
		s.UpdateSecurityKey(ctx, "cred1", `{"n":3}`)
		if keys, _ := s.SecurityKeys(ctx, j.ID); len(keys) != 2 || keys[0] != `{"n":3}` {
			t.Fatalf("keys %v", keys)
		}
		s.DeleteSecurityKeys(ctx, j.ID)
		if keys, _ := s.SecurityKeys(ctx, j.ID); len(keys) != 0 {
			t.Fatalf("keys after delete %v", keys)
		}
		s.DeleteSessions(ctx, j.ID)
		if _, err := s.SessionByHash(ctx, []byte("live")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session after DeleteSessions: %v", err)
		}
		// Expiries keep the minute, never before asked; a new session
		// sweeps expired ones away, whoever they belonged to.
		bob := store.Journalist{ID: store.NewID(), Name: "bob", Recipient: "age1b"}
		s.AddJournalist(ctx, bob)
		asked := time.Now().Add(30 * time.Minute)
		s.CreateSession(ctx, store.Session{TokenHash: []byte("stale"), JournalistID: j.ID, Kind: "web", Expires: time.Now().Add(-time.Hour)})
		s.CreateSession(ctx, store.Session{TokenHash: []byte("bob"), JournalistID: bob.ID, Kind: "web", Expires: asked})
		got, err := s.SessionByHash(ctx, []byte("bob"))
		if err != nil || got.Expires.Unix()%60 != 0 || got.Expires.Before(asked.Truncate(time.Second)) || got.Expires.Sub(asked) >= time.Minute {
			t.Fatalf("expiry %v for %v: %v", got.Expires, asked, err)
		}
		s.ExtendSession(ctx, []byte("bob"), asked.Add(7*time.Second+time.Minute))
		if got, _ := s.SessionByHash(ctx, []byte("bob")); got.Expires.Unix()%60 != 0 {
			t.Fatalf("extended expiry %v", got.Expires)
		}
		var stale int
		s.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM journalist_sessions WHERE journalist_id = '`+j.ID+`'`).Scan(&stale)
		if stale != 0 {
			t.Fatal("an expired session of another journalist outlived a new sign-in")
		}
		s.AddSecurityKey(ctx, j.ID, "cred3", `{}`)
		var created int64
		s.SQL().QueryRowContext(ctx, `SELECT created FROM webauthn_credentials WHERE id = 'cred3'`).Scan(&created)
		if created == 0 || created%86400 != 0 {
			t.Fatalf("security key created %d, not a day", created)
		}
	})
	t.Run("inbox queries", func(t *testing.T) {
		s, _ := open(t)
		ann := store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1x"}
		s.AddJournalist(ctx, ann)
		srcs := seed(t, s, 3)
		for i, src := range srcs {
			items := []store.Item{{Kind: store.KindMessage, Blob: "m" + src.ID, Manifest: []byte("m")}}
			if i == 1 {
				items = append(items, store.Item{Kind: store.KindFile, Blob: "f" + src.ID, Manifest: []byte("m")})
			}
			if err := s.AddSubmission(ctx, src.ID, store.NewID(), items); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID})
		if err != nil || len(rows) != 3 || rows[0].ID != srcs[2].ID || rows[2].ID != srcs[0].ID {
			t.Fatalf("order: %+v %v", rows, err)
		}
		if rows[1].Items != 2 || rows[1].Unread != 2 {
			t.Fatalf("counts %+v", rows[1])
		}
		items, _ := s.Items(ctx, srcs[1].ID)
		s.MarkSeen(ctx, ann.ID, items[0].ID, items[0].ID)
		if seen, _ := s.Seen(ctx, ann.ID, srcs[1].ID); !seen[items[0].ID] || len(seen) != 1 {
			t.Fatalf("seen %v", seen)
		}
		s.SetStarred(ctx, srcs[0].ID, true)
		s.SetHidden(ctx, srcs[2].ID, true)
		s.SetAssignee(ctx, srcs[1].ID, "investigations")
		// A reply moves its source to the top.
		s.AddReply(ctx, store.Item{SourceID: srcs[0].ID, Blob: "r", Manifest: []byte("m"), Author: ann.ID})
		rows, _ = s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID})
		if len(rows) != 2 || rows[0].ID != srcs[0].ID || rows[0].Replies != 1 || !rows[0].Starred || rows[1].Unread != 1 {
			t.Fatalf("after changes: %+v", rows)
		}
		if r, _ := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID, Hidden: true}); len(r) != 1 || r[0].ID != srcs[2].ID {
			t.Fatalf("hidden: %+v", r)
		}
		if r, _ := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID, Starred: true}); len(r) != 1 || r[0].ID != srcs[0].ID {
			t.Fatalf("starred: %+v", r)
		}
		if r, _ := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID, Assignee: "investigations"}); len(r) != 1 || r[0].ID != srcs[1].ID {
			t.Fatalf("assigned: %+v", r)
		}
		s.MarkSeen(ctx, ann.ID, items[1].ID)
		if r, _ := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID, Unread: true}); len(r) != 1 || r[0].ID != srcs[0].ID {
			t.Fatalf("unread: %+v", r)
		}
		if r, _ := s.ListSources(ctx, store.SourceQuery{JournalistID: ann.ID, Limit: 1, Offset: 1}); len(r) != 1 || r[0].ID != srcs[1].ID {
			t.Fatalf("paging: %+v", r)
		}
		if got, err := s.SourceByDesignation(ctx, srcs[1].Designation); err != nil || got.Assignee != "investigations" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("sync, tombstones, deletion, retention", func(t *testing.T) {
		s, _ := open(t)
		ann := store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1x"}
		s.AddJournalist(ctx, ann)
		srcs := seed(t, s, 2)
		s.AddSubmission(ctx, srcs[0].ID, store.NewID(), []store.Item{{Kind: store.KindMessage, Blob: "a", Manifest: []byte("m")}, {Kind: store.KindFile, Blob: "b", Manifest: []byte("m")}})
		s.AddSubmission(ctx, srcs[1].ID, store.NewID(), []store.Item{{Kind: store.KindMessage, Blob: "c", Manifest: []byte("m")}})
		all, _ := s.ItemsSince(ctx, 0, 100)
		if len(all) != 3 {
			t.Fatalf("%d items", len(all))
		}
		if n, last, _ := s.CountSubmissionsSince(ctx, 0); n != 2 || last != all[2].Seq {
			t.Fatalf("count %d %d", n, last)
		}
		if n, _, _ := s.CountSubmissionsSince(ctx, all[2].Seq); n != 0 {
			t.Fatalf("count after last: %d", n)
		}
		// The ciphertext hash: absent until recorded, then read back.
		if all[0].SHA256 != nil {
			t.Fatalf("hash before it was computed: %x", all[0].SHA256)
		}
		sum := []byte{0: 0xab, 31: 0xcd}
		if err := s.SetItemSHA256(ctx, all[0].ID, sum); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ItemByID(ctx, all[0].ID); string(got.SHA256) != string(sum) {
			t.Fatalf("hash read back %x", got.SHA256)
		}
		if err := s.SetItemSHA256(ctx, "nope", sum); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("hash of a missing item: %v", err)
		}
		later, _ := s.ItemsSince(ctx, all[0].Seq, 100)
		if len(later) != 2 || later[0].ID != all[1].ID {
			t.Fatalf("since: %+v", later)
		}
		s.MarkSeen(ctx, ann.ID, all[0].ID)
		if _, err := s.DeleteItem(ctx, srcs[0].ID, all[1].ID, ""); err != nil {
			t.Fatal(err)
		}
		blobs, err := s.DeleteSource(ctx, srcs[0].ID)
		if err != nil || len(blobs) != 1 || blobs[0] != "a" {
			t.Fatalf("delete source: %v %v", blobs, err)
		}
		if _, err := s.SourceByID(ctx, srcs[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("source survived")
		}
		if _, err := s.DeleteSource(ctx, srcs[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		tombs, _ := s.TombstonesSince(ctx, 0)
		if len(tombs) != 2 || tombs[0].ItemID != all[1].ID || tombs[1].ItemID != all[0].ID {
			t.Fatalf("tombstones %+v", tombs)
		}
		if ok, _ := s.BlobReferenced(ctx, "a"); ok {
			t.Fatal("deleted source's item remains")
		}
		// Retention: srcs[1] was active today; an old source is not.
		old := store.Source{ID: store.NewID(), LoginHash: []byte{99}, Recipient: "r", Designation: "old", Created: 10, Active: 10}
		s.CreateSource(ctx, old)
		ids, _ := s.InactiveSources(ctx, store.Today()-30)
		if len(ids) != 1 || ids[0] != old.ID {
			t.Fatalf("inactive %v", ids)
		}
		s.TouchSource(ctx, old.ID)
		if ids, _ := s.InactiveSources(ctx, store.Today()-30); len(ids) != 0 {
			t.Fatalf("touched source still inactive: %v", ids)
		}
	})
	t.Run("audit", func(t *testing.T) {
		s, _ := open(t)
		s.Audit(ctx, "ann", "login", "")
		s.Audit(ctx, "bob", "reply", "1 item")
		log, err := s.AuditLog(ctx, 10)
		if err != nil || len(log) != 2 || log[0].Journalist != "bob" || log[1].Action != "login" || log[0].At.IsZero() {
			t.Fatalf("%+v %v", log, err)
		}
		// The day, no finer: midnight UTC of today (or of yesterday, if
		// midnight fell between the two calls).
		for _, e := range log {
			if d := store.DayOf(e.At); e.At != d.Time() || d < store.Today()-1 || d > store.Today() {
				t.Fatalf("audit time %v is not a day", e.At)
			}
		}
	})
}
