// Package cli is the confide command: every subcommand, its flags and its
// messages. cmd/confide only calls Main.
//
// Contract: a subcommand never prints a private key unless it was asked to
// make one (keygen, demo). serve never creates a journalist and never writes
// a private key. serve never runs the archive, whose plaintext stays off the
// internet-facing server; only demo runs one beside the other zones, in its
// own folder, store and listener, and says so. Errors are printed as one
// human sentence.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"confide/internal/source"
	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
)

// env is what a subcommand may touch: its streams, so tests can run it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// tweakSource, in tests, changes the source client before it uploads
	// (fewer, quicker retries).
	tweakSource func(*source.Client)
}

const usage = `confide: a secure newsroom in one binary.

Usage:
  confide demo    [--data DIR] [--archive ADDR]   run a demo newsroom and archive (key kept on the server: never for real use)
  confide serve   [--data DIR] [--db DSN] [--tor] [--site ADDR] [--dropbox ADDR] [--newsroom ADDR]
                  [--retention-days N] [--smtp HOST:PORT --smtp-from A --digest-to B]
  confide article publish [--data DIR | --db DSN] FILE.md   publish or update a story (YAML front matter)
  confide document publish [--data DIR | --db DSN] BUNDLE   put a document exported from the archive on the site
  confide document unpublish [--data DIR | --db DSN] SLUG   take it off
  confide keygen  [-o FILE]                    make an age identity on your own machine
  confide journalist add NAME --recipient AGE_RECIPIENT [--admin] [--data DIR | --db DSN]
  confide journalist list   [--data DIR | --db DSN]
  confide journalist remove NAME [--data DIR | --db DSN]
  confide journalist reset NAME --passphrase | --2fa
  confide journalist rotate NAME --recipient AGE_RECIPIENT
  confide journalist unlock NAME               clear a name's sign-in lock
  confide workstation login --newsroom URL --user NAME [--server-key KEY] [--state DIR]
  confide workstation pull  --identity KEYFILE --out DIR [--state DIR]
  confide workstation reply --identity KEYFILE --source DESIGNATION --message-file F|- [--state DIR]
  confide workstation serve --identity KEYFILE --out DIR [--listen 127.0.0.1:8090] [--state DIR]
  confide source submit  --dropbox URL [--codename-file F] [--codename-out F] [--codename-lang en|ru] [--message-file F|-] [--proxy URL] [FILE...]
  confide source replies --dropbox URL --codename-file F [--proxy URL]
  confide backup  [--data DIR] [--db DSN] --recipient AGE_RECIPIENT... --out FILE   encrypted snapshot, while serving
  confide restore --in FILE --identity KEYFILE [--data DIR] [--db DSN]             into an empty folder and database
  confide archive ingest --collection NAME [--ocr-lang rus+eng] [--data DIR] [--db DSN] PATH...   queue and process files, folders, archives
  confide archive ingest --collection NAME --from-workstation DIR   a workstation pull, with its custody records
  confide archive worker [--data DIR] --db DSN     more workers on a PostgreSQL archive
  confide archive status [--json] | retry --collection NAME | reprocess --collection NAME [--ocr-lang L]
  confide archive search [--collection NAME] [--limit N] [--json] QUERY
  confide archive show [--json] ID | custody [--json] ID
  confide archive serve [--data DIR] [--db DSN] [--listen 127.0.0.1:8083 [--listen-public]] [--translate-url URL]
  confide archive user add NAME --role admin|journalist|translator [--collections A,B]   an account; prints its credentials once

  confide archive translate --collection NAME --to LANG [--from LANG] [--engine apertium|URL]   machine drafts, searchable
  confide archive redact --term TEXT [--term TEXT...] --out FILE.pdf ID   a verified redacted copy
  confide archive export --redaction ID | --unredacted [--pages 2-3] [--excerpt TEXT] [--lang en] --out FILE ID   a bundle to publish
  confide archive backup [--data DIR] [--db DSN] --recipient AGE_RECIPIENT... --out FILE   encrypted snapshot, while serving and ingesting
  confide archive restore --in FILE --identity KEYFILE [--data DIR] [--db DSN]   into an empty folder and database; rebuilds the index

Run "confide COMMAND -h" for a command's flags.
`

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = e.serve(ctx, args[1:], false)
	case "demo":
		err = e.serve(ctx, args[1:], true)
	case "keygen":
		err = e.keygen(args[1:])
	case "journalist":
		err = e.journalist(ctx, args[1:])
	case "source":
		err = e.source(ctx, args[1:])
	case "workstation":
		err = e.workstation(ctx, args[1:])
	case "article":
		err = e.article(ctx, args[1:])
	case "document":
		err = e.document(ctx, args[1:])
	case "backup":
		err = e.backup(ctx, args[1:])
	case "restore":
		err = e.restore(ctx, args[1:])
	case "archive":
		err = e.archive(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "confide: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var he helpError
	if errors.As(err, &he) {
		fmt.Fprint(stdout, he.text)
		return 0
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "confide: %s\n", ue.msg)
			return 2
		}
		fmt.Fprintf(stderr, "confide: %s\n", strings.TrimPrefix(err.Error(), "confide: "))
		return 1
	}
	return 0
}

