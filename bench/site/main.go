// Command site prepares and checks the public-site benchmark (bench/site.sh):
//
//	go run ./bench/site seed -data DIR -comments 200   publish a story with approved comments
//	go run ./bench/site approve -data DIR -url URL      approve one more comment, time until it is public
//	go run ./bench/site session -data DIR               sign a reader in; print the session cookie
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confide/internal/store"
	"confide/internal/store/sqlite"
	"confide/internal/web"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: site seed|approve ...")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "", "the data folder")
	n := fs.Int("comments", 200, "approved comments to seed")
	u := fs.String("url", "", "the story's URL")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(*data, "confide.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	switch os.Args[1] {
	case "seed":
		s, err := st.SaveStory(ctx, store.Story{Slug: "bench-story", Title: "A story with many comments", Standfirst: "Measured under wrk.",
			Body:       strings.Repeat("A paragraph of reporting, with **emphasis** and a [link](https://example.org/).\n\n", 30),
			PullQuotes: []string{"A pull quote."}, Author: store.Author{Slug: "anna", Name: "Anna", Bio: "Anna reports."},
			Tags: []string{"bench"}, State: store.StoryPublished, Published: time.Now().Add(-time.Hour)})
		if err != nil {
			log.Fatal(err)
		}
		for i := 0; i < *n; i++ {
			rd := store.Reader{ID: store.NewID(), Email: fmt.Sprintf("r%d@example.org", i), Name: fmt.Sprintf("Reader %d", i), PassHash: "x"}
			if err := st.CreateReader(ctx, rd); err != nil {
				log.Fatal(err)
			}
			c := store.Comment{ID: store.NewID(), StoryID: s.ID, ReaderID: rd.ID, Body: fmt.Sprintf("Comment %d: *thoughtful* remarks about the ledgers.", i),
				State: store.CommentApproved, Created: time.Now().Add(-time.Duration(*n-i) * time.Minute)}
			if err := st.AddComment(ctx, c); err != nil {
				log.Fatal(err)
			}
		}
		rd := store.Reader{ID: store.NewID(), Email: "late@example.org", Name: "Late", PassHash: "x"}
		st.CreateReader(ctx, rd)
		st.AddComment(ctx, store.Comment{ID: "pending-bench-comment", StoryID: s.ID, ReaderID: rd.ID, Body: "LATE-COMMENT-MARKER", State: store.CommentPending, Created: time.Now()})
	case "session":
		// A signed-in reader's page is rendered for them on every request
		// (it carries their own pending comments and forms): no cache.
		rd := store.Reader{ID: store.NewID(), Email: "signed-in@example.org", Name: "Signed In", PassHash: "x", Verified: true}
		if err := st.CreateReader(ctx, rd); err != nil {
			log.Fatal(err)
		}
		tok, hash := web.NewToken()
		if err := st.CreateReaderToken(ctx, hash, rd.ID, "session", time.Now().Add(time.Hour)); err != nil {
			log.Fatal(err)
		}
		fmt.Println("reader_session=" + tok)
	case "approve":
		t0 := time.Now()
		if err := st.SetCommentState(ctx, "pending-bench-comment", store.CommentApproved); err != nil {
			log.Fatal(err)
		}
		for {
			resp, err := http.Get(*u)
			if err != nil {
				log.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "LATE-COMMENT-MARKER") {
				fmt.Printf("approved comment public after: %.0f ms (target <= 1000)\n", time.Since(t0).Seconds()*1000)
				return
			}
			if time.Since(t0) > 10*time.Second {
				log.Fatal("the approved comment did not appear within 10 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
