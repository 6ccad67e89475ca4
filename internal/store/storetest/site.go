package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"confide/internal/store"
)

// RunSite runs the public-site part of the storage contract.
func RunSite(t *testing.T, open func(t testing.TB) (*store.DB, string)) {
	ctx := context.Background()
	t.Run("stories", func(t *testing.T) {
		s, _ := open(t)
		now := time.Now().UTC().Truncate(time.Second)
		a := store.Story{Slug: "river", Title: "The river", Standfirst: "S", Body: "# B", PullQuotes: []string{"q1", "q2"},
			Author: store.Author{Slug: "ann", Name: "Ann", Bio: "Ann writes."}, Tags: []string{"water", "city"}, State: store.StoryPublished, Published: now.Add(-time.Hour)}
		saved, err := s.SaveStory(ctx, a)
		if err != nil || saved.ID == "" {
			t.Fatal(err)
		}
		// Saving the same slug again updates in place.
		a.Title, a.Tags, a.Author.Bio = "The river, updated", []string{"water"}, "Ann writes about water."
		again, err := s.SaveStory(ctx, a)
		if err != nil || again.ID != saved.ID {
			t.Fatalf("re-save: %v %s %s", err, again.ID, saved.ID)
		}
		s.SaveStory(ctx, store.Story{Slug: "later", Title: "Later", Author: store.Author{Slug: "bob", Name: "Bob"}, State: store.StoryScheduled, Published: now.Add(time.Hour), Lang: "ru"})
		s.SaveStory(ctx, store.Story{Slug: "draft", Title: "Draft", Author: store.Author{Slug: "bob", Name: "Bob"}, State: store.StoryDraft, Published: now})
		all, _ := s.Stories(ctx, store.StoryQuery{})
		live, _ := s.Stories(ctx, store.StoryQuery{LiveAt: now})
		if len(all) != 3 || len(live) != 1 || live[0].Title != "The river, updated" || len(live[0].PullQuotes) != 2 || live[0].Author.Bio != "Ann writes about water." {
			t.Fatalf("all %d live %+v", len(all), live)
		}
		// A story's language is kept; one saved without says "en".
		langs := map[string]string{}
		for _, st := range all {
			langs[st.Slug] = st.Lang
		}
		if langs["river"] != "en" || langs["later"] != "ru" || langs["draft"] != "en" {
			t.Fatalf("languages %v", langs)
		}
		if later, _ := s.Stories(ctx, store.StoryQuery{LiveAt: now.Add(2 * time.Hour)}); len(later) != 2 {
			t.Fatalf("scheduled story not live later: %d", len(later))
		}
		if tagged, _ := s.Stories(ctx, store.StoryQuery{LiveAt: now, Tag: "city"}); len(tagged) != 0 {
			t.Fatal("a removed tag still matches")
		}
		if tagged, _ := s.Stories(ctx, store.StoryQuery{LiveAt: now, Tag: "water"}); len(tagged) != 1 {
			t.Fatal("tag page empty")
		}
		if by, _ := s.Stories(ctx, store.StoryQuery{Author: "bob"}); len(by) != 2 {
			t.Fatalf("author: %d", len(by))
		}
		if _, err := s.StoryBySlug(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		s.SetStoryState(ctx, saved.ID, store.StoryDraft)
		s.SetCommentsClosed(ctx, saved.ID, true)
		got, _ := s.StoryBySlug(ctx, "river")
		if got.State != store.StoryDraft || !got.CommentsClosed {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("documents", func(t *testing.T) {
		s, _ := open(t)
		files := []store.DocumentFile{{Name: "page-1.png", SHA256: "aa", Size: 10}, {Name: "page-1.txt", SHA256: "bb", Size: 1 << 33}}
		updated, err := s.SaveDocument(ctx, store.Document{Slug: "ledger", Title: "Ledger", Manifest: []byte(`{"v":1}`), Files: files})
		if err != nil || updated {
			t.Fatalf("first save: updated %v, %v", updated, err)
		}
		// Publishing again replaces it in place: title, manifest and files.
		files2 := []store.DocumentFile{{Name: "page-1.png", SHA256: "cc", Size: 11}}
		updated, err = s.SaveDocument(ctx, store.Document{Slug: "ledger", Title: "Ledger, corrected", Manifest: []byte(`{"v":2}`), Files: files2})
		if err != nil || !updated {
			t.Fatalf("second save: updated %v, %v", updated, err)
		}
		d, err := s.DocumentBySlug(ctx, "ledger")
		if err != nil || d.Title != "Ledger, corrected" || string(d.Manifest) != `{"v":2}` || !reflect.DeepEqual(d.Files, files2) || d.Published != store.Today() || d.Updated != store.Today() {
			t.Fatalf("%+v %v", d, err)
		}
		for sum, want := range map[string]bool{"aa": false, "bb": false, "cc": true} {
			if got, err := s.DocumentFileReferenced(ctx, sum); err != nil || got != want {
				t.Errorf("file %s referenced: %v, want %v (%v)", sum, got, want, err)
			}
		}
		s.SaveDocument(ctx, store.Document{Slug: "big", Title: "Big", Manifest: []byte(`{}`), Files: files})
		if d, _ := s.DocumentBySlug(ctx, "big"); len(d.Files) != 2 || d.Files[1].Size != 1<<33 {
			t.Fatalf("a file over 4 GiB: %+v", d.Files)
		}
		list, err := s.Documents(ctx)
		if err != nil || len(list) != 2 || list[0].Slug != "big" || list[1].Title != "Ledger, corrected" {
			t.Fatalf("documents %+v %v", list, err)
		}
		if _, err := s.DocumentBySlug(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		// Stories that cite it: live ones only, and a re-save's citations replace the old.
		now := time.Now()
		a := store.Story{Slug: "a", Title: "A", Author: store.Author{Slug: "x", Name: "X"}, State: store.StoryPublished, Published: now.Add(-time.Hour), Cites: []string{"ledger", "big"}}
		s.SaveStory(ctx, a)
		s.SaveStory(ctx, store.Story{Slug: "b", Title: "B", Author: store.Author{Slug: "x", Name: "X"}, State: store.StoryDraft, Published: now, Cites: []string{"ledger"}})
		s.SaveStory(ctx, store.Story{Slug: "c", Title: "C", Author: store.Author{Slug: "x", Name: "X"}, State: store.StoryPublished, Published: now.Add(-2 * time.Hour), Cites: []string{"ledger"}})
		cites, err := s.Stories(ctx, store.StoryQuery{LiveAt: now, Cites: "ledger"})
		if err != nil || len(cites) != 2 || cites[0].Slug != "a" || cites[1].Slug != "c" {
			t.Fatalf("citing stories %+v %v", cites, err)
		}
		a.Cites = []string{"big"}
		s.SaveStory(ctx, a)
		if cites, _ := s.Stories(ctx, store.StoryQuery{LiveAt: now, Cites: "ledger"}); len(cites) != 1 || cites[0].Slug != "c" {
			t.Fatalf("after a re-save without the citation: %+v", cites)
		}
		gone, err := s.DeleteDocument(ctx, "big")
		if err != nil || !reflect.DeepEqual(gone, files) {
			t.Fatalf("delete: %+v %v", gone, err)
		}
		if ok, _ := s.DocumentFileReferenced(ctx, "aa"); ok {
			t.Error("a deleted document's file is still referenced")
		}
		if _, err := s.DeleteDocument(ctx, "big"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
	t.Run("readers and comments", func(t *testing.T) {
		s, _ := open(t)
		st, _ := s.SaveStory(ctx, store.Story{Slug: "x", Title: "X", Author: store.Author{Slug: "a", Name: "A"}, State: store.StoryPublished, Published: time.Now()})
		r := store.Reader{ID: store.NewID(), Email: "r@example.org", Name: "Reader", PassHash: "h"}
		if err := s.CreateReader(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateReader(ctx, store.Reader{ID: store.NewID(), Email: "r@example.org"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: %v", err)
		}
		if got, err := s.ReaderByID(ctx, r.ID); err != nil || got.Created != store.DayOf(got.Created).Time() || store.DayOf(got.Created) < store.Today()-1 {
			t.Fatalf("reader created %v, not a day: %v", got.Created, err)
		}
		s.CreateReaderToken(ctx, []byte("v"), r.ID, "verify", time.Now().Add(time.Hour))
		if id, err := s.ReaderToken(ctx, []byte("v"), "verify", time.Now()); err != nil || id != r.ID {
			t.Fatal(err)
		}
		if _, err := s.ReaderToken(ctx, []byte("v"), "session", time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("token of another kind accepted")
		}
		if _, err := s.ReaderToken(ctx, []byte("v"), "verify", time.Now().Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("expired token accepted")
		}
		// Expiries keep the minute; an expired token is swept by the next.
		s.CreateReaderToken(ctx, []byte("old"), r.ID, "reset", time.Now().Add(-time.Hour))
		s.CreateReaderToken(ctx, []byte("s"), r.ID, "session", time.Now().Add(time.Hour+17*time.Second))
		rows, err := s.SQL().QueryContext(ctx, `SELECT token_hash, expires FROM reader_tokens`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var h []byte
			var exp int64
			rows.Scan(&h, &exp)
			if string(h) == "old" || exp%60 != 0 {
				t.Errorf("reader token %q expires %d", h, exp)
			}
			n++
		}
		rows.Close()
		if n != 2 {
			t.Fatalf("%d reader tokens, want 2", n)
		}
		other := store.Reader{ID: store.NewID(), Email: "o@example.org", Name: "Other", PassHash: "h"}
		s.CreateReader(ctx, other)
		c1 := store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: r.ID, Body: "first", State: store.CommentPending, Created: time.Now()}
		s.AddComment(ctx, c1)
		if mine, _ := s.StoryComments(ctx, st.ID, r.ID); len(mine) != 1 || mine[0].Reader != "Reader" {
			t.Fatalf("author sees %+v", mine)
		}
		if theirs, _ := s.StoryComments(ctx, st.ID, other.ID); len(theirs) != 0 {
			t.Fatal("a pending comment is visible to others")
		}
		if q, _ := s.CommentsByState(ctx, store.CommentPending); len(q) != 1 || q[0].Story != "x" {
			t.Fatalf("queue %+v", q)
		}
		s.SetCommentState(ctx, c1.ID, store.CommentApproved)
		if got, _ := s.ReaderByID(ctx, r.ID); got.Approved != 1 {
			t.Fatalf("approvals %d", got.Approved)
		}
		reply := store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: other.ID, ParentID: c1.ID, Body: "reply", State: store.CommentApproved, Created: time.Now()}
		s.AddComment(ctx, reply)
		if all, _ := s.StoryComments(ctx, st.ID, ""); len(all) != 2 {
			t.Fatalf("%d comments", len(all))
		}
		s.ReportComment(ctx, reply.ID)
		if rep, _ := s.ReportedComments(ctx); len(rep) != 1 || rep[0].ID != reply.ID {
			t.Fatalf("reported %+v", rep)
		}
		s.EditComment(ctx, c1.ID, "first, edited", time.Now())
		if c, _ := s.CommentByID(ctx, c1.ID); c.Body != "first, edited" || c.Edited.IsZero() {
			t.Fatalf("%+v", c)
		}
		if n, _ := s.CountRecentComments(ctx, r.ID, time.Now().Add(-time.Minute)); n != 1 {
			t.Fatalf("recent %d", n)
		}
		s.DeleteComment(ctx, c1.ID)
		if all, _ := s.StoryComments(ctx, st.ID, ""); len(all) != 0 {
			t.Fatal("replies survived their parent's deletion")
		}
		r.Banned, r.Verified = true, true
		s.UpdateReader(ctx, r)
		if got, _ := s.ReaderByEmail(ctx, "r@example.org"); !got.Banned || !got.Verified {
			t.Fatalf("%+v", got)
		}
	})
}
