package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"confide/internal/archive"
	"confide/internal/onion"
	"confide/internal/translate"
)

// archiveFlags are the flags every archive command shares.
type archiveFlags struct {
	data, db string
	noOCR    bool
	rowsOnly bool // status, show, custody: they work beside a running ingest
}

func (f *archiveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "confide-archive", "the archive's own data folder (never the dropbox's): originals, index, archive.db")
	fs.StringVar(&f.db, "db", "", "postgres:// URL for the archive's rows and index; unset for SQLite under --data")
}

func (f *archiveFlags) open(ctx context.Context) (*archive.Archive, error) {
	if f.db != "" && !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
		return nil, usagef("--db must be a postgres:// URL (leave it unset for SQLite)")
	}
	a, err := archive.Open(ctx, archive.Config{Dir: f.data, DSN: f.db, NoOCR: f.noOCR, RowsOnly: f.rowsOnly})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (e *env) archive(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("archive needs a command: ingest, worker, status, retry, reprocess, search, show, custody, translate, redact, export, serve, user, backup or restore")
	}
	switch args[0] {
	case "ingest":
		return e.archiveIngest(ctx, args[1:])
	case "worker":
		return e.archiveWorker(ctx, args[1:])
	case "status":
		return e.archiveStatus(ctx, args[1:])
	case "retry", "reprocess":
		return e.archiveRequeue(ctx, args[0], args[1:])
	case "search":
		return e.archiveSearch(ctx, args[1:])
	case "show":
		return e.archiveShow(ctx, args[1:])
	case "custody":
		return e.archiveCustody(ctx, args[1:])
	case "serve":
		return e.archiveServe(ctx, args[1:])
	case "user":
		return e.archiveUser(ctx, args[1:])
	case "translate":
		return e.archiveTranslate(ctx, args[1:])
	case "redact":
		return e.archiveRedact(ctx, args[1:])
	case "export":
		return e.archiveExport(ctx, args[1:])
	case "backup":
		return e.archiveBackup(ctx, args[1:])
	case "restore":
		return e.archiveRestore(ctx, args[1:])
	}
	return usagef("unknown archive command %q: ingest, worker, status, retry, reprocess, search, show, custody, translate, redact, export, serve, user, backup or restore", args[0])
}

// A batch of ingest work keeps little alive (its batches are bounded) and
// allocates a great deal, so Go's default of a collection each time the
// heap doubles spent a tenth of an ingest's own CPU on a trove of small
// PDFs. Ingest and worker processes collect at five times the live heap
// instead, held under a soft limit that keeps their peak within the 1 GiB
// a 100,000-file trove is allowed; GOGC or GOMEMLIMIT, when set, decide.
const (
	batchGCPercent = 400
	batchMemLimit  = 768 << 20
)

// batchGC sets the collector for a batch process, as above.
func batchGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(batchGCPercent)
		debug.SetMemoryLimit(batchMemLimit)
	}
}