// usageError is a mistake in the command line itself (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// helpError carries a command's help text, asked for with -h, up to Main,
// which prints it on standard output and exits 0.
type helpError struct{ text string }

func (h helpError) Error() string { return "help requested" }

// examples gives each command its synopsis and one example a user can
// copy, keyed by the flag set's name.
var examples = map[string][2]string{
	"demo":              {"confide demo [--data DIR] [--archive ADDR]", "confide demo"},
	"serve":             {"confide serve [--data DIR | --db DSN] [flags]", "confide serve --tor --db postgres://confide@db/confide"},
	"keygen":            {"confide keygen [-o FILE]", "confide keygen -o ~/.confide/key.txt"},
	"article publish":   {"confide article publish [--data DIR | --db DSN] FILE.md", "confide article publish stories/budget.md"},
	"journalist add":    {"confide journalist add NAME --recipient AGE_RECIPIENT [--admin]", "confide journalist add ann --admin --recipient age1…"},
	"journalist list":   {"confide journalist list [--data DIR | --db DSN]", "confide journalist list"},
	"journalist remove": {"confide journalist remove NAME", "confide journalist remove ann"},
	"journalist reset":  {"confide journalist reset NAME --passphrase | --2fa", "confide journalist reset ann --2fa"},
	"journalist rotate": {"confide journalist rotate NAME --recipient AGE_RECIPIENT", "confide journalist rotate ann --recipient age1…"},
	"journalist unlock": {"confide journalist unlock NAME", "confide journalist unlock ann"},
	"workstation login": {"confide workstation login --newsroom URL --user NAME [--server-key KEY]", "confide workstation login --newsroom http://127.0.0.1:8082 --user demo"},
	"workstation pull":  {"confide workstation pull --identity KEYFILE --out DIR", "confide workstation pull --identity key.txt --out ~/pulled"},
	"workstation reply": {"confide workstation reply --identity KEYFILE --source DESIGNATION --message-file F|-", "echo 'Thank you.' | confide workstation reply --identity key.txt --source 'gutsy dominoes' --message-file -"},
	"workstation serve": {"confide workstation serve --identity KEYFILE --out DIR [--listen ADDR]", "confide workstation serve --identity key.txt --out ~/pulled"},
	"source submit":     {"confide source submit --dropbox URL [--codename-file F] [--message-file F|-] [FILE...]", "confide source submit --dropbox http://….onion --proxy socks5://127.0.0.1:9050 --codename-out code.txt leak.zip"},
	"backup":            {"confide backup [--data DIR] [--db DSN] [--newsroom-key FILE] --recipient AGE_RECIPIENT... --out FILE", "confide backup --data /srv/confide --recipient age1… --out /backups/confide-2026-12-01.age"},
	"restore":           {"confide restore --in FILE --identity KEYFILE [--data DIR] [--db DSN] [--newsroom-key FILE]", "confide restore --in confide-2026-12-01.age --identity backup-key.txt --data /srv/confide --db postgres://confide@db/confide"},
	"archive ingest":    {"confide archive ingest --collection NAME [--ocr-lang rus+eng] [--data DIR] [--db DSN] PATH...", "confide archive ingest --data ~/archive --collection kgb --ocr-lang rus+eng ~/trove"},
	"archive worker":    {"confide archive worker --data DIR --db DSN", "confide archive worker --data /srv/archive --db postgres://archive@db/archive"},
	"archive status":    {"confide archive status [--data DIR] [--db DSN] [--json]", "confide archive status --data ~/archive"},
	"archive retry":     {"confide archive retry --collection NAME", "confide archive retry --data ~/archive --collection kgb"},
	"archive reprocess": {"confide archive reprocess --collection NAME [--ocr-lang L]", "confide archive reprocess --data ~/archive --collection kgb --ocr-lang rus+eng+ukr"},
	"archive search":    {"confide archive search [--collection NAME] [--limit N] [--json] QUERY", "confide archive search --data ~/archive 'архивы'"},
	"archive show":      {"confide archive show [--json] ID", "confide archive show --data ~/archive 3f2a9c0d1e4b5a67"},
	"archive custody":   {"confide archive custody [--json] ID", "confide archive custody --data ~/archive 3f2a9c0d1e4b5a67"},
	"archive serve":     {"confide archive serve [--data DIR] [--db DSN] [--listen ADDR [--listen-public]] [--tor --tor-client KEY...] [--translate-url URL] [--url URL]", "confide archive serve --data ~/archive --translate-url http://127.0.0.1:5000"},
	"archive user":      {"confide archive user add NAME --role admin|journalist|translator [--collections A,B] [--data DIR] [--db DSN]", "confide archive user add tanya --data ~/archive --role translator --collections kgb"},

	"archive translate":  {"confide archive translate --collection NAME --to LANG [--from LANG] [--engine apertium|URL]", "confide archive translate --data ~/archive --collection kgb --to en --engine https://translate.newsroom.internal"},
	"archive redact":     {"confide archive redact --term TEXT [--term TEXT...] [--box PAGE:X0,Y0,X1,Y1...] --out FILE.pdf ID", "confide archive redact --data ~/archive --term 'Иванов' --out redacted.pdf 3f2a9c0d1e4b5a67"},
	"archive export":     {"confide archive export --redaction ID | --unredacted [--pages 2-3] [--excerpt TEXT [--page N]] [--lang en] [--slug S] --out FILE ID", "confide archive export --data ~/archive --redaction 9c0d1e4b5a673f2a --pages 2 --excerpt 'передали эти документы' --lang en --out opis.bundle 3f2a9c0d1e4b5a67"},
	"source replies":     {"confide source replies --dropbox URL --codename-file F", "confide source replies --dropbox http://….onion --proxy socks5://127.0.0.1:9050 --codename-file code.txt"},
	"document publish":   {"confide document publish [--data DIR | --db DSN] BUNDLE...", "confide document publish --data /srv/confide ministry-letter.bundle"},
	"document unpublish": {"confide document unpublish [--data DIR | --db DSN] SLUG...", "confide document unpublish --data /srv/confide ministry-letter"},
	"archive backup":     {"confide archive backup [--data DIR] [--db DSN] --recipient AGE_RECIPIENT... --out FILE", "confide archive backup --data /srv/archive --recipient age1… --out /backups/archive-2026-12-01.age"},
	"archive restore":    {"confide archive restore --in FILE --identity KEYFILE [--data DIR] [--db DSN]", "confide archive restore --in archive-2026-12-01.age --identity backup-key.txt --data /srv/archive --db postgres://archive@db/archive"},
}

