package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"confide/internal/archive"
	"confide/internal/redact"
)

// redactRun makes and verifies a redacted copy; a variable so that a test
// can make verification fail on a copy the real tools would pass.
var redactRun archive.Redactor = redact.Redact

func (e *env) archiveRedact(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive redact", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	var terms, boxes multiFlag
	fs.Var(&terms, "term", "a text to burn out wherever it occurs (repeat for more)")
	fs.Var(&boxes, "box", "a box to burn out, PAGE:X0,Y0,X1,Y1 in the page's units (points from the top-left of a PDF page, pixels of an image; repeat for more)")
	out := fs.String("out", "", "the redacted copy to write (a PDF)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("archive redact needs one document ID (archive search prints them)")
	}
	if len(terms) == 0 && len(boxes) == 0 || *out == "" {
		return usagef("archive redact needs --term TEXT or --box PAGE:X0,Y0,X1,Y1 (one or more) and --out FILE.pdf")
	}
	marks := archive.Marks{Terms: terms}
	for _, b := range boxes {
		var box redact.Box
		if _, err := fmt.Sscanf(b, "%d:%g,%g,%g,%g", &box.Page, &box.X0, &box.Y0, &box.X1, &box.Y1); err != nil || box.X1 <= box.X0 || box.Y1 <= box.Y0 {
			return usagef("--box %q is not PAGE:X0,Y0,X1,Y1 with X0 < X1 and Y0 < Y1", b)
		}
		marks.Boxes = append(marks.Boxes, box)
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
	_, origSum, err := a.RootOriginal(ctx, id)
	if err != nil {
		return err
	}
	// The rendered pages of the original and the copy stay inside the
	// archive's data folder, in this process's own temporary folder; the
	// verified copy is kept in the archive (archive export --redaction).
	rid, err := a.BeginRedaction(ctx, id, a.Who(), marks)
	if err != nil {
		return err
	}
	red, err := a.RunRedaction(ctx, rid, redactRun)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, red.Report.String())
	if red.State == archive.RedactionError {
		return fmt.Errorf("the redacted copy could not be made: %s", red.Reason)
	}
	copyFile, _, err := a.RedactedCopy(ctx, rid)
	if err != nil {
		return fmt.Errorf("the redacted copy (redaction %s) failed verification (see the report above); nothing was written, and it cannot be exported", rid)
	}
	defer copyFile.Close()
	sum, err := copyOut(copyFile.Name(), *out)
	if err != nil {
		return err
	}
	action := fmt.Sprintf("redacted copy (sha256 %s) of the original (sha256 %s): %d terms, %d boxes burned on %d pages, verified; written to %s",
		sum, origSum, len(terms), red.Burned, red.Pages, *out)
	if err := a.RecordEvent(context.WithoutCancel(ctx), id, action); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (sha256 %s), %d pages, verified\nredaction %s (archive export --redaction %s publishes it)\n", *out, sum, red.Pages, rid, rid)
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
	return writeOut(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// writeOut writes dst through a temporary file beside it, synced and then
// linked into place (never over a file that appeared meanwhile), and
// returns its SHA-256; on an error nothing is left.
func writeOut(dst string, write func(io.Writer) error) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".confide-*.tmp")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = write(io.MultiWriter(tmp, h))
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
