package cli

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confide/internal/archive/sample"
	"confide/internal/seal"
	"confide/internal/web/webtest"
)

// demoRun is a running `confide demo` on free ports.
type demoRun struct {
	out, log *lockedBuffer
	both     *lockedBuffer // stdout and stderr in the order written
	stop     func() error
}

func startDemo(t *testing.T, data string) *demoRun {
	t.Helper()
	r := &demoRun{out: &lockedBuffer{}, log: &lockedBuffer{}, both: &lockedBuffer{}}
	e := &env{stdin: strings.NewReader(""), stdout: io.MultiWriter(r.out, r.both), stderr: io.MultiWriter(r.log, r.both)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- e.serve(ctx, []string{"--data", data, "--site", "127.0.0.1:0", "--dropbox", "127.0.0.1:0", "--newsroom", "127.0.0.1:0", "--archive", "127.0.0.1:0"}, true)
	}()
	stopped := false
	r.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-errc
	}
	t.Cleanup(func() { r.stop() })
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(r.out.String(), "\nready\n"); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-errc:
			t.Fatalf("demo ended before it was ready: %v\n%s\n%s", err, r.out.String(), r.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo not ready: %s\n%s", r.out.String(), r.log.String())
		}
	}
	return r
}

// line is the value of the printed "key: value" line.
func (r *demoRun) line(t *testing.T, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `: (.+)$`).FindStringSubmatch(r.out.String())
	if m == nil {
		t.Fatalf("no %q line in %q", key, r.out.String())
	}
	return m[1]
}

var totalRe = regexp.MustCompile(`<p id="total">(?:at least )?([0-9]+) document`)

// archiveSearch searches as the signed-in browser and returns the total
// and the hits' paths.
func archiveSearch(t *testing.T, b *webtest.Browser, q string) (int, []string) {
	t.Helper()
	p := b.Get("/search?q=" + url.QueryEscape(q))
	m := totalRe.FindStringSubmatch(p.Body)
	if p.Status != 200 || m == nil {
		t.Fatalf("search %q: %d %.500s", q, p.Status, p.Body)
	}
	n, _ := strconv.Atoi(m[1])
	var paths []string
	for _, h := range regexp.MustCompile(`<a class="hit-path" href="[^"]+">([^<]+)</a>`).FindAllStringSubmatch(p.Body, -1) {
		paths = append(paths, html.UnescapeString(h[1]))
	}
	return n, paths
}

// `confide demo` also runs the archive on its own listener, in its own
// folder under the demo's: the three other zones answer at once (ready is
// said before the sample's ingest ends), the demo
// archive user printed at start signs in (passphrase, then the TOTP code),
// the sample collection finishes in the background, and a search for
// "архивы" finds the scanned page among its hits. A second start prints
// the same credentials, queues nothing and doubles nothing; the session
// signed in before still works.
func TestDemoArchive(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo-data")
	d := startDemo(t, data)
	for _, zone := range []string{"site", "dropbox", "newsroom"} {
		resp, err := http.Get(d.line(t, zone))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", zone, resp.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "archive", "archive.db")); err != nil {
		t.Fatalf("the archive's own store: %v", err)
	}
	if !strings.Contains(d.out.String(), "A real archive runs on its own, as confide archive serve, on a machine the newsroom trusts, never beside the dropbox.") {
		t.Fatalf("the start-up does not say where a real archive runs: %s", d.out.String())
	}
	pass, totp := d.line(t, "archive passphrase"), d.line(t, "archive totp")
	creds, err := os.ReadFile(filepath.Join(data, "demo", "archive-credentials.txt"))
	if err != nil || string(creds) != "passphrase: "+pass+"\ntotp: "+totp+"\n" {
		t.Fatalf("credentials file %q (%v)", creds, err)
	}
	u, err := url.Parse(totp)
	if err != nil {
		t.Fatal(err)
	}

	b := webtest.New(t, d.line(t, "archive"))
	if p := b.Post("/login", "/login", url.Values{"name": {"demo"}, "passphrase": {pass}}); p.Status != http.StatusSeeOther || p.Loc != "/setup" {
		t.Fatalf("sign-in: %d %s %.300s", p.Status, p.Loc, p.Body)
	}
	code, err := seal.TOTPCode(u.Query().Get("secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p := b.Post("/setup", "/setup", url.Values{"code": {code}}); p.Status != http.StatusSeeOther || p.Loc != "/" {
		t.Fatalf("setup: %d %s %.300s", p.Status, p.Loc, p.Body)
	}
	done := strconv.Itoa(len(sample.Files())) + " files done, 0 queued, 0 running, <strong>0 failed</strong>"
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		p := b.Get("/collections/" + sample.Collection)
		if p.Status != 200 {
			t.Fatalf("collection page: %d %.300s", p.Status, p.Body)
		}
		if strings.Contains(p.Body, done) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sample is not done: %.1000s\n%s", p.Body, d.log.String())
		}
	}
	// The zones were ready before the sample was read: its ingest does
	// not hold them up.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(d.log.String(), "archive sample: ready"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the sample's ingest did not say it ended: %s", d.log.String())
		}
	}
	if all := d.both.String(); strings.Index(all, "\nready\n") > strings.Index(all, "archive sample: ready") {
		t.Fatalf("ready only after the sample's ingest:\n%s", all)
	}
	total, paths := archiveSearch(t, b, "архивы")
	if total < 10 || len(paths) < 10 {
		t.Fatalf("архивы: %d documents, %q", total, paths)
	}
	scan := false
	for _, p := range paths {
		scan = scan || strings.HasSuffix(p, "/scan-1953.jpg")
	}
	if !scan {
		t.Fatalf("архивы does not find the scanned page: %q", paths)
	}
	// The translation is added once the sample is read: English finds the
	// Russian certificate through it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if _, en := archiveSearch(t, b, "transferred"); len(en) == 2 && slices.Contains(en, "trove/fond-114/opis-1/spravka-1991.txt") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("transferred: %q", en)
		}
	}
	if err := d.stop(); err != nil {
		t.Fatalf("demo ended with %v", err)
	}

	again := startDemo(t, data)
	if again.line(t, "archive passphrase") != pass || strings.Contains(again.out.String(), "files queued") {
		t.Fatalf("second start: %s", again.out.String())
	}
	b.Base = again.line(t, "archive")
	if p := b.Get("/collections/" + sample.Collection); !strings.Contains(p.Body, done) {
		t.Fatalf("after a restart: %d %.1000s", p.Status, p.Body)
	}
	if n, p := archiveSearch(t, b, "архивы"); n != total || len(p) != len(paths) {
		t.Fatalf("after a restart архивы finds %d documents (%d shown), before %d (%d)", n, len(p), total, len(paths))
	}
	if n, _ := archiveSearch(t, b, "transferred"); n != 2 {
		t.Fatalf("after a restart transferred finds %d documents", n)
	}
}

// The archive's flag is the demo's alone, and on loopback only.
func TestDemoArchiveFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		demo bool
		want string
	}{
		{[]string{"--archive", "127.0.0.1:8083"}, false, "serve never runs the archive"},
		{[]string{"--archive=127.0.0.1:8083"}, false, "serve never runs the archive"},
		{[]string{"-archive", "x"}, false, "serve never runs the archive"},
		{[]string{"--archive", "0.0.0.0:8083"}, true, "not a loopback address"},
		{[]string{"--archive", "nonsense"}, true, "is not host:port"},
	} {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		err := e.serve(context.Background(), append([]string{"--data", t.TempDir()}, c.args...), c.demo)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v (demo %v): %v", c.args, c.demo, err)
		}
	}
}
