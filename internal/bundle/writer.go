package bundle

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// epoch is every member's modification time: a bundle carries the day of
// export in its manifest and no clock time anywhere else, and the same
// inputs make the same bytes.
var epoch = time.Unix(0, 0).UTC()

// Writer writes a bundle: NewWriter writes the manifest, Add streams each
// of its files in the order of Manifest.Members, Close writes SHA256SUMS.
type Writer struct {
	tw      *tar.Writer
	m       Manifest
	lim     Limits
	members []Member
	next    int
	total   int64
	sums    map[string]Sum
	err     error
}

// NewWriter checks m (Format is filled in when empty) and writes it as
// the bundle's first member. lim nil means DefaultLimits.
func NewWriter(w io.Writer, m Manifest, lim *Limits) (*Writer, error) {
	if m.Format == "" {
		m.Format = Format
	}
	l := DefaultLimits
	if lim != nil {
		l = *lim
	}
	if err := m.Validate(l); err != nil {
		return nil, err
	}
	b, err := jsonMarshal(m)
	if err != nil {
		return nil, err
	}
	if len(b) > maxManifest {
		return nil, invalid("the manifest is over %d bytes", maxManifest)
	}
	bw := &Writer{tw: tar.NewWriter(w), m: m, lim: l, members: m.Members(), sums: map[string]Sum{}}
	if err := bw.member(ManifestName, int64(len(b))); err != nil {
		return nil, err
	}
	if _, err := bw.tw.Write(b); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return bw, nil
}

func (w *Writer) member(name string, size int64) error {
	err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: epoch, Format: tar.FormatUSTAR})
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// Next names the file Add expects now ("" when all are written).
func (w *Writer) Next() string {
	if w.next < len(w.members) {
		return w.members[w.next].Name
	}
	return ""
}

// Add streams the file name, of size bytes, from r: it must be the next
// member (see Next). Its content is checked as a Reader would, and hashed.
func (w *Writer) Add(name string, size int64, r io.Reader) error {
	if w.err != nil {
		return w.err
	}
	if w.next >= len(w.members) || w.members[w.next].Name != name {
		return fmt.Errorf("bundle: %s is not the next file of the manifest (%q is)", name, w.Next())
	}
	m := w.members[w.next]
	if size < 0 || size > w.lim.of(m.Kind) {
		return invalid("%s is %d bytes, over the limit of %d", name, size, w.lim.of(m.Kind))
	}
	if w.total += size; w.total > w.lim.Total {
		return invalid("the files come to more than %d bytes", w.lim.Total)
	}
	// A failure half way leaves the tar stream broken: every later call fails.
	w.err = fmt.Errorf("bundle: an earlier file failed")
	if err := w.member(name, size); err != nil {
		return err
	}
	c := newChecker(m, w.lim.of(m.Kind))
	n, err := io.Copy(io.MultiWriter(c, w.tw), io.LimitReader(r, size))
	if err != nil {
		return fmt.Errorf("bundle: %s: %w", name, err)
	}
	if n != size {
		return fmt.Errorf("bundle: %s: %d bytes, not the %d announced", name, n, size)
	}
	sum, err := c.finish()
	if err != nil {
		return err
	}
	w.sums[name] = sum
	w.next++
	w.err = nil
	return nil
}

// Sum is the size and SHA-256 of a file already added.
func (w *Writer) Sum(name string) (Sum, bool) {
	s, ok := w.sums[name]
	return s, ok
}

// Close writes SHA256SUMS and ends the tar stream; every file must have
// been added. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.next < len(w.members) {
		return fmt.Errorf("bundle: %s was never added", w.members[w.next].Name)
	}
	b := sums(w.members, w.sums)
	if err := w.member(SumsName, int64(len(b))); err != nil {
		return err
	}
	if _, err := w.tw.Write(b); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	w.err = fmt.Errorf("bundle: the writer is closed")
	if err := w.tw.Close(); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// Write writes a whole bundle of m, opening each file with open (which
// returns its bytes and their size) in the order of Manifest.Members.
func Write(w io.Writer, m Manifest, lim *Limits, open func(Member) (io.ReadCloser, int64, error)) error {
	bw, err := NewWriter(w, m, lim)
	if err != nil {
		return err
	}
	for _, f := range bw.members {
		rc, size, err := open(f)
		if err != nil {
			return fmt.Errorf("bundle: %s: %w", f.Name, err)
		}
		err = bw.Add(f.Name, size, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return bw.Close()
}

// jsonMarshal is bundle.json's encoding of m: indented, so a person can
// read it after `tar xf`.
func jsonMarshal(m Manifest) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return append(b, '\n'), nil
}
