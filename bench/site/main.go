// Command site prepares and checks the public-site benchmark (bench/site.sh):
//
//	go run ./bench/site seed -data DIR -comments 200   publish a story with approved comments
//	go run ./bench/site approve -data DIR -url URL -newsroom URL -totp SECRET -pass P
//	                                                    approve one more comment in the newsroom, time until it is public
//	go run ./bench/site session -data DIR               sign a reader in; print the session cookie
//	go run ./bench/site bare -file PAGE -listen ADDR     serve PAGE from memory with a bare net/http handler
//
// The bare handler is the ceiling for Confide's own path: the standard
// library writing the same cached bytes with only Content-Type and
// Content-Length, so the gap between it and the site is Confide's cost.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/sqlite"
	"confide/internal/web"
	"confide/internal/web/webtest"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: site seed|approve ...")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "", "the data folder")
	n := fs.Int("comments", 200, "approved comments to seed")
	u := fs.String("url", "", "the story's URL")
	nr := fs.String("newsroom", "", "the newsroom's URL")
	user := fs.String("user", "demo", "the journalist who approves")
	pass := fs.String("pass", "", "their passphrase")
	secret := fs.String("totp", "", "their TOTP secret")
	file := fs.String("file", "", "the page the bare handler serves")
	listen := fs.String("listen", "127.0.0.1:28182", "where the bare handler listens")
	fs.Parse(os.Args[2:])
	if os.Args[1] == "bare" {
		bare(*file, *listen)
		return
	}
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
		// As a moderator does it: sign in to the newsroom, press Approve.
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		form := func(path string, v url.Values, want string) {
			v.Set("csrf", csrfOf(c, *nr+path))
			resp, err := c.PostForm(*nr+path, v)
			if err != nil {
				log.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
				log.Fatalf("POST %s: %s, no %s:\n%s", path, resp.Status, want, b)
			}
		}
		code, err := seal.TOTPCode(*secret, time.Now())
		if err != nil {
			log.Fatal(err)
		}
		// The demo journalist confirms their authenticator on first sign-in.
		form("/login", url.Values{"name": {*user}, "passphrase": {*pass}}, "/setup")
		form("/setup", url.Values{"code": {code}}, `action="/logout"`)
		csrf := csrfOf(c, *nr+"/comments")
		t0 := time.Now()
		resp, err := c.PostForm(*nr+"/comments/pending-bench-comment", url.Values{"csrf": {csrf}, "action": {"approve"}})
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		if c, _ := st.CommentByID(ctx, "pending-bench-comment"); c.State != store.CommentApproved {
			log.Fatalf("the newsroom did not approve the comment (%s, state %q)", resp.Status, c.State)
		}
		for {
			resp, err := http.Get(*u)
			if err != nil {
				log.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "LATE-COMMENT-MARKER") {
				fmt.Printf("comment approved in the newsroom, public after: %.0f ms (target <= 1000)\n", time.Since(t0).Seconds()*1000)
				return
			}
			if time.Since(t0) > 10*time.Second {
				log.Fatal("the approved comment did not appear within 10 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// bare serves one page from memory, as little as net/http allows.
func bare(file, listen string) {
	page, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	size := strconv.Itoa(len(page))
	log.Fatal(http.ListenAndServe(listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"text/html; charset=utf-8"}
		h["Content-Length"] = []string{size}
		w.Write(page)
	})))
}

// csrfOf reads the CSRF token from the form on page u.
func csrfOf(c *http.Client, u string) string {
	resp, err := c.Get(u)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := webtest.CSRFPattern.FindSubmatch(b)
	if m == nil {
		log.Fatalf("no form on %s (%s)", u, resp.Status)
	}
	return string(m[1])
}
