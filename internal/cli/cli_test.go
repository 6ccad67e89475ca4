package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"confide/internal/archive"
	"confide/internal/blob"
	"confide/internal/dropbox"
	"confide/internal/newsroom"
	"confide/internal/store"
	"confide/internal/store/sqlite"
	"confide/internal/web/webtest"

	"confide/internal/store/storetest"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
)

// The command line is tested as a user runs it: testdata/*.txtar scripts
// run the real confide command, and the stock age tools beside it.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"confide": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	admin := os.Getenv("CONFIDE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("CONFIDE_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL and sets it")
	}
	testscript.Run(t, testscript.Params{Dir: "testdata", Setup: func(e *testscript.Env) error {
		// Each script gets a database of its own as $PGDSN.
		dsn, drop, err := storetest.CreateDatabase(admin)
		if err != nil {
			return err
		}
		e.Defer(drop)
		e.Setenv("PGDSN", dsn)
		return nil
	}, Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"failsignin": failSignIn, "takeport": takePort, "dropbox": serveDropbox, "mkzip": mkzip, "docid": docID, "libre": serveLibre, "mkpdf": mkPDF, "mkbundle": mkBundle, "redactionid": redactionID}})
}

// serveDropbox is "dropbox VAR": a dropbox (SQLite, one journalist) served
// until the script ends, its URL in VAR, for the source client.
func serveDropbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dropbox VAR")
	}
	st, err := sqlite.Open(context.Background(), ts.MkAbs("dropbox.db"))
	ts.Check(err)
	ts.Defer(func() { st.Close() })
	blobs, err := blob.Open(ts.MkAbs("blobs"))
	ts.Check(err)
	id, _ := age.GenerateX25519Identity()
	ts.Check(st.AddJournalist(context.Background(), store.Journalist{Name: "ann", Recipient: id.Recipient().String()}))
	db, err := dropbox.New(context.Background(), dropbox.Config{Store: st, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts.Check(err)
	srv := httptest.NewServer(db.Handler())
	ts.Defer(func() { srv.Close(); db.Close() })
	ts.Setenv(args[0], srv.URL)
}

// takePort is "takeport VAR": it listens on a free loopback port until the
// script ends and sets VAR to its address, as a Confide already running.
func takePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: takeport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { l.Close() })
	ts.Setenv(args[0], l.Addr().String())
}

// failSignIn is "failsignin NAME N --data DIR | --db DSN": N sign-ins with a
// wrong passphrase through the newsroom's own login form, so a script can
// lock a journalist as a guesser would.
func failSignIn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: failsignin NAME N --data DIR | --db DSN")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	sf := storeFlags{data: ts.MkAbs(args[3])}
	if args[2] == "--db" {
		sf = storeFlags{db: args[3]}
	}
	ctx := context.Background()
	st, err := sf.open(ctx)
	ts.Check(err)
	defer st.Close()
	nr, err := newsroom.New(ctx, newsroom.Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts.Check(err)
	h := nr.Handler()
	for range n {
		req := webtest.FormRequest("/login", "newsroom_csrf", url.Values{"name": {args[0]}, "passphrase": {"wrong"}, "code": {"123456"}})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusSeeOther {
			ts.Fatalf("a wrong passphrase signed in")
		}
	}
}

// mkzip is "mkzip OUT.zip NAME=FILE...": a zip whose member NAME holds
// FILE's bytes, for the archive scripts.
func mkzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkzip OUT.zip NAME=FILE...")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, a := range args[1:] {
		name, file, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("mkzip: %q is not NAME=FILE", a)
		}
		w, err := zw.Create(name)
		ts.Check(err)
		_, err = w.Write([]byte(ts.ReadFile(file)))
		ts.Check(err)
	}
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), buf.Bytes(), 0o600))
}

// docID is "docid VAR COLLECTION PATH": sets $VAR to the archive's ID of
// that document, as archive search prints it.
func docID(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: docid VAR COLLECTION PATH")
	}
	ts.Setenv(args[0], archive.DocID(args[1], args[2]))
}