func (e *env) archiveIngest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive ingest", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	collection := fs.String("collection", "", "the collection to add to (made if new)")
	ocrLang := fs.String("ocr-lang", "", "tesseract languages of the collection, e.g. rus+eng (the default of a new one); applies to what is queued from now on")
	fromWS := fs.String("from-workstation", "", "the --out `folder` of confide workstation pull: ingest its files with their custody records")
	wsState := fs.String("workstation-state", "", "the workstation's --state `folder`: each record is checked against the hash it recorded, and files without a record get their item ID")
	workers := fs.Int("workers", runtime.NumCPU(), "files processed at once")
	fs.BoolVar(&f.noOCR, "no-ocr", false, "leave images and scanned pages unread")
	noWait := fs.Bool("no-wait", false, "only queue: leave the processing to archive worker processes")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	batchGC()
	if *collection == "" {
		return usagef("archive ingest needs --collection NAME")
	}
	if len(pos) == 0 && *fromWS == "" {
		return usagef("archive ingest needs files or folders to ingest (or --from-workstation DIR)")
	}
	skip := func(path, why string) { fmt.Fprintf(e.stderr, "skipped %s: %s\n", path, why) }
	var items []archive.Item
	if len(pos) > 0 {
		if items, err = archive.Collect(pos, skip); err != nil {
			return err
		}
	}
	if *fromWS != "" {
		if *wsState == "" {
			fmt.Fprintln(e.stderr, "custody records' items and ciphertext hashes are taken as they stand: give --workstation-state to check them against what the pull recorded")
		}
		ws, err := archive.CollectWorkstation(*fromWS, *wsState, skip)
		if err != nil {
			return err
		}
		items = append(items, ws...)
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.SetCollection(ctx, *collection, *ocrLang); err != nil {
		return err
	}
	// The workers start on the first chunk queued, rather than wait for
	// the whole trove to be copied: queueing waits on the disk, reading on
	// the processors.
	stderr := &lockedWriter{w: e.stderr}
	queueing := make(chan struct{})
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var pr *ingestMeter
	var before int
	run := make(chan error, 1)
	if !*noWait {
		if before, err = e.pending(ctx, a, *collection); err != nil {
			return err
		}
		pr = newIngestMeter(e.stderr, before+len(items))
		pr.w = stderr
		go func() { run <- e.archiveRun(runCtx, a, *collection, *workers, pr, queueing) }()
	}
	seen := 0
	n, err := a.Enqueue(ctx, *collection, items, func(q archive.QueueNote) {
		seen++
		if q.Note != "" {
			fmt.Fprintf(stderr, "%s: %s\n", q.Path, q.Note)
		}
		if seen%1000 == 0 {
			fmt.Fprintf(stderr, "queueing: %d of %d files\n", seen, len(items))
		}
	})
	if err == nil {
		fmt.Fprintf(e.stdout, "queued %d of %d files in %s\n", n, len(items), *collection)
	}
	if pr != nil {
		pr.setTotal(before + n)
	}
	close(queueing)
	if *noWait {
		return err
	}
	if err != nil {
		stopRun()
		<-run
		return err
	}
	return <-run
}

