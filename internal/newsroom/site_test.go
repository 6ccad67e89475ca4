package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confide/internal/store"
	"confide/internal/store/storetest"
)

func TestStoryEditorAndModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		ann := f.person("ann", false)
		br := f.login(ann)
		form := url.Values{"title": {"Where the <river> money went"}, "slug": {"river-money"}, "standfirst": {"Ledgers."},
			"pull_quotes": {"Nobody signed.\nNobody asked."}, "author_name": {"Anna"}, "author_bio": {"Covers money."},
			"date": {"2026-11-20"}, "tags": {"money, city hall"}, "body": {"The **ledgers** <script>x</script>."}}
		form.Set("op", "preview")
		p := br.Post("/stories/new", "/stories", form)
		if p.Status != 200 || !strings.Contains(p.Body, "<strong>ledgers</strong>") || strings.Contains(p.Body, "<script>x") {
			t.Fatalf("preview: %d", p.Status)
		}
		if _, err := f.store.StoryBySlug(ctx, "river-money"); err == nil {
			t.Fatal("preview saved the story")
		}
		form.Set("op", "draft")
		form.Set("lang", "ru")
		if p := br.Post("/stories/new", "/stories", form); p.Status != http.StatusSeeOther {
			t.Fatalf("draft: %d %s", p.Status, p.Body)
		}
		st, _ := f.store.StoryBySlug(ctx, "river-money")
		if st.State != store.StoryDraft || len(st.PullQuotes) != 2 || len(st.Tags) != 2 || st.Lang != "ru" {
			t.Fatalf("%+v", st)
		}
		// The editor shows the story's language back, so saving again keeps it.
		if p := br.Get("/stories/river-money/edit"); !strings.Contains(p.Body, `name="lang" value="ru"`) {
			t.Fatalf("the editor lost the story's language: %s", p.Body)
		}
		form.Set("op", "publish")
		form.Set("title", "Where the river money went")
		br.Post("/stories/river-money/edit", "/stories", form)
		sts, _ := f.store.Stories(ctx, store.StoryQuery{})
		if len(sts) != 1 || sts[0].State != store.StoryPublished || sts[0].Title != "Where the river money went" {
			t.Fatalf("publish updated in place? %+v", sts)
		}
		bad := url.Values{"title": {"x"}, "op": {"draft"}}
		if p := br.Post("/stories/new", "/stories", bad); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "author.name is missing") {
			t.Fatalf("bad story: %d", p.Status)
		}
		br.Post("/stories", "/stories/river-money/state", url.Values{"op": {"close"}})
		br.Post("/stories", "/stories/river-money/state", url.Values{"op": {"unpublish"}})
		if st, _ := f.store.StoryBySlug(ctx, "river-money"); !st.CommentsClosed || st.State != store.StoryDraft {
			t.Fatalf("%+v", st)
		}
		// Moderation.
		rd := store.Reader{ID: store.NewID(), Email: "r@example.org", Name: "Reader <b>", PassHash: "x"}
		f.store.CreateReader(ctx, rd)
		c1 := store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: rd.ID, Body: "first <script>", State: store.CommentPending, Created: time.Now()}
		c2 := store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: rd.ID, Body: "second", State: store.CommentPending, Created: time.Now()}
		f.store.AddComment(ctx, c1)
		f.store.AddComment(ctx, c2)
		q := br.Get("/comments")
		if !strings.Contains(q.Body, "Reader &lt;b&gt;") || strings.Contains(q.Body, "<script>") || strings.Count(q.Body, `action="/comments/`) != 2 {
			t.Fatalf("queue: %s", q.Body)
		}
		// A moderator knows the story by its headline, not its slug.
		if !strings.Contains(q.Body, `<a href="/stories/river-money/edit">Where the river money went</a>`) {
			t.Fatalf("queue does not name the story by its headline: %s", q.Body)
		}
		br.Post("/comments", "/comments/"+c1.ID, url.Values{"action": {"approve"}})
		if c, _ := f.store.CommentByID(ctx, c1.ID); c.State != store.CommentApproved {
			t.Fatal("not approved")
		}
		br.Post("/comments", "/comments/"+c2.ID, url.Values{"action": {"ban"}})
		if r, _ := f.store.ReaderByID(ctx, rd.ID); !r.Banned || r.Approved != 1 {
			t.Fatalf("%+v", r)
		}
		if c, _ := f.store.CommentByID(ctx, c2.ID); c.State != store.CommentRemoved {
			t.Fatal("ban did not remove the comment")
		}
		if p := br.PostRaw("/comments/"+c1.ID, url.Values{"action": {"remove"}}); p.Status != http.StatusForbidden {
			t.Fatalf("moderation without csrf: %d", p.Status)
		}
	})
}
