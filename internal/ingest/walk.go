package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"confide/internal/ingest/tool"
)

// walk is the state of one Extract: the budgets shared by the whole tree.
type walk struct {
	e         *Extractor
	o         Options
	lim       Limits
	ctx       context.Context
	yield     func(*Document) error // the caller's, through emit
	callerErr error

	total   int64 // expanded bytes read in the tree
	members int   // documents below the root
}

// source is one file to read: a stream, and the file behind it if there
// is one (a root *os.File, or a spooled copy).
type source struct {
	name string // base name, for the type
	r    io.Reader
	file *os.File // nil unless the bytes are a whole file, seekable
	size int64    // -1 if unknown
	// compressed reports the bytes of the member inside its archive read
	// so far, for the ratio check; nil if not compressed or unknown.
	compressed func() int64
	// via is the step that took this member out of its container.
	via *Step
	// hint is the type a container declares for the member (an email's
	// message/rfc822 part), used when the bytes only look like text.
	hint string
	// cleanup runs when the document and its children are done.
	cleanup []func()
}

// document reads one file and yields it and its children. Its error is
// only ever a tree-wide stop, the context's, or the caller's.
func (w *walk) document(src *source, p, parent string, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if depth > 0 {
		w.members++
		if w.members > w.lim.MaxMembers {
			return &treeStop{fail(KindTooMany, p, nil, "more than %d files in this archive tree", w.lim.MaxMembers)}
		}
	}
	defer func() {
		for _, c := range src.cleanup {
			c()
		}
	}()
	d := &Document{Path: p, Parent: parent, Depth: depth, Size: -1, Fields: map[string]string{}}
	if src.via != nil {
		d.Steps = append(d.Steps, *src.via)
	}
	if depth > w.lim.MaxDepth {
		d.Err = fail(KindTooDeep, p, nil, "nested more than %d containers deep", w.lim.MaxDepth)
		return w.yield(d)
	}
	m := w.meter(src, p)
	m.h = sha256.New()
	br := bufio.NewReaderSize(m, 64<<10)
	head, perr := br.Peek(sniffLen)
	var stop *treeStop
	var f *Failure
	switch {
	case errors.As(perr, &stop):
		return perr
	case errors.As(perr, &f):
		// Over a limit within its first bytes: nothing to sniff.
		d.Type, d.Size, d.Err = TypeUnknown, max(m.n, src.size), f
		return w.yield(d)
	}
	d.Type = sniff(head, src.name)
	if d.Type == TypeText && src.hint != "" {
		d.Type = src.hint
	}
	src.r = br
	var children func() error
	err := w.read(d, src, head, &children)
	if err == nil && children == nil && src.file == nil {
		// What a reader left unread (text past the limit, a tool's
		// trailing bytes) is still part of the file its hash stands for.
		// A file on disk is hashed from the disk instead.
		_, err = io.Copy(io.Discard, br)
	}
	d.Size = max(m.n, src.size)
	d.SHA256 = w.digest(m, src)
	if err != nil {
		if errors.As(err, &stop) || errors.Is(err, errYield) || w.ctx.Err() != nil {
			return err
		}
		d.Err = asFailure(p, err)
	}
	for i := range d.Pages {
		if d.Pages[i].Number == 0 {
			d.Pages[i].Number = i + 1
		}
		d.Pages[i].Lang = detectLang(d.Pages[i].Text)
	}
	if err := w.yield(d); err != nil {
		return err
	}
	if children != nil && d.Err == nil {
		if err := children(); err != nil {
			if errors.As(err, &stop) || w.ctx.Err() != nil || errors.Is(err, errYield) {
				return err
			}
			// The container broke part-way: its members so far are
			// yielded; record where it broke as a document of its own.
			return w.yield(&Document{Path: p + "/…", Parent: p, Depth: depth + 1, Type: TypeUnknown, Size: -1, Fields: map[string]string{}, Err: asFailure(p, err)})
		}
	}
	return nil
}

