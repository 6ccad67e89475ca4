package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"confide/internal/progress"
	"confide/internal/seal"
	"confide/internal/source"
)

func (e *env) source(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("source needs submit or replies")
	}
	fs := flag.NewFlagSet("source "+args[0], flag.ContinueOnError)
	dropboxURL := fs.String("dropbox", "", "the dropbox's address, e.g. http://….onion")
	proxy := fs.String("proxy", "", "route every request through this proxy, e.g. socks5://127.0.0.1:9050 for Tor")
	codenameFile := fs.String("codename-file", "", "read your codename from this file")
	switch args[0] {
	case "submit":
		codenameOut := fs.String("codename-out", "", "with no codename yet: also write the new codename to this file")
		messageFile := fs.String("message-file", "", "send this file's text as the message (- for standard input)")
		chunk := fs.Int64("chunk-size", 8<<20, "bytes per upload request; a dropped circuit costs at most one chunk")
		files, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if *dropboxURL == "" {
			return usagef("--dropbox is required")
		}
		if len(files) == 0 && *messageFile == "" {
			return usagef("nothing to send: name files, or a message with --message-file")
		}
		if *chunk < 1<<10 {
			return usagef("--chunk-size must be at least 1024")
		}
		return e.sourceSubmit(ctx, *dropboxURL, *proxy, *codenameFile, *codenameOut, *messageFile, *chunk, files)
	case "replies":
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *dropboxURL == "" || *codenameFile == "" {
			return usagef("usage: confide source replies --dropbox URL --codename-file F")
		}
		c, err := source.New(*dropboxURL, *proxy)
		if err != nil {
			return err
		}
		p, err := c.Params(ctx)
		if err != nil {
			return err
		}
		keys, err := e.login(ctx, c, p, *codenameFile)
		if err != nil {
			return err
		}
		replies, err := c.Replies(ctx, keys)
		if err != nil {
			return err
		}
		if len(replies) == 0 {
			fmt.Fprintln(e.stdout, "no replies yet")
		}
		for _, r := range replies {
			fmt.Fprintf(e.stdout, "--- reply %s (%s)\n%s\n", r.ID, r.Day, r.Text)
		}
		return nil
	}
	return usagef("source needs submit or replies, not %q", args[0])
}

func readCodename(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the codename file: %w", err)
	}
	return string(b), nil
}

func (e *env) login(ctx context.Context, c *source.Client, p source.Params, codenameFile string) (*seal.SourceKeys, error) {
	codename, err := readCodename(codenameFile)
	if err != nil {
		return nil, err
	}
	keys, err := source.Derive(codename, p)
	if errors.Is(err, seal.ErrCodenameFormat) {
		return nil, errors.New("the codename file does not hold a codename (seven words from the word list)")
	}
	if err != nil {
		return nil, err
	}
	if err := c.Login(ctx, keys); err != nil {
		return nil, err
	}
	return keys, nil
}

func (e *env) sourceSubmit(ctx context.Context, dropboxURL, proxy, codenameFile, codenameOut, messageFile string, chunk int64, files []string) error {
	// Check every file before anything is sent.
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("cannot send %s: %w", f, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("cannot send %s: not a regular file", f)
		}
	}
	var message []byte
	if messageFile != "" {
		var r io.Reader = e.stdin
		if messageFile != "-" {
			f, err := os.Open(messageFile)
			if err != nil {
				return fmt.Errorf("cannot read the message: %w", err)
			}
			defer f.Close()
			r = f
		}
		b, err := io.ReadAll(io.LimitReader(r, 16<<20+1))
		if err != nil {
			return fmt.Errorf("cannot read the message: %w", err)
		}
		if len(b) > 16<<20 {
			return errors.New("the message is over 16 MiB: send it as a file instead")
		}
		message = b
	}
	c, err := source.New(dropboxURL, proxy)
	if err != nil {
		return err
	}
	p, err := c.Params(ctx)
	if err != nil {
		return err
	}
	// Refuse before sending anything, not after hours of uploads over Tor.
	if n := len(files) + min(len(message), 1); p.MaxItems > 0 && n > p.MaxItems {
		return fmt.Errorf("this dropbox takes at most %d items in one submission, and this is %d: send the rest in another, or put them in one archive", p.MaxItems, n)
	}
	if codenameFile != "" {
		if _, err := e.login(ctx, c, p, codenameFile); err != nil {
			return err
		}
	} else {
		if !p.Accepting {
			return errors.New("this dropbox is not accepting submissions yet")
		}
		codename := seal.NewCodename()
		keys, err := source.Derive(codename, p)
		if err != nil {
			return err
		}
		if codenameOut != "" {
			if err := os.WriteFile(codenameOut, []byte(codename+"\n"), 0o600); err != nil {
				return fmt.Errorf("cannot write the codename file: %w", err)
			}
		}
		if err := c.Register(ctx, keys); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "codename: %s\n", codename)
		fmt.Fprintln(e.stdout, "Keep this codename secret and safe: it is the only way to read replies.")
	}
	if e.tweakSource != nil {
		e.tweakSource(c)
	}
	m := progress.New(e.stdout)
	m.Grow(int64(len(message)))
	for _, name := range files {
		if st, err := os.Stat(name); err == nil {
			m.Grow(st.Size())
		}
	}
	c.Progress = m.Set
	var ids []string
	if len(message) > 0 {
		m.Start("message", int64(len(message)))
		id, err := c.Upload(ctx, "message", "", "text/plain; charset=utf-8", bytes.NewReader(message), int64(len(message)), chunk)
		if err != nil {
			m.Clear()
			return interrupted(err, codenameFile == "")
		}
		m.Finish(fmt.Sprintf("uploaded the message (%d bytes)", len(message)))
		ids = append(ids, id)
	}
	for _, name := range files {
		id, err := e.uploadFile(ctx, c, m, name, chunk)
		if err != nil {
			m.Clear()
			return interrupted(err, codenameFile == "")
		}
		ids = append(ids, id)
	}
	if err := c.Submit(ctx, ids); err != nil {
		return interrupted(err, codenameFile == "")
	}
	fmt.Fprintf(e.stdout, "sent %d item(s), encrypted on arrival\n", len(ids))
	return nil
}

// interrupted adds to an upload's error what to do next, unless the dropbox
// itself refused (then running again would be refused the same way).
func interrupted(err error, newSource bool) error {
	var ae *source.APIError
	if (errors.As(err, &ae) && ae.Status < 500) || errors.Is(err, context.Canceled) {
		return err
	}
	again := "run the same command again to send everything"
	if newSource {
		again = "run the same command again with --codename-file holding the codename above, to send everything as the same source"
	}
	return fmt.Errorf("%w. The connection did not come back, and nothing was submitted: %s (a run resumes dropped chunks by itself; a new run starts the files over)", err, again)
}

func (e *env) uploadFile(ctx context.Context, c *source.Client, m *progress.Meter, name string, chunk int64) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("cannot send %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	ctype := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	m.Start(filepath.Base(name), st.Size())
	id, err := c.Upload(ctx, "file", filepath.Base(name), ctype, f, st.Size(), chunk)
	if err != nil {
		return "", fmt.Errorf("sending %s: %w", name, err)
	}
	m.Finish(fmt.Sprintf("uploaded %s (%d bytes)", filepath.Base(name), st.Size()))
	return id, nil
}
