package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"confide/internal/ingest/tool"
)

// 7z archives are read with Debian's 7z (p7zip-full), which is optional:
// without it a 7z is a clear "not installed" failure. The listing is kept
// in memory (bounded by Limits.MaxMembers); member names go after "--"
// with -spd (no wildcards), so "@list" or "-x" stay names; each member is
// extracted on
// its own into a temporary file, then read, then deleted, so a slot for
// external programs is never held while a member is being read (which
// may itself need one for OCR).

type sevenEntry struct {
	path      string
	size      int64
	dir, link bool
	encrypted bool
}

// A made-up password, so that 7z never waits for one on a terminal; an
// encrypted archive then fails with "Wrong password".
const sevenNoPassword = "-pconfide-has-no-password"

func sevenFailure(p string, err error) error {
	var te *tool.Error
	var tt *toolTimeout
	switch {
	case errors.As(err, &tt):
		return fail(KindTimeout, p, err, "the 7z archive took too long to read (%s did not finish in %s)", tt.name, tt.after)
	case errors.Is(err, tool.ErrMissing):
		return fail(KindTool, p, err, "7z (Debian's p7zip-full) is not installed, so 7z archives cannot be read")
	case errors.As(err, &te) && (strings.Contains(te.Stderr, "Wrong password") || strings.Contains(te.Stderr, "encrypted")):
		return fail(KindEncrypted, p, err, "the 7z archive is encrypted")
	case errors.As(err, &te):
		return fail(KindCorrupt, p, err, "the 7z archive is damaged or cut short")
	}
	return err
}

func (w *walk) sevenZip(d *Document, src *source, children *func() error) error {
	f, size, err := w.file(src)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	c := tool.Cmd{Name: "7z", Args: []string{"l", "-slt", "-ba", "-bd", sevenNoPassword, "--", f.Name()}, Stdout: &capWriter{w: &out, max: 256 << 20}, TmpDir: w.o.TmpDir}
	if err := w.run(c); err != nil {
		return sevenFailure(d.Path, err)
	}
	d.Steps = append(d.Steps, Step{Tool: "7z", Version: tool.Version("7z", "i"), Action: "list and extract members"})
	entries, err := parseSevenList(&out, w.lim.MaxMembers)
	if err != nil {
		return fail(KindTooMany, d.Path, err, "the 7z archive lists more than %d files", w.lim.MaxMembers)
	}
	var total int64
	for _, e := range entries {
		total += max(e.size, 0)
	}
	d.Fields["members"] = strconv.Itoa(len(entries))
	if total > 1<<20 && total > w.lim.MaxRatio*max(size, 1) {
		return fail(KindBomb, d.Path, nil, "the 7z archive expands %d times its size, past the limit of %d (an archive bomb?)", total/max(size, 1), w.lim.MaxRatio)
	}
	*children = func() error {
		for _, e := range entries {
			if e.dir {
				continue
			}
			name := cleanName(e.path)
			p := d.Path + "/" + name
			var refuse *Failure
			switch {
			case e.link:
				refuse = fail(KindLink, p, nil, "a link inside the 7z archive; links are not followed")
			case e.encrypted:
				refuse = fail(KindEncrypted, p, nil, "the 7z member is encrypted")
			case e.size > w.lim.MaxFile:
				refuse = fail(KindTooLarge, p, nil, "the file is %s, past the limit of %s", human(e.size), human(w.lim.MaxFile))
			}
			if refuse != nil {
				if err := w.refused(d, p, refuse); err != nil {
					return err
				}
				continue
			}
			if err := w.sevenMember(d, f, e, name); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

// sevenMember extracts one member into a temporary file and reads it.
func (w *walk) sevenMember(d *Document, archive *os.File, e sevenEntry, name string) error {
	tmp, err := os.CreateTemp(w.o.TmpDir, "ingest-*")
	if err != nil {
		return fmt.Errorf("ingest: temporary file: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	// Never more than the listing said: a lying archive stops there.
	lw := &capWriter{w: tmp, max: e.size}
	c := tool.Cmd{Name: "7z", Args: []string{"x", "-so", "-spd", "-bd", "-y", sevenNoPassword, archive.Name(), "--", e.path}, Stdout: lw, TmpDir: w.o.TmpDir}
	if err := w.run(c); err != nil {
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		p := d.Path + "/" + name
		return w.refused(d, p, asFailure(p, sevenFailure(p, err)))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return w.child(d, name, &source{r: tmp, file: tmp, size: lw.n})
}

// parseSevenList reads `7z l -slt -ba`: blocks of "Key = value" lines.
func parseSevenList(r io.Reader, maxEntries int) ([]sevenEntry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []sevenEntry
	var cur *sevenEntry
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " = ")
		if !ok {
			k = strings.TrimSuffix(sc.Text(), " =")
		}
		switch k {
		case "Path":
			if len(out) >= maxEntries {
				return nil, errors.New("too many entries")
			}
			out = append(out, sevenEntry{path: v, size: -1})
			cur = &out[len(out)-1]
		case "Size":
			if cur != nil {
				cur.size, _ = strconv.ParseInt(v, 10, 64)
			}
		case "Folder":
			if cur != nil && v == "+" {
				cur.dir = true
			}
		case "Attributes":
			if cur != nil {
				cur.dir = cur.dir || strings.HasPrefix(v, "D")
				cur.link = strings.Contains(v, " l")
			}
		case "Encrypted":
			if cur != nil {
				cur.encrypted = v == "+"
			}
		}
	}
	return out, sc.Err()
}

// capWriter writes at most max bytes and fails past them.
type capWriter struct {
	w   io.Writer
	n   int64
	max int64
}

func (c *capWriter) Write(p []byte) (int, error) {
	if c.n+int64(len(p)) > c.max {
		return 0, errors.New("ingest: more output than expected")
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