// digest is the SHA-256 of the whole file, if it can be had before the
// document is yielded: every byte went through the meter, or the bytes
// are a file on disk (read again with ReadAt, so a stream over the same
// file keeps its place). A container streamed to its members (a tar, an
// email) has none until they are read, so it gets "".
func (w *walk) digest(m *meter, src *source) string {
	// A small file is often read whole before its end is seen (a PDF
	// sniffed in one read): a file's size read is all of it, from its
	// start (a stream that began later cannot read that many bytes).
	if m.eof || src.file != nil && src.size >= 0 && m.n == src.size {
		return hex.EncodeToString(m.h.Sum(nil))
	}
	if src.file == nil || src.size < 0 {
		return ""
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(src.file, 0, src.size)); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// errYield stands for the caller's own error (kept in walk.callerErr), so
// the walk stops rather than recording it.
var errYield = errors.New("ingest: stopped by the caller")

// child reads one member of a container. name is its path inside the
// container, cleaned.
func (w *walk) child(parent *Document, name string, src *source) error {
	src.name = path.Base(name)
	if len(parent.Steps) > 0 {
		// Each document's chain of custody starts with how it was taken
		// out of its container, so it reads whole on its own.
		via := parent.Steps[len(parent.Steps)-1]
		via.Action = "extracted from " + parent.Path
		src.via = &via
	}
	return w.document(src, parent.Path+"/"+name, parent.Path, parent.Depth+1)
}

// read dispatches on the type. Containers set *children to the function
// that walks their members, called after the container itself is yielded.
func (w *walk) read(d *Document, src *source, head []byte, children *func() error) error {
	switch d.Type {
	case TypeText:
		return w.text(d, src, head)
	case TypeHTML:
		return w.html(d, src, head)
	case TypeMarkdown:
		return w.markdown(d, src, head)
	case TypeRTF:
		return w.rtf(d, src)
	case TypePDF:
		return w.pdf(d, src)
	case TypePNG, TypeJPEG, TypeTIFF:
		return w.image(d, src)
	case TypeDOCX, TypeODT, TypeZip:
		return w.zipLike(d, src, children)
	case TypeTar:
		d.Steps = append(d.Steps, stepTar)
		*children = func() error { return w.tar(d, src.r) }
		return nil
	case TypeGzip:
		return w.gzip(d, src, children)
	case Type7z:
		return w.sevenZip(d, src, children)
	case TypeEmail:
		return w.email(d, src, children)
	case TypeOffice97:
		return w.legacyOffice(d, src)
	case TypeMbox:
		d.Steps = append(d.Steps, stepMbox)
		*children = func() error { return w.mbox(d, src.r) }
		return nil
	}
	return unsupported(d.Path, head)
}

// meter counts the expanded bytes of a source against the file, ratio
// and tree budgets.
type meter struct {
	w    *walk
	r    io.Reader
	path string
	n    int64
	comp func() int64
	h    hash.Hash // of every byte read, if set
	eof  bool      // the source was read to its end
}

func (w *walk) meter(src *source, p string) *meter {
	return &meter{w: w, r: src.r, path: p, comp: src.compressed}
}

func (m *meter) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	if m.h != nil {
		m.h.Write(b[:n])
	}
	m.eof = m.eof || err == io.EOF
	m.n += int64(n)
	m.w.total += int64(n)
	lim := m.w.lim
	switch {
	case m.w.total > lim.MaxTotal:
		return n, &treeStop{fail(KindTooLarge, m.path, nil, "the archive tree expands past %s in all", human(lim.MaxTotal))}
	case m.n > lim.MaxFile:
		return n, fail(KindTooLarge, m.path, nil, "the file expands past %s", human(lim.MaxFile))
	case m.comp != nil && m.n > 1<<20 && m.n > lim.MaxRatio*max(m.comp(), 1):
		return n, fail(KindBomb, m.path, nil, "the file expands more than %d times its compressed size (a zip bomb?)", lim.MaxRatio)
	}
	return n, err
}

// run runs an external program in a slot, for at most Options.ToolTimeout.
func (w *walk) run(c tool.Cmd) error {
	ctx, cancel := context.WithTimeout(w.ctx, w.o.ToolTimeout)
	defer cancel()
	err := tool.Run(ctx, c)
	if errors.Is(err, context.DeadlineExceeded) && w.ctx.Err() == nil {
		return &toolTimeout{name: c.Name, after: w.o.ToolTimeout}
	}
	return err
}

// toolTimeout is a program that ran past Options.ToolTimeout.
type toolTimeout struct {
	name  string
	after time.Duration
}

func (t *toolTimeout) Error() string {
	return fmt.Sprintf("%s did not finish in %s", t.name, t.after)
}

// file gives the source as a whole file on disk: the file itself if it is
// one named by an absolute path, else a copy in the temporary folder,
// removed when the document is done. size is its length. (The tools run in
// the temporary folder, where a relative name means another file.)
func (w *walk) file(src *source) (f *os.File, size int64, err error) {
	if src.file != nil && src.size >= 0 && filepath.IsAbs(src.file.Name()) {
		if _, err := src.file.Seek(0, io.SeekStart); err == nil {
			// The stream was only peeked; read in place.
			return src.file, src.size, nil
		}
	}
	tmp, err := os.CreateTemp(w.o.TmpDir, "ingest-*")
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: temporary file: %w", err)
	}
	src.cleanup = append(src.cleanup, func() {
		tmp.Close()
		os.Remove(tmp.Name())
	})
	n, err := io.Copy(tmp, src.r)
	if err != nil {
		return nil, 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return tmp, n, nil
}

// cleanName makes a member name a relative slash path that cannot climb
// out of its parent.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	var parts []string
	for _, s := range strings.Split(name, "/") {
		switch s {
		case "", ".", "..":
			continue
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "unnamed"
	}
	return strings.Join(parts, "/")
}

func human(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
