package ingest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"

	"confide/internal/ingest/charset"
)

var (
	stepZip  = Step{Tool: "confide ingest/zip", Version: "v1"}
	stepTar  = Step{Tool: "confide ingest/tar", Version: "v1"}
	stepGzip = Step{Tool: "confide ingest/gzip", Version: "v1"}
)

// openZip opens a zip-based source, with a human reason when it is not one.
func (w *walk) openZip(d *Document, src *source) (*zip.Reader, error) {
	f, size, err := w.file(src)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		var head [4]byte
		n, _ := f.ReadAt(head[:], 0)
		if n == 4 && string(head[:]) == "PK\x03\x04" {
			return nil, fail(KindCorrupt, d.Path, err, "not a zip: truncated (its table of contents is missing)")
		}
		return nil, fail(KindCorrupt, d.Path, err, "not a zip: damaged")
	}
	return zr, nil
}

// zipLike reads a zip, or the office formats that are zips.
func (w *walk) zipLike(d *Document, src *source, children *func() error) error {
	zr, err := w.openZip(d, src)
	if err != nil {
		return err
	}
	if f, ok := officeFormats[d.Type]; ok {
		if hasMember(zr, f.main) {
			return w.office(d, zr, f)
		}
		// Named or sniffed as an office file but not one: its members are
		// still worth reading.
		d.warn("this looks like a %s file but has no %s; it is read as a zip", strings.ToUpper(d.Type), f.main)
		d.Type = TypeZip
	}
	d.Steps = append(d.Steps, stepZip)
	d.Fields["members"] = fmt.Sprint(len(zr.File))
	names := zipNames(zr.File)
	if cs, ok := names.charset(); ok {
		d.Fields["name charset"] = string(cs)
	}
	*children = func() error {
		for i, f := range zr.File {
			if err := w.zipMember(d, f, names.decoded(i)); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

func hasMember(zr *zip.Reader, name string) bool {
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (w *walk) zipMember(d *Document, f *zip.File, name string) error {
	mode := f.Mode()
	if mode.IsDir() || strings.HasSuffix(f.Name, "/") {
		return nil
	}
	p := d.Path + "/" + name
	refuse := func(f *Failure) error {
		return w.refused(d, p, f)
	}
	switch {
	case mode&fs.ModeSymlink != 0:
		return refuse(fail(KindLink, p, nil, "a symbolic link inside the zip; links are not followed"))
	case !mode.IsRegular():
		return refuse(fail(KindUnsupported, p, nil, "not a regular file inside the zip"))
	case f.Flags&1 != 0:
		return refuse(fail(KindEncrypted, p, nil, "the zip member is encrypted"))
	case int64(f.UncompressedSize64) > w.lim.MaxFile || f.UncompressedSize64 > 1<<62:
		return refuse(fail(KindTooLarge, p, nil, "the file expands to %s, past the limit of %s", human(int64(min(f.UncompressedSize64, 1<<62))), human(w.lim.MaxFile)))
	case f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > uint64(w.lim.MaxRatio)*max(f.CompressedSize64, 1):
		return refuse(fail(KindBomb, p, nil, "the file expands %d times its compressed size, past the limit of %d (a zip bomb?)", f.UncompressedSize64/max(f.CompressedSize64, 1), w.lim.MaxRatio))
	}
	rc, err := f.Open()
	if err != nil {
		return refuse(fail(KindUnsupported, p, err, "the zip member uses a compression method that is not read"))
	}
	defer rc.Close()
	comp := int64(f.CompressedSize64)
	return w.child(d, name, &source{r: rc, size: int64(f.UncompressedSize64), compressed: func() int64 { return comp }})
}

// refused yields a member that is not read, with why, counting it.
func (w *walk) refused(parent *Document, p string, f *Failure) error {
	w.members++
	if w.members > w.lim.MaxMembers {
		return &treeStop{fail(KindTooMany, p, nil, "more than %d files in this archive tree", w.lim.MaxMembers)}
	}
	return w.yield(&Document{Path: p, Parent: parent.Path, Depth: parent.Depth + 1, Type: TypeUnknown, Size: -1, Fields: map[string]string{}, Err: f})
}

// nameSet decodes a zip's member names. Names without the UTF-8 flag are
// in the archiver's code page: CP866 from Russian DOS and Windows
// archivers, KOI8-R from old Unix ones, or UTF-8 from archivers that do
// not set the flag. One decision is made for the whole archive, from all
// such names together, since one short name says too little (and CP866
// bytes can happen to be valid UTF-8).
type nameSet struct {
	raw  []string
	flag []bool // the UTF-8 flag is set
	cs   charset.Charset
}

func zipNames(files []*zip.File) *nameSet {
	n := &nameSet{cs: charset.UTF8}
	var sample []byte
	for _, f := range files {
		n.raw = append(n.raw, f.Name)
		flagged := f.Flags&0x800 != 0
		n.flag = append(n.flag, flagged)
		if !flagged && len(sample) < 64<<10 {
			sample = append(append(sample, f.Name...), ' ')
		}
	}
	if !utf8.Valid(sample) {
		n.cs, _ = charset.Detect(sample)
	}
	return n
}

func (n *nameSet) charset() (charset.Charset, bool) { return n.cs, n.cs != charset.UTF8 }

// decoded is the i-th name as clean UTF-8.
func (n *nameSet) decoded(i int) string {
	if n.flag[i] {
		return DecodeName(n.raw[i], charset.UTF8)
	}
	return DecodeName(n.raw[i], n.cs)
}

// DecodeName turns an archive member's raw name in charset cs into a
// clean relative UTF-8 path, with no empty, "." or ".." parts.
func DecodeName(raw string, cs charset.Charset) string {
	return cleanName(charset.Decode([]byte(raw), cs))
}

// nameCharset guesses the charset of a lone name: UTF-8 if it is valid.
func nameCharset(raw string) charset.Charset {
	cs, _ := charset.Detect([]byte(raw))
	return cs
}

// tar walks a tar stream; links are yielded as refused, never followed.
func (w *walk) tar(d *Document, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fail(KindCorrupt, d.Path, err, "the tar archive is damaged or cut short")
		}
		name := DecodeName(h.Name, nameCharset(h.Name))
		p := d.Path + "/" + name
		switch h.Typeflag {
		case tar.TypeReg:
			if h.Size > w.lim.MaxFile {
				if err := w.refused(d, p, fail(KindTooLarge, p, nil, "the file is %s, past the limit of %s", human(h.Size), human(w.lim.MaxFile))); err != nil {
					return err
				}
				continue
			}
			if err := w.child(d, name, &source{r: tr, size: h.Size}); err != nil {
				return err
			}
		case tar.TypeSymlink, tar.TypeLink:
			refusal := fail(KindLink, p, nil, "a link inside the tar; links are not followed")
			if t := path.Clean(path.Join(path.Dir(h.Name), h.Linkname)); path.IsAbs(h.Linkname) || t == ".." || strings.HasPrefix(t, "../") {
				refusal = fail(KindLink, p, nil, "a link pointing outside the tar; links are not followed")
			}
			if err := w.refused(d, p, refusal); err != nil {
				return err
			}
		case tar.TypeDir, tar.TypeXGlobalHeader:
		default:
			if err := w.refused(d, p, fail(KindUnsupported, p, nil, "not a regular file inside the tar")); err != nil {
				return err
			}
		}
	}
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// gzip reads a gzip stream as a container of the one file it holds (a
// tar, for a .tar.gz).
func (w *walk) gzip(d *Document, src *source, children *func() error) error {
	c := &counter{r: src.r}
	zr, err := gzip.NewReader(bufio.NewReader(c))
	if err != nil {
		return fail(KindCorrupt, d.Path, err, "not a gzip file: damaged")
	}
	d.Steps = append(d.Steps, stepGzip)
	name := zr.Name
	if name == "" {
		base := path.Base(d.Path)
		switch ext := strings.ToLower(path.Ext(base)); ext {
		case ".tgz":
			name = strings.TrimSuffix(base, path.Ext(base)) + ".tar"
		case ".gz":
			name = strings.TrimSuffix(base, path.Ext(base))
		default:
			name = base + ".out"
		}
	}
	name = DecodeName(name, nameCharset(name))
	*children = func() error {
		defer zr.Close()
		err := w.child(d, path.Base(name), &source{r: &gzipErrors{zr, d.Path}, size: -1, compressed: func() int64 { return c.n }})
		return err
	}
	return nil
}

// gzipErrors gives a cut-short gzip stream a human reason.
type gzipErrors struct {
	r    io.Reader
	path string
}

func (g *gzipErrors) Read(b []byte) (int, error) {
	n, err := g.r.Read(b)
	if err != nil && err != io.EOF {
		var f *Failure
		var t *treeStop
		if !errors.As(err, &f) && !errors.As(err, &t) {
			err = fail(KindCorrupt, g.path, err, "the gzip stream is damaged or cut short")
		}
	}
	return n, err
}