// lockedWriter serialises writes from the queueing and the workers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// archiveRun processes a collection's queue until it is empty (and, when
// queueing is set, closed), then says what failed in this run; an error
// (exit 1) when anything did. pr is nil to count what is queued now.
func (e *env) archiveRun(ctx context.Context, a *archive.Archive, collection string, workers int, pr *ingestMeter, queueing <-chan struct{}) error {
	if pr == nil {
		total, err := e.pending(ctx, a, collection)
		if err != nil {
			return err
		}
		pr = newIngestMeter(e.stderr, total)
	}
	var failed []archive.DocFailure
	nfailed := 0
	err := a.Work(ctx, archive.WorkOptions{Collection: collection, Workers: workers, UntilEmpty: true, Queueing: queueing, Progress: func(p archive.Progress) {
		pr.entry(p)
		if p.State == archive.Failed && p.Failed == 0 {
			failed = append(failed, archive.DocFailure{Path: p.Path, Reason: p.Reason})
			nfailed++
		}
		failed = append(failed, p.Failures...)
		nfailed += max(p.Failed, len(p.Failures))
	}})
	pr.end()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted; run the same command again to go on where it stopped")
		}
		return err
	}
	st, err := a.Status(ctx)
	if err != nil {
		return err
	}
	for _, c := range st {
		if c.Name == collection {
			fmt.Fprintf(e.stdout, "%s: %d files done, %d failed; %d documents, %d pages\n", c.Name, c.Done, c.Failed, c.Docs, c.Pages)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	nfailed = max(nfailed, len(failed))
	slices.SortFunc(failed, func(x, y archive.DocFailure) int { return strings.Compare(x.Path, y.Path) })
	for _, fl := range failed {
		fmt.Fprintf(e.stdout, "  failed: %s: %s\n", fl.Path, fl.Reason)
	}
	if nfailed > len(failed) {
		fmt.Fprintf(e.stdout, "  and %d more: archive status lists them all\n", nfailed-len(failed))
	}
	return fmt.Errorf("%d documents of %s could not be read in this run (listed above); fix what can be fixed and run archive retry", nfailed, collection)
}

func (e *env) pending(ctx context.Context, a *archive.Archive, collection string) (int, error) {
	st, err := a.Status(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range st {
		if c.Name == collection {
			return c.Queued + c.Running, nil
		}
	}
	return 0, nil
}

func (e *env) archiveWorker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive worker", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	workers := fs.Int("workers", runtime.NumCPU(), "files processed at once")
	fs.BoolVar(&f.noOCR, "no-ocr", false, "leave images and scanned pages unread")
	once := fs.Bool("until-empty", false, "return once the queue is empty instead of waiting for more")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	batchGC()
	if len(pos) > 0 {
		return usagef("archive worker takes no arguments (got %q)", pos[0])
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if !a.Postgres() && !*once {
		fmt.Fprintln(e.stderr, "note: with SQLite this is the only process on the folder; more workers need --db postgres://…")
	}
	pr := newIngestMeter(e.stderr, 0)
	err = a.Work(ctx, archive.WorkOptions{Workers: *workers, UntilEmpty: *once, Progress: pr.entry})
	pr.end()
	if errors.Is(err, context.Canceled) {
		return nil // stopped by a signal: what was running is claimed again later
	}
	return err
}

func (e *env) archiveStatus(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive status", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON array")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	f.rowsOnly = true
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if st == nil {
			st = []archive.CollectionStatus{}
		}
		return e.printJSON(st)
	}
	if len(st) == 0 {
		fmt.Fprintln(e.stdout, "no collections yet: add one with confide archive ingest --collection NAME PATH...")
	}
	for _, c := range st {
		fmt.Fprintf(e.stdout, "%s (OCR %s): %d queued, %d running, %d done, %d failed; %d documents, %d pages\n",
			c.Name, c.OCRLang, c.Queued, c.Running, c.Done, c.Failed, c.Docs, c.Pages)
		for _, fl := range c.Failures {
			fmt.Fprintf(e.stdout, "  failed: %s: %s\n", fl.Path, fl.Reason)
		}
		for _, p := range c.LowConfidence {
			fmt.Fprintf(e.stdout, "  low OCR confidence (%.0f%%): %s page %d [%s]\n", p.Confidence, p.Path, p.Page, p.ID)
		}
	}
	return nil
}

