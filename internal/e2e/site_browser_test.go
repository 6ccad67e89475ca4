package e2e

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/mailtest"

	"github.com/chromedp/chromedp"
)

const storyFile = `---
title: Where the river money went
slug: river-money
standfirst: A year of ledgers, read side by side.
pull_quotes: ["Nobody signed for it."]
author: {name: Anna Petrova, bio: Anna covers public money.}
tags: [money]
---
The **ledgers** show the payments.
`

// TestBrowserReaderComments runs the reader's whole path in Chromium with
// JavaScript off: register, open the mailed link (from the outbox on the
// embedded default, from a real SMTP exchange on PostgreSQL), comment, have
// it approved in the newsroom, and see it on the story.
func TestBrowserReaderComments(t *testing.T) {
	for _, backend := range newsrooms() {
		t.Run(backend, func(t *testing.T) {
			n := setup(t, backend)
			story := filepath.Join(t.TempDir(), "story.md")
			os.WriteFile(story, []byte(storyFile), 0o600)
			args := []string{"article", "publish", "--data", n.data, story}
			var sink *mailtest.Sink
			var extra []string
			if n.db != "" {
				args = append(args, "--db", n.db)
				sink = mailtest.Start(t)
				extra = []string{"--smtp", sink.Addr(), "--smtp-from", "site@newsroom.example"}
			}
			run(t, args...)
			srv := n.start(t, extra...)
			site := srv.urls["site"]
			ctx := newBrowser(t)
			b := tab{t, ctx, srv}
			do, text, click := b.do, b.text, b.click
			do(chromedp.Navigate(site + "/stories/river-money"))
			if !strings.Contains(text(`#register-to-comment`), "To comment on this article, please register") {
				t.Fatal("no invitation to register")
			}
			click(`#register-to-comment a[href="/register"]`)
			do(chromedp.SendKeys(css(`#email`), "reader@example.org"), chromedp.SendKeys(css(`#name`), "Vera"),
				chromedp.SendKeys(css(`#passphrase`), "a long reader passphrase"))
			click(`form[action="/register"] button`)
			if !strings.Contains(text(`#message`), "Check your email") {
				t.Fatal("no confirmation")
			}
			var mail string
			if sink != nil {
				mail = sink.Wait(t, 1)[0]
			} else {
				mail = string(newestMail(t, filepath.Join(n.data, "outbox")))
			}
			link := regexp.MustCompile(`http://\S+/verify\?token=[A-Za-z0-9_-]+`).FindString(mail)
			if link == "" {
				t.Fatalf("no link in %q", mail)
			}
			do(chromedp.Navigate(link), chromedp.Navigate(site+"/stories/river-money"),
				chromedp.SendKeys(css(`#body`), "Thank you for this. The 2019 ledger is missing."))
			click(`form[action="/stories/river-money/comments"] button`)
			if !strings.Contains(text(`#notice`), "once a moderator has approved it") || !strings.Contains(text(`.comment`), "awaiting moderation") {
				t.Fatal("the pending comment is not shown to its author")
			}
			// A journalist approves it in the newsroom.
			web := webJournalist(t, srv.urls["newsroom"], n)
			queue := get(t, web, srv.urls["newsroom"]+"/comments")
			m := regexp.MustCompile(`action="(/comments/[0-9a-f]+)"`).FindStringSubmatch(queue)
			if m == nil || !strings.Contains(queue, "The 2019 ledger is missing.") {
				t.Fatalf("not in the moderation queue: %s", queue)
			}
			if !strings.Contains(queue, `<a href="/stories/river-money/edit">Where the river money went</a>`) {
				t.Fatalf("the queue does not name the story by its headline: %s", queue)
			}
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(queue)[1]
			post(t, web, srv.urls["newsroom"]+m[1], url.Values{"csrf": {csrf}, "action": {"approve"}})
			do(chromedp.Navigate(site + "/stories/river-money"))
			if c := text(`.comment`); strings.Contains(c, "awaiting moderation") || !strings.Contains(c, "The 2019 ledger is missing.") {
				t.Fatalf("after approval: %q", c)
			}
			shot(t, ctx, "site-story-"+backend)
			// Anonymous readers see it once the page cache's second is over.
			seen := false
			for i := 0; i < 30 && !seen; i++ {
				time.Sleep(100 * time.Millisecond)
				resp, err := http.Get(site + "/stories/river-money")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				seen = strings.Contains(string(b), "The 2019 ledger is missing.")
			}
			if !seen {
				t.Fatal("the approved comment never became public")
			}
		})
	}
}
