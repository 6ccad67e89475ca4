package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"confide/internal/archive"
	"confide/internal/blob"
	"confide/internal/bundle"
	"confide/internal/dropbox"
	"confide/internal/newsroom"
	"confide/internal/onion"
	"confide/internal/seal"
	"confide/internal/site"
	"confide/internal/store"
	"confide/internal/web"

	"filippo.io/age"
)

type serveFlags struct {
	storeFlags
	site, dropbox, newsroom string
	maxUpload               int64
	tor                     bool
	retentionDays           int
	siteURL                 string
	newsroomURL             string
	newsroomKey             string
	smtp, smtpFrom          string
	digestTo                multiFlag
	digestAt                int
	torNewsroomClients      multiFlag
	torOffline              bool
	archive                 string // demo only
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// serve runs the three zones, each on its own listener. With demo it first
// makes a demo journalist whose key is written under the data folder, and
// also runs the archive with a sample collection, in a folder of its own
// under the demo's, on a fourth listener; serve never runs the archive.
func (e *env) serve(ctx context.Context, args []string, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	} else if err := refuseArchiveFlag(args); err != nil {
		return err
	}
	var f serveFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f.register(fs)
	fs.StringVar(&f.site, "site", "127.0.0.1:8080", "public site listen address")
	fs.StringVar(&f.dropbox, "dropbox", "127.0.0.1:8081", "source dropbox listen address (put it behind tor)")
	fs.StringVar(&f.newsroom, "newsroom", "127.0.0.1:8082", "newsroom listen address")
	fs.Int64Var(&f.maxUpload, "max-upload", dropbox.DefaultMaxUpload, "largest web submission, and largest file through the API, in bytes")
	fs.BoolVar(&f.tor, "tor", false, "start the system tor and serve the dropbox as a v3 onion service")
	fs.Var(&f.torNewsroomClients, "tor-newsroom-client", "also put the newsroom behind an onion service, admitting this x25519 client key (repeatable)")
	fs.BoolVar(&f.torOffline, "tor-offline", false, "start tor with its network disabled (tests)")
	fs.StringVar(&f.siteURL, "site-url", "", "the site's public address, for links in mail, the feed and the sitemap (default: http:// and the --site address)")
	fs.StringVar(&f.newsroomURL, "newsroom-url", "", "the newsroom's address as journalists' browsers see it, which security keys are bound to (default: each request's scheme and host; set it behind a TLS proxy)")
	fs.StringVar(&f.newsroomKey, "newsroom-key", "", "keep the newsroom API's signing key in this file (0600; a key in the database moves into it), so a copy of the database cannot impersonate the newsroom to workstations")
	fs.IntVar(&f.retentionDays, "retention-days", 0, "delete sources inactive for this many days (0: keep them)")
	fs.StringVar(&f.smtp, "smtp", "", "SMTP server host:port for readers' mail and the digest (unset: mail goes to the outbox folder)")
	fs.StringVar(&f.smtpFrom, "smtp-from", "", "digest sender address")
	fs.Var(&f.digestTo, "digest-to", "send the daily digest to this address (repeatable; needs --smtp)")
	fs.IntVar(&f.digestAt, "digest-at", 7*60, "minutes after midnight UTC to send the digest")
	if demo {
		fs.StringVar(&f.archive, "archive", "127.0.0.1:8083", "the demo archive's listen address (loopback only; a real archive runs as confide archive serve, never beside the dropbox)")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments, only flags (got %q)", name, pos[0])
	}
	if demo && f.db != "" {
		return usagef("demo runs on the embedded SQLite store only; use serve with --db")
	}
	if demo {
		if err := loopbackOnly(f.archive); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	// Said before anything is made, so a newcomer who expected a fresh demo
	// knows the old one is back, and where to delete it.
	if f.db == "" {
		if ents, err := os.ReadDir(f.data); err == nil && len(ents) > 0 {
			abs, _ := filepath.Abs(f.data)
			fmt.Fprintf(e.stdout, "reusing the existing data folder %s (delete it, or name another with --data, to start afresh)\n", abs)
		}
	}
	st, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var arc *archive.Archive
	if demo {
		if err := e.demoSetup(ctx, st, f.data); err != nil {
			return err
		}
		if arc, err = e.demoArchive(ctx, f.data); err != nil {
			return err
		}
	}
	// The sample's ingest runs until it is done or the demo stops; the
	// archive closes after it.
	ingestCtx, stopIngest := context.WithCancel(ctx)
	var ingesting sync.WaitGroup
	defer func() {
		stopIngest()
		ingesting.Wait()
		if arc != nil {
			arc.Close()
		}
	}()
	// A data folder made by demo keeps its banner under serve too: its key
	// sits on this server.
	isDemo := demo
	if v, err := st.Setting(ctx, "demo"); err == nil && v == "1" {
		isDemo = true
	}
	blobs, err := blob.Open(filepath.Join(f.data, "blobs"))
	if err != nil {
		return err
	}
	defer blobs.Close()
	if n, err := blobs.Sweep(ctx, st.BlobReferenced); err != nil {
		logger.Warn("sweep of orphaned ciphertext failed", "err", err)
	} else if n > 0 {
		logger.Info("removed orphaned ciphertext left by an interrupted submission", "files", n)
	}
	if js, _ := st.Journalists(ctx); len(js) == 0 {
		logger.Warn("no journalist is registered: the dropbox refuses submissions until one is added with 'confide journalist add'")
	}

	db, err := dropbox.New(ctx, dropbox.Config{Store: st, Blobs: blobs, Log: logger, Demo: isDemo, MaxUpload: f.maxUpload})
	if err != nil {
		return err
	}
	defer db.Close()

	dl, err := listen(f.dropbox, "dropbox")
	if err != nil {
		return err
	}
	defer dl.Close()
	nl, err := listen(f.newsroom, "newsroom")
	if err != nil {
		return err
	}
	defer nl.Close()
	sl, err := listen(f.site, "site")
	if err != nil {
		return err
	}
	defer sl.Close()
	var al net.Listener
	if arc != nil {
		if al, err = listen(f.archive, "archive"); err != nil {
			return err
		}
		defer al.Close()
	}

	var onionAddr string
	var onionMu sync.Mutex
	if f.tor {
		oc := onion.Config{Dir: filepath.Join(f.data, "tor"), Dropbox: dl.Addr().String(), DisableNetwork: f.torOffline}
		if len(f.torNewsroomClients) > 0 {
			oc.Newsroom, oc.NewsroomClients = nl.Addr().String(), f.torNewsroomClients
		}
		tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		t, err := onion.Start(tctx, oc, prefixWriter(e.stderr, "tor: "))
		cancel()
		if err != nil {
			return err
		}
		defer t.Stop()
		onionAddr = t.DropboxOnion
		fmt.Fprintf(e.stdout, "dropbox onion: http://%s\n", t.DropboxOnion)
		if t.NewsroomOnion != "" {
			fmt.Fprintf(e.stdout, "newsroom onion: http://%s (client authorisation required)\n", t.NewsroomOnion)
		}
	}
	// Links in mail, the feed and canonical URLs use the configured address,
	// never the request's Host header, which a visitor controls (a reset
	// link pointing elsewhere would leak its token).
	if f.siteURL == "" {
		f.siteURL = "http://" + sl.Addr().String()
	}
	var mailer site.Mailer = site.Outbox{Dir: filepath.Join(f.data, "outbox"), Log: logger, From: f.smtpFrom}
	if f.smtp != "" {
		mailer = site.SMTP{Addr: f.smtp, From: f.smtpFrom}
	}
	published, err := site.OpenPublished(filepath.Join(f.data, "published"))
	if err != nil {
		return err
	}
	siteSrv, err := site.New(site.Config{Store: st, Log: logger, Demo: isDemo, Mail: mailer, BaseURL: f.siteURL, DropboxURL: "http://" + dl.Addr().String(), Published: published, Onion: func() string {
		onionMu.Lock()
		defer onionMu.Unlock()
		return onionAddr
	}})
	if err != nil {
		return err
	}
	demoID, demoKey := demoIdentity(isDemo, f.data)
	publish := func(ctx context.Context, r io.Reader) (bundle.Manifest, bool, error) {
		return published.Publish(ctx, st, r)
	}
	nr, err := newsroom.New(ctx, newsroom.Config{Store: st, Blobs: blobs, Log: logger, Demo: isDemo, DemoIdentity: demoID, DemoKeyFile: demoKey, URL: f.newsroomURL, SigningKeyFile: f.newsroomKey, Publish: publish})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "newsroom API key: %s\n", base64.StdEncoding.EncodeToString(nr.PublicKey()))
	if f.retentionDays > 0 {
		go nr.RunRetention(ctx, f.retentionDays)
	}
	if len(f.digestTo) > 0 {
		d := newsroom.Digest{SMTP: f.smtp, From: f.smtpFrom, To: f.digestTo, At: f.digestAt}
		if err := d.Check(); err != nil {
			return usagef("%v", err)
		}
		go nr.RunDigest(ctx, d)
	}

	dropboxSrv := dropboxTimeouts.server(db.Handler())
	// The dropbox's server error log could name client addresses (TLS and
	// panic messages do), so it goes nowhere.
	dropboxSrv.ErrorLog = log.New(io.Discard, "", 0)
	servers := []*http.Server{dropboxSrv, newsroomTimeouts.server(nr.Handler()), siteTimeouts.server(siteSrv.Handler())}
	listeners := []net.Listener{dl, nl, sl}
	if arc != nil {
		zone, err := archive.NewServer(arc, logger, archive.ServerConfig{Demo: true})
		if err != nil {
			return err
		}
		defer zone.Close() // redactions running record their outcome first
		servers, listeners = append(servers, archiveTimeouts.server(zone.Handler())), append(listeners, al)
		ingesting.Add(1)
		go func() { defer ingesting.Done(); demoIngest(ingestCtx, arc, logger) }()
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	fmt.Fprintf(e.stdout, "site: http://%s\ndropbox: http://%s\nnewsroom: http://%s\n", sl.Addr(), dl.Addr(), nl.Addr())
	if al != nil {
		fmt.Fprintf(e.stdout, "archive: http://%s\n", al.Addr())
	}
	if isDemo {
		fmt.Fprintln(e.stdout, "DEMO MODE: the demo journalist's private key is on this server. Never use a demo newsroom for real sources.")
	}
	if al != nil {
		fmt.Fprintln(e.stdout, "DEMO MODE: the archive holds plaintext and runs inside this process only in the demo. A real archive runs on its own, as confide archive serve, on a machine the newsroom trusts, never beside the dropbox.")
	}
	fmt.Fprintln(e.stdout, "ready")
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(sctx)
	}
	return nil
}

