package cli

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confide/internal/progress"
	"confide/internal/workstation"

	"filippo.io/age"
	"golang.org/x/term"
)

func defaultStateDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "confide-workstation")
	}
	return ".confide-workstation"
}

// workstation runs on the journalist's own computer, never on the server.
func (e *env) workstation(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("workstation needs login, pull, reply or serve")
	}
	fs := flag.NewFlagSet("workstation "+args[0], flag.ContinueOnError)
	stateDir := fs.String("state", defaultStateDir(), "where the token and sync state are kept")
	switch args[0] {
	case "login":
		newsroomURL := fs.String("newsroom", "", "the newsroom's address")
		user := fs.String("user", "", "your name in the newsroom")
		serverKey := fs.String("server-key", "", "the newsroom's API key (printed by confide serve); without it the key is trusted on first use")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *newsroomURL == "" || *user == "" {
			return usagef("usage: confide workstation login --newsroom URL --user NAME")
		}
		return e.workstationLogin(ctx, *stateDir, *newsroomURL, *user, *serverKey)
	case "pull":
		identity := fs.String("identity", "", "your age identity file")
		out := fs.String("out", "", "folder to write decrypted material to")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *identity == "" || *out == "" {
			return usagef("usage: confide workstation pull --identity KEYFILE --out DIR")
		}
		ids, err := readIdentities(*identity)
		if err != nil {
			return err
		}
		st, c, err := loadClient(*stateDir)
		if err != nil {
			return err
		}
		// Each file's "wrote" line comes as it is written, with progress
		// between them on a terminal.
		m := progress.New(e.stdout)
		c.Progress = m
		res, err := workstation.Pull(ctx, c, st, ids[0], *out)
		m.Clear()
		if serr := st.Save(*stateDir); serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d new item(s) from %d source(s)", len(res.Written), res.Sources)
		if res.Deleted > 0 {
			fmt.Fprintf(e.stdout, "; %d deleted on the newsroom since the last pull (local copies kept)", res.Deleted)
		}
		fmt.Fprintln(e.stdout)
		return nil
	case "reply":
		identity := fs.String("identity", "", "your age identity file (checked, so you can read your own reply)")
		designation := fs.String("source", "", "the source's designation, e.g. \"brave otter\"")
		messageFile := fs.String("message-file", "", "the reply's text (- for standard input)")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *identity == "" || *designation == "" || *messageFile == "" {
			return usagef("usage: confide workstation reply --identity KEYFILE --source DESIGNATION --message-file F")
		}
		if _, err := readIdentities(*identity); err != nil {
			return err
		}
		var r io.Reader = e.stdin
		if *messageFile != "-" {
			f, err := os.Open(*messageFile)
			if err != nil {
				return fmt.Errorf("cannot read the reply: %w", err)
			}
			defer f.Close()
			r = f
		}
		text, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
		if err != nil {
			return err
		}
		if len(text) > 1<<20 {
			return errors.New("the reply is over 1 MiB")
		}
		if strings.TrimSpace(string(text)) == "" {
			return errors.New("the reply is empty")
		}
		_, c, err := loadClient(*stateDir)
		if err != nil {
			return err
		}
		if err := workstation.Reply(ctx, c, *designation, string(text)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "reply to %s encrypted here and sent\n", *designation)
		return nil
	case "serve":
		identity := fs.String("identity", "", "your age identity file")
		out := fs.String("out", "", "the folder pull writes to")
		listen := fs.String("listen", "127.0.0.1:8090", "loopback address for the local web UI")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *identity == "" || *out == "" {
			return usagef("usage: confide workstation serve --identity KEYFILE --out DIR [--listen 127.0.0.1:8090]")
		}
		ids, err := readIdentities(*identity)
		if err != nil {
			return err
		}
		ui, err := workstation.NewUI(*out, *stateDir, ids[0], slog.New(slog.NewTextHandler(e.stderr, nil)))
		if err != nil {
			return err
		}
		l, err := workstation.Listen(*listen)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: ui.Handler(l.Addr().String()), ReadHeaderTimeout: 10 * time.Second}
		go func() { <-ctx.Done(); srv.Close() }()
		// Like Jupyter's: the token in the URL is the only way in.
		fmt.Fprintf(e.stdout, "workstation: %s\nready\n", ui.URL(l.Addr().String()))
		if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return usagef("workstation needs login, pull, reply or serve, not %q", args[0])
}

func loadClient(dir string) (*workstation.State, *workstation.Client, error) {
	st, err := workstation.LoadState(dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := st.Client()
	return st, c, err
}

func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the identity: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not an age identity file: %w", path, err)
	}
	return ids, nil
}

// workstationLogin checks the newsroom's key, then reads the passphrase and
// the code: from the terminal without echo, or one per line from standard
// input when it is not one.
func (e *env) workstationLogin(ctx context.Context, dir, newsroomURL, user, serverKey string) error {
	st, err := workstation.LoadState(dir)
	if err != nil {
		return err
	}
	var key ed25519.PublicKey
	if serverKey != "" {
		b, err := base64.StdEncoding.DecodeString(serverKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return usagef("--server-key is not a newsroom API key")
		}
		key = b
	}
	exp, err := workstation.Login(ctx, st, newsroomURL, user, key, e.readSecrets, e.stderr)
	if err != nil {
		return err
	}
	if err := st.Save(dir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "logged in as %s until %s\n", user, exp.Local().Format("15:04"))
	return nil
}

func (e *env) readSecrets() (string, string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Passphrase: ")
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", "", err
		}
		fmt.Fprint(e.stderr, "Code: ")
		c, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(p), strings.TrimSpace(string(c)), err
	}
	sc := bufio.NewScanner(e.stdin)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 2 {
		return "", "", errors.New("expected the passphrase and the code on standard input, one per line")
	}
	return strings.TrimRight(lines[0], "\r"), strings.TrimSpace(lines[1]), nil
}
