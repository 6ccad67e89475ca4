package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"confide/internal/redact"
)

// redactRun makes and verifies a redacted copy; a variable so that a test
// can make verification fail on a copy the real tools would pass.
var redactRun = redact.Redact

func (e *env) archiveRedact(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive redact", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	var terms multiFlag
	fs.Var(&terms, "term", "a text to burn out wherever it occurs (repeat for more)")
	out := fs.String("out", "", "the redacted copy to write (a PDF)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("archive redact needs one document ID (archive search prints them)")
	}
	if len(terms) == 0 || *out == "" {
		return usagef("archive redact needs --term TEXT (one or more) and --out FILE.pdf")
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("%s exists already; give another --out (nothing is overwritten)", *out)
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	id := pos[0]
	src, origSum, err := a.RootOriginal(ctx, id)
	if err != nil {
		return err
	}
	// The rendered pages of the original and the copy stay inside the
	// archive's data folder, in this process's own temporary folder.
	res, err := redactRun(ctx, redact.Request{Src: src, Terms: terms, Dir: a.TmpDir()})
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, res.Report.String())
	if !res.Report.OK() || res.Path == "" {
		if res.Path != "" {
			os.Remove(res.Path)
		}
		return errors.New("the redacted copy failed verification (see the report above); nothing was written")
	}
	defer os.Remove(res.Path)
	sum, err := copyOut(res.Path, *out)
	if err != nil {
		return err
	}
	action := fmt.Sprintf("redacted copy (sha256 %s) of the original (sha256 %s): %d terms, %d boxes burned on %d pages, verified; written to %s",
		sum, origSum, len(terms), res.Burned, res.Pages, *out)
	if err := a.RecordEvent(context.WithoutCancel(ctx), id, action); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (sha256 %s), %d pages, verified\n", *out, sum, res.Pages)
	return nil
}

// copyOut copies the verified copy to dst through a temporary file beside
// it, renamed into place once synced, and returns its SHA-256: a reader of
// dst never sees half a file.
func copyOut(src, dst string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".redacted-*.pdf")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), dst) // fails if dst appeared meanwhile
	}
	os.Remove(tmp.Name())
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", dst, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