// listen opens a zone's listener. A taken port is most often a Confide
// already running (a demo left in another terminal), so it says so and
// names the flag that moves this one.
func listen(addr, zone string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s for the %s: the port is taken; another Confide may be running on these ports (stop it), or move this one with --%s ADDR", addr, zone, zone)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for the %s: %w", addr, zone, err)
	}
	return l, nil
}

// timeouts are a listener's deadlines against clients that hold a
// connection without using it: slow headers, slow bodies, idle keep-alives.
type timeouts struct {
	header   time.Duration // to send the request's headers
	bodyIdle time.Duration // between two reads of the body that make progress
	body     time.Duration // for the whole body; 0: no limit
	idle     time.Duration // between requests on a kept-alive connection
}

// Each zone's deadlines. The dropbox's bodies are uploads over Tor, large
// and legitimately slow, so only a stall cuts them off; the site's forms
// are small, the newsroom's bodies are forms, stories and sealed replies.
var (
	dropboxTimeouts  = timeouts{header: 30 * time.Second, bodyIdle: 2 * time.Minute, idle: 2 * time.Minute}
	newsroomTimeouts = timeouts{header: 10 * time.Second, bodyIdle: 20 * time.Second, body: 2 * time.Minute, idle: 2 * time.Minute}
	siteTimeouts     = timeouts{header: 10 * time.Second, bodyIdle: 10 * time.Second, body: 30 * time.Second, idle: time.Minute}
	// The demo's archive: its forms are small (sign-in, search).
	archiveTimeouts = timeouts{header: 10 * time.Second, bodyIdle: 10 * time.Second, body: 30 * time.Second, idle: time.Minute}
)

