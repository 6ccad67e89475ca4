// Command inbox seeds a newsroom with many sources and submissions and
// measures the inbox page and a full workstation sync of metadata, over
// real HTTP on loopback, on SQLite (default) or PostgreSQL (--db).
//
//	go run ./bench/inbox [-sources 10000] [-items 100000] [-db postgres://…]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"confide/internal/blob"
	"confide/internal/newsroom"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
	"confide/internal/workstation"

	"filippo.io/age"
)

func main() {
	nSources := flag.Int("sources", 10000, "sources to seed")
	nItems := flag.Int("items", 100000, "submission items to seed")
	dsn := flag.String("db", "", "postgres:// URL of an empty database (default: SQLite in a temp folder)")
	runs := flag.Int("runs", 200, "inbox page loads to time")
	flag.Parse()
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "confide-inbox-bench")
	defer os.RemoveAll(dir)

	var st *store.DB
	var err error
	backend := "sqlite"
	if *dsn != "" {
		backend = "postgres"
		st, err = postgres.Open(ctx, *dsn)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(dir, "confide.db"))
	}
	check(err)
	defer st.Close()
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	check(err)

	id, _ := age.GenerateX25519Identity()
	params := seal.Params{Time: 1, MemoryKiB: 64, Threads: 1}
	creds, err := newsroom.CreateJournalist(ctx, st, "Confide", "ann", id.Recipient().String(), true, params)
	check(err)
	j, _ := st.JournalistByName(ctx, "ann")
	check(st.ConfirmTOTP(ctx, j.ID))
	u, _ := url.Parse(creds.TOTPURI)
	secret := u.Query().Get("secret")

	t0 := time.Now()
	seed(ctx, st.SQL(), backend, *nSources, *nItems)
	fmt.Printf("backend:            %s\nseeded:             %d sources, %d items in %.1f s\n", backend, *nSources, *nItems, time.Since(t0).Seconds())

	srv, err := newsroom.New(ctx, newsroom.Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Params: params})
	check(err)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// Sign in on the web.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := fetch(c, ts.URL+"/login")
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	code, _ := seal.TOTPCode(secret, time.Now())
	resp, err := c.PostForm(ts.URL+"/login", url.Values{"csrf": {tok}, "name": {"ann"}, "passphrase": {creds.Passphrase}, "code": {code}})
	check(err)
	resp.Body.Close()
	if !strings.Contains(fetch(c, ts.URL+"/"), "/sources/") {
		log.Fatal("inbox: not signed in")
	}
	var inbox []time.Duration
	for i := 0; i < *runs; i++ {
		t := time.Now()
		body := fetch(c, ts.URL+"/")
		inbox = append(inbox, time.Since(t))
		if !strings.Contains(body, "/sources/") {
			log.Fatal("inbox page without sources")
		}
	}
	var unread []time.Duration
	for i := 0; i < *runs/4; i++ {
		t := time.Now()
		fetch(c, ts.URL+"/?filter=unread")
		unread = append(unread, time.Since(t))
	}

	// A full workstation sync of metadata, signatures verified.
	wc, _ := workstation.NewClient(ts.URL, srv.PublicKey())
	code, _ = seal.TOTPCode(secret, time.Now().Add(30*time.Second))
	_, err = wc.Login(ctx, "ann", creds.Passphrase, code)
	check(err)
	var syncs []time.Duration
	items := 0
	for r := 0; r < 5; r++ {
		t := time.Now()
		var cur int64
		items = 0
		for first := true; ; first = false {
			page, err := wc.Sync(ctx, cur, 0, first)
			check(err)
			items += len(page.Items)
			cur = page.ItemsCursor
			if !page.More {
				break
			}
		}
		syncs = append(syncs, time.Since(t))
	}
	if items != *nItems {
		log.Fatalf("sync returned %d items, want %d", items, *nItems)
	}
	med, p99 := stats(inbox)
	umed, up99 := stats(unread)
	smed, _ := stats(syncs)
	fmt.Printf("inbox page:         median %s, p99 %s (target p99 < 200ms: %.2f of target)\n", ms(med), ms(p99), p99.Seconds()/0.2)
	fmt.Printf("inbox, unread only: median %s, p99 %s\n", ms(umed), ms(up99))
	fmt.Printf("full sync:          median %s for %d items (target < 5s: %.2f of target)\n", ms(smed), items, smed.Seconds()/5)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", d.Seconds()*1000) }

func stats(ds []time.Duration) (time.Duration, time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)]
}

func fetch(c *http.Client, u string) string {
	resp, err := c.Get(u)
	check(err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		log.Fatalf("%s: %d", u, resp.StatusCode)
	}
	return string(b)
}

// seed bulk-inserts rows directly: the point is to measure reads at scale,
// and going through the dropbox would only measure Argon2id and age.
func seed(ctx context.Context, db *sql.DB, backend string, nSources, nItems int) {
	tx, err := db.BeginTx(ctx, nil)
	check(err)
	ph := func(n int) string {
		if backend != "postgres" {
			return strings.TrimSuffix(strings.Repeat("?,", n), ",")
		}
		var b []string
		for i := 1; i <= n; i++ {
			b = append(b, fmt.Sprintf("$%d", i))
		}
		return strings.Join(b, ",")
	}
	src, err := tx.Prepare(`INSERT INTO sources (id, login_hash, recipient, designation, created_day, active_day) VALUES (` + ph(6) + `)`)
	check(err)
	sub, err := tx.Prepare(`INSERT INTO submissions (id, source_id, created_day) VALUES (` + ph(3) + `)`)
	check(err)
	// Each item's ciphertext hash, as a newsroom that has served it keeps it
	// (the sync lists it); the blobs themselves are never read here.
	it, err := tx.Prepare(`INSERT INTO items (id, source_id, submission_id, kind, blob, size, manifest, created_day, sha256) VALUES (` + ph(9) + `)`)
	check(err)
	upd, err := tx.Prepare(`UPDATE sources SET last_seq = (SELECT MAX(seq) FROM items WHERE source_id = ` + ph(1) + `) WHERE id = ` + strings.Replace(ph(2), ph(1)+",", "", 1))
	check(err)
	manifest := make([]byte, 300)
	sum := make([]byte, 32)
	today := int64(store.Today())
	ids := make([]string, nSources)
	for i := range ids {
		ids[i] = store.NewID()
		_, err := src.Exec(ids[i], []byte(ids[i]), "age1placeholder", fmt.Sprintf("source %06d", i), today-int64(i%300), today-int64(i%300))
		check(err)
	}
	for i := 0; i < nItems; i++ {
		s := ids[i%nSources]
		sid := store.NewID()
		_, err := sub.Exec(sid, s, today)
		check(err)
		kind := "file"
		if i%3 == 0 {
			kind = "message"
		}
		_, err = it.Exec(store.NewID(), s, sid, kind, store.NewID(), 4096, manifest, today, sum)
		check(err)
	}
	for _, s := range ids {
		_, err := upd.Exec(s, s)
		check(err)
	}
	check(tx.Commit())
	// Fresh planner statistics, as autovacuum or SQLite's optimize would
	// have after a real newsroom's slow growth.
	if backend == "postgres" {
		_, err = db.ExecContext(ctx, `ANALYZE`)
	} else {
		_, err = db.ExecContext(ctx, `PRAGMA optimize`)
	}
	check(err)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