func (e *env) archiveRequeue(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet("archive "+cmd, flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	collection := fs.String("collection", "", "the collection")
	var ocrLang *string
	if cmd == "reprocess" {
		ocrLang = fs.String("ocr-lang", "", "new OCR languages for the collection, e.g. rus+eng+ukr")
	}
	workers := fs.Int("workers", runtime.NumCPU(), "files processed at once")
	fs.BoolVar(&f.noOCR, "no-ocr", false, "leave images and scanned pages unread")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *collection == "" {
		return usagef("archive %s needs --collection NAME", cmd)
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	var n int
	if cmd == "retry" {
		n, err = a.Retry(ctx, *collection)
	} else {
		if *ocrLang != "" {
			if err := a.SetCollection(ctx, *collection, *ocrLang); err != nil {
				return err
			}
		}
		n, err = a.Reprocess(ctx, *collection)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "queued %d files of %s again\n", n, *collection)
	return e.archiveRun(ctx, a, *collection, *workers, nil, nil)
}

func (e *env) archiveSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive search", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	collection := fs.String("collection", "", "search only this collection")
	limit := fs.Int("limit", 20, "hits to print")
	asJSON := fs.Bool("json", false, "print one JSON object: total and hits")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("archive search needs a query, e.g. confide archive search 'архивы'")
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Search(ctx, strings.Join(pos, " "), *collection, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.printJSON(res)
	}
	fmt.Fprintf(e.stdout, "%d documents\n", res.Total)
	for _, h := range res.Hits {
		page := ""
		if h.Page > 0 {
			page = fmt.Sprintf(" page %d", h.Page)
		}
		matched := ""
		if h.Matched != "original" {
			matched = ", matched " + h.Matched
		}
		if h.Machine {
			matched += ", machine output"
		}
		fmt.Fprintf(e.stdout, "%s  %s/%s%s (%s, %.2f%s)\n", h.ID, h.Collection, h.Path, page, h.Language, h.Score, matched)
		for _, s := range h.Snippets {
			fmt.Fprintf(e.stdout, "    %s\n", strings.NewReplacer("<mark>", "[", "</mark>", "]", "\n", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'").Replace(string(s)))
		}
	}
	return nil
}

// archiveDoc parses the flags of a command about one document (show,
// custody) and opens the archive; the caller closes it.
func (e *env) archiveDoc(ctx context.Context, cmd string, args []string) (a *archive.Archive, id string, asJSON bool, err error) {
	fs := flag.NewFlagSet("archive "+cmd, flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	j := fs.Bool("json", false, "print one JSON object")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, "", false, err
	}
	if len(pos) != 1 {
		return nil, "", false, usagef("archive %s needs one document ID (archive search prints them)", cmd)
	}
	f.rowsOnly = true
	a, err = f.open(ctx)
	return a, pos[0], *j, err
}

func (e *env) archiveShow(ctx context.Context, args []string) error {
	a, id, asJSON, err := e.archiveDoc(ctx, "show", args)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.Show(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		return e.printJSON(d)
	}
	fmt.Fprintf(e.stdout, "%s/%s\nid: %s\ntype: %s\nlanguage: %s\nsize: %d bytes\n", d.Collection, d.Path, d.ID, d.Type, d.Language, d.Size)
	if d.SHA256 != "" {
		fmt.Fprintf(e.stdout, "sha256: %s\n", d.SHA256)
	}
	for _, k := range slices.Sorted(maps.Keys(d.Fields)) {
		fmt.Fprintf(e.stdout, "%s: %s\n", k, d.Fields[k])
	}
	if d.Failure != "" {
		fmt.Fprintf(e.stdout, "failed: %s\n", d.Failure)
	}
	for _, w := range d.Warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	for _, p := range d.Pages {
		ocr := ""
		if p.OCR {
			ocr = fmt.Sprintf(", OCR %.0f%%", p.Confidence)
			if p.LowConfidence {
				ocr += " (low: check it)"
			}
		}
		fmt.Fprintf(e.stdout, "\n--- page %d (%s%s) ---\n%s\n", p.Number, p.Language, ocr, p.Text)
	}
	e.printTranslations(d)
	if len(d.Children) > 0 {
		fmt.Fprintln(e.stdout, "\nchildren:")
		for _, c := range d.Children {
			fmt.Fprintf(e.stdout, "  %s  %s (%s)\n", c.ID, c.Path, c.Type)
		}
	}
	return nil
}

func (e *env) archiveCustody(ctx context.Context, args []string) error {
	a, id, asJSON, err := e.archiveDoc(ctx, "custody", args)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Custody(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		return e.printJSON(c)
	}
	fmt.Fprintf(e.stdout, "original: sha256 %s, %d bytes, stored as %s\n", c.Original, c.Size, c.Stored)
	for _, ev := range c.Events {
		fmt.Fprintf(e.stdout, "%s  %s  %s\n", ev.At, ev.Who, ev.Action)
		if o := string(ev.Origin); o != "{}" && o != "" {
			fmt.Fprintf(e.stdout, "    from: %s\n", o)
		}
	}
	for _, r := range c.Redactions {
		verified := "not verified: " + r.State
		if r.Verified() {
			verified = "verified, copy sha256 " + r.SHA256
		}
		fmt.Fprintf(e.stdout, "copy %s  %s  %s  %s; %s\n", r.ID, r.At, r.Who, r.Marks, verified)
	}
	for _, x := range c.Exports {
		of := "the original, unredacted"
		if x.RedactionID != "" {
			of = "copy " + x.RedactionID
		}
		fmt.Fprintf(e.stdout, "export %s  %s  %s  bundle %q of %s, pages %s; bundle sha256 %s, published PDF sha256 %s\n", x.ID, x.At, x.Who, x.Slug, of, orAll(x.Pages), x.Bundle, x.PDF)
	}
	for _, l := range c.Chain {
		sum := l.SHA256
		if sum == "" {
			sum = "(streamed: no hash of its own)"
		}
		fmt.Fprintf(e.stdout, "%s  %s  sha256 %s, %d bytes\n", l.ID, l.Path, sum, l.Size)
		for _, s := range l.Steps {
			if s.Action == "" {
				fmt.Fprintf(e.stdout, "    %s\n", s)
				continue
			}
			fmt.Fprintf(e.stdout, "    %s: %s\n", s, s.Action)
		}
	}
	return nil
}

func (e *env) archiveServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive serve", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	listen := fs.String("listen", "127.0.0.1:8083", "address to listen on")
	public := fs.Bool("listen-public", false, "allow a --listen address that is not loopback (the archive holds plaintext)")
	tor := fs.Bool("tor", false, "start the system tor and serve the archive as a v3 onion service with client authorisation (keys in DATA/tor)")
	var torClients multiFlag
	fs.Var(&torClients, "tor-client", "with --tor: admit this x25519 client public key, base32 (repeatable; at least one)")
	torOffline := fs.Bool("tor-offline", false, "start tor with its network disabled (tests)")
	trURL := fs.String("translate-url", "", "a LibreTranslate-compatible server the newsroom runs, offered for machine translation of collections (Apertium is offered when installed)")
	trKey := fs.String("translate-api-key", "", "the LibreTranslate server's API key, if it needs one")
	archiveURL := fs.String("url", "", "the archive's address as its users' browsers see it, which security keys are bound to (default: each request's scheme and host; set it behind a TLS proxy; https:// marks cookies Secure)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("archive serve takes no arguments (got %q)", pos[0])
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return usagef("--listen %q is not host:port", *listen)
	}
	if ip := net.ParseIP(host); !*public && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("--listen %s is not a loopback address; the archive holds plaintext: add --listen-public to mean it (behind a firewall or an onion service with client authorisation)", *listen)
	}
	switch {
	case *tor && *public:
		// The onion service's client authorisation is the archive's door:
		// a public listener beside it would be a second one without it.
		return usagef("archive serve --tor listens on loopback only, for tor: drop --listen-public")
	case *tor && len(torClients) == 0:
		return usagef("archive serve --tor needs --tor-client KEY: the archive's onion service admits only the clients it lists")
	case !*tor && (len(torClients) > 0 || *torOffline):
		return usagef("--tor-client and --tor-offline go with --tor")
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	var engines []translate.Engine
	if *trURL != "" {
		lt, err := translate.NewLibre(ctx, *trURL, translate.LibreOptions{APIKey: *trKey})
		if err != nil {
			l.Close()
			return err
		}
		engines = append(engines, lt)
	}
	// Apertium is offered when a pair is installed; without it the batch
	// form offers the others, or says how to add one.
	if ap, err := translate.NewApertium(ctx); err == nil && len(ap.Pairs()) > 0 {
		engines = append(engines, ap)
	}
	zone, err := archive.NewServer(a, logger, archive.ServerConfig{Engines: engines, URL: *archiveURL})
	if err != nil {
		l.Close()
		return err
	}
	defer zone.Close()
	srv := &http.Server{Handler: zone.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	if *tor {
		oc := onion.Config{Dir: filepath.Join(f.data, "tor"), Archive: l.Addr().String(), ArchiveClients: torClients, DisableNetwork: *torOffline}
		tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		t, err := onion.Start(tctx, oc, prefixWriter(e.stderr, "tor: "))
		cancel()
		if err != nil {
			l.Close()
			return err
		}
		defer t.Stop()
		fmt.Fprintf(e.stdout, "archive onion: http://%s (client authorisation required; keys in %s)\n", t.ArchiveOnion, absOr(oc.Dir))
	}
	fmt.Fprintf(e.stdout, "archive: http://%s/ (sign in with an account from confide archive user add), data in %s\n", l.Addr(), absOr(f.data))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func orAll(pages string) string {
	if pages == "" {
		return "all"
	}
	return pages
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// archiveDataFolder reports whether dir is an archive's data folder, which
// the dropbox must never share.
func archiveDataFolder(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, archive.DBFile))
	return err == nil
}

// printJSON prints v as one line; snippets keep their <mark> as typed
// (they are already HTML-escaped).
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