// server makes the listener's http.Server for h with these deadlines.
func (t timeouts) server(h http.Handler) *http.Server {
	return &http.Server{Handler: web.BodyDeadline(h, t.bodyIdle, t.body), ReadHeaderTimeout: t.header, IdleTimeout: t.idle}
}

// demoSetup creates, once, a demo journalist whose identity and
// credentials are written under the data folder, and marks the folder as a
// demo.
func (e *env) demoSetup(ctx context.Context, st store.Store, data string) error {
	dir := filepath.Join(data, "demo")
	keyFile, credFile := filepath.Join(dir, "journalist-key.txt"), filepath.Join(dir, "journalist-credentials.txt")
	if _, err := st.JournalistByName(ctx, "demo"); err == nil {
		creds, _ := os.ReadFile(credFile)
		fmt.Fprintf(e.stdout, "demo journalist: demo\ndemo identity: %s\n%s", keyFile, creds)
		return nil
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	content := fmt.Sprintf("# Confide DEMO journalist identity. A real journalist's key never touches the server.\n# public key: %s\n%s\n", id.Recipient(), id)
	if err := os.WriteFile(keyFile, []byte(content), 0o600); err != nil {
		return err
	}
	creds, err := newsroom.CreateJournalist(ctx, st, issuer, "demo", id.Recipient().String(), true, seal.DefaultParams)
	if err != nil {
		return err
	}
	lines := fmt.Sprintf("passphrase: %s\ntotp: %s\n", creds.Passphrase, creds.TOTPURI)
	if err := os.WriteFile(credFile, []byte(lines), 0o600); err != nil {
		return err
	}
	if err := st.SetSetting(ctx, "demo", "1"); err != nil {
		return err
	}
	debug.FreeOSMemory() // the passphrase hash's 64 MiB
	fmt.Fprintf(e.stdout, "demo journalist: demo\ndemo recipient: %s\ndemo identity: %s\n%s", id.Recipient(), keyFile, lines)
	return nil
}

// prefixWriter prefixes each line, so tor's log reads as tor's.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 4096)
		for {
			n, err := pr.Read(tmp)
			buf = append(buf, tmp[:n]...)
			for {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					break
				}
				fmt.Fprintf(w, "%s%s\n", prefix, buf[:i])
				buf = buf[i+1:]
			}
			if err != nil {
				return
			}
		}
	}()
	return pw
}

// demoIdentity is the demo journalist's identity that demoSetup wrote, and
// its file, for the newsroom's labelled demo-only reading shortcut and the
// commands it shows; nil outside a demo or when the file is gone (the
// shortcut is then simply off).
func demoIdentity(demo bool, data string) (*age.X25519Identity, string) {
	if !demo {
		return nil, ""
	}
	path := filepath.Join(data, "demo", "journalist-key.txt")
	ids, err := readIdentities(path)
	if err != nil || len(ids) == 0 {
		return nil, ""
	}
	id, _ := ids[0].(*age.X25519Identity)
	if id == nil {
		return nil, ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return id, path
}
