package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"

	"confide/internal/ingest"
	"confide/internal/ingest/tool"
)

// ErrNoImage means a page has no image to show: the document is not a
// scan or a PDF, or its bytes are inside another file (a zip member).
var ErrNoImage = errors.New("archive: this page has no image")

// maxPageImage bounds a rendered page kept in memory (100 dpi PNG of a
// large page is a few hundred KiB).
const maxPageImage = 16 << 20

// stored opens the bytes of a document when the archive holds them as an
// original of their own (a file as ingested, not a member of one).
func (a *Archive) stored(d *Document) (*os.File, error) {
	if len(d.SHA256) != 64 {
		return nil, fmt.Errorf("%w: %s is not stored on its own", ErrNotFound, d.Path)
	}
	f, err := os.Open(a.originalPath(d.SHA256))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is not stored on its own", ErrNotFound, d.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return f, nil
}

// PageImage writes page n of a document as an image and returns its media
// type: a PDF page rendered by pdftoppm at 100 dpi into memory (in one of
// the process's tool slots, so page views never outrun the bound on
// external programs), or a PNG or JPEG original itself.
func (a *Archive) PageImage(ctx context.Context, d *Document, n int, w io.Writer) (string, error) {
	switch d.Type {
	case ingest.TypePNG, ingest.TypeJPEG:
		if n != 1 {
			return "", ErrNoImage
		}
		f, err := a.stored(d)
		if err != nil {
			return "", fmt.Errorf("%w (%w)", ErrNoImage, err)
		}
		defer f.Close()
		if _, err := io.Copy(w, f); err != nil {
			return "", fmt.Errorf("archive: %w", err)
		}
		return "image/" + d.Type, nil
	case ingest.TypePDF:
	default:
		return "", ErrNoImage
	}
	if n < 1 || n > len(d.Pages) {
		return "", ErrNoImage
	}
	f, err := a.stored(d)
	if err != nil {
		return "", fmt.Errorf("%w (%w)", ErrNoImage, err)
	}
	defer f.Close()
	return "image/png", a.renderPDFPage(ctx, f.Name(), path.Base(d.Path), n, w)
}

// renderPDFPage writes page n of the PDF at file as a 100 dpi PNG; name
// is the file's name for errors.
func (a *Archive) renderPDFPage(ctx context.Context, file, name string, n int, w io.Writer) error {
	var buf bytes.Buffer
	out := &limited{w: &buf, n: maxPageImage}
	// pdftoppm reads the original in place (read-only, under the data
	// folder) and writes the PNG to its standard output: no file is made.
	err := tool.Run(ctx, tool.Cmd{Name: "pdftoppm", Args: []string{"-png", "-r", "100", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-singlefile", file},
		Stdout: out, TmpDir: a.tmp})
	if err != nil {
		return fmt.Errorf("archive: rendering page %d of %s: %w", n, name, err)
	}
	if out.over {
		return fmt.Errorf("archive: page %d of %s renders larger than %d MiB", n, name, maxPageImage>>20)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// limited keeps at most n bytes and notes that more came.
type limited struct {
	w    io.Writer
	n    int
	over bool
}

func (l *limited) Write(p []byte) (int, error) {
	keep := p
	if len(keep) > l.n {
		l.over = true
		keep = keep[:l.n]
	}
	l.n -= len(keep)
	l.w.Write(keep)
	// The rest is dropped, not refused: the program runs to its end and the
	// caller reports the page as too large.
	return len(p), nil
}

// Original opens the file a document's download gives: its own bytes when
// stored whole, else the ingested file that holds it (a zip, an email).
// The name returned is the file's base name.
func (a *Archive) Original(ctx context.Context, d *Document) (*os.File, string, error) {
	if f, err := a.stored(d); err == nil {
		return f, path.Base(d.Path), nil
	}
	var sum, p string
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT sha256, path FROM archive_entries WHERE id = ?`), d.entry).Scan(&sum, &p)
	if err != nil {
		return nil, "", fmt.Errorf("archive: %w", err)
	}
	f, err := os.Open(a.originalPath(sum))
	if err != nil {
		return nil, "", fmt.Errorf("archive: the original of %s: %w", p, err)
	}
	return f, path.Base(p), nil
}