// help renders a command's synopsis, flags and example.
func help(fs *flag.FlagSet) helpError {
	var b strings.Builder
	ex, ok := examples[fs.Name()]
	if !ok {
		ex = [2]string{"confide " + fs.Name() + " [flags]", ""}
	}
	fmt.Fprintf(&b, "Usage: %s\n\nFlags:\n", ex[0])
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if kind != "" {
			fmt.Fprintf(&b, " %s", kind)
		}
		fmt.Fprintf(&b, "\n      %s", text)
		switch {
		case kind == "string" && f.DefValue != "":
			fmt.Fprintf(&b, " (default %q)", f.DefValue)
		case kind != "string" && f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0":
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if ex[1] != "" {
		fmt.Fprintf(&b, "\nExample:\n  %s\n", ex[1])
	}
	return helpError{b.String()}
}

// parse parses flags that may come before or after positional arguments,
// as in "journalist add NAME --recipient R". -h and --help anywhere return
// the command's help.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, help(fs)
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// storeFlags are --data and --db, shared by every command that opens the store.
type storeFlags struct {
	data, db string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", "confide-data", "data folder: SQLite database, blobs, keys")
	fs.StringVar(&s.db, "db", "", "postgres:// URL; unset for SQLite under --data")
}

func (s *storeFlags) open(ctx context.Context) (*store.DB, error) {
	if s.db != "" {
		if !strings.HasPrefix(s.db, "postgres://") && !strings.HasPrefix(s.db, "postgresql://") {
			return nil, usagef("--db must be a postgres:// URL (leave it unset for SQLite)")
		}
		return postgres.Open(ctx, s.db)
	}
	if archiveDataFolder(s.data) {
		return nil, fmt.Errorf("%s is an archive's data folder (it holds %s): the dropbox and newsroom need a folder of their own, and the archive's plaintext never sits beside them", s.data, "archive.db")
	}
	if err := os.MkdirAll(s.data, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the data folder: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(s.data, "confide.db"))
}
