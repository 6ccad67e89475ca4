package bundle

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Reader reads a bundle as it streams: NewReader reads and checks the
// manifest, Next gives each file in turn, checked as it is read, and
// returns io.EOF once SHA256SUMS has matched every file.
type Reader struct {
	tr      *tar.Reader
	m       Manifest
	lim     Limits
	members []Member
	next    int
	total   int64
	cur     *memberReader
	sums    map[string]Sum
	err     error
}

// NewReader reads bundle.json from r and checks it. lim nil means
// DefaultLimits.
func NewReader(r io.Reader, lim *Limits) (*Reader, error) {
	l := DefaultLimits
	if lim != nil {
		l = *lim
	}
	br := &Reader{tr: tar.NewReader(r), lim: l, sums: map[string]Sum{}}
	h, err := br.tr.Next()
	if err != nil {
		return nil, invalid("it is not a bundle (a tar stream starting with %s)", ManifestName)
	}
	if err := plainFile(h); err != nil {
		return nil, err
	}
	if h.Name != ManifestName {
		return nil, invalid("its first file is %q, not %s", h.Name, ManifestName)
	}
	if h.Size > maxManifest {
		return nil, invalid("%s is over %d bytes", ManifestName, maxManifest)
	}
	b, err := io.ReadAll(br.tr)
	if err != nil {
		return nil, broken(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&br.m); err != nil {
		return nil, invalid("%s: %v", ManifestName, err)
	}
	if dec.More() {
		return nil, invalid("%s holds more than one JSON object", ManifestName)
	}
	if err := br.m.Validate(l); err != nil {
		return nil, err
	}
	br.members = br.m.Members()
	return br, nil
}

// broken names a tar stream that ends early or is not tar at all.
func broken(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid("it ends early (a truncated download?)")
	}
	if errors.Is(err, tar.ErrHeader) || errors.Is(err, tar.ErrFieldTooLong) || errors.Is(err, tar.ErrInsecurePath) {
		return invalid("it is not a tar stream: %v", err)
	}
	return fmt.Errorf("bundle: %w", err)
}

// header reads the next member's header and refuses anything but a plain
// file.
func (r *Reader) header() (*tar.Header, error) {
	h, err := r.tr.Next()
	if err != nil {
		return nil, broken(err)
	}
	return h, plainFile(h)
}

func plainFile(h *tar.Header) error {
	if h.Typeflag != tar.TypeReg {
		return invalid("%q is not a plain file (a folder, link or device)", h.Name)
	}
	if h.Size < 0 {
		return invalid("%q has a negative size", h.Name)
	}
	return nil
}

// Manifest is the bundle's checked manifest.
func (r *Reader) Manifest() Manifest { return r.m }

// Next finishes the file before (reading what the caller left of it) and
// returns the next member and a reader of its bytes. A content error comes
// out of that reader's Read or out of the next call to Next. After the last
// file it checks SHA256SUMS and that nothing follows, then returns io.EOF.
func (r *Reader) Next() (Member, io.Reader, error) {
	if r.err != nil {
		return Member{}, nil, r.err
	}
	m, mr, err := r.advance()
	if err != nil {
		r.err = err
	}
	return m, mr, err
}

func (r *Reader) advance() (Member, io.Reader, error) {
	if r.cur != nil {
		if _, err := io.Copy(io.Discard, r.cur); err != nil {
			return Member{}, nil, err
		}
		r.cur = nil
	}
	h, err := r.header()
	if err != nil {
		return Member{}, nil, err
	}
	if r.next == len(r.members) {
		return Member{}, nil, r.end(h)
	}
	m := r.members[r.next]
	if h.Name != m.Name {
		return Member{}, nil, invalid("found %q where the manifest names %s next", h.Name, m.Name)
	}
	if lim := r.lim.of(m.Kind); h.Size > lim {
		return Member{}, nil, invalid("%s is %d bytes, over the limit of %d", m.Name, h.Size, lim)
	}
	if r.total += h.Size; r.total > r.lim.Total {
		return Member{}, nil, invalid("the files come to more than %d bytes", r.lim.Total)
	}
	r.next++
	r.cur = &memberReader{r: r, c: newChecker(m, h.Size)}
	return m, r.cur, nil
}

// end checks SHA256SUMS, whose header is h, and that it is the last member.
func (r *Reader) end(h *tar.Header) error {
	if h.Name != SumsName {
		return invalid("found %q after the last file the manifest names", h.Name)
	}
	want := sums(r.members, r.sums)
	if h.Size != int64(len(want)) {
		return invalid("%s does not match the files (a file was changed?)", SumsName)
	}
	got, err := io.ReadAll(r.tr)
	if err != nil {
		return broken(err)
	}
	if !bytes.Equal(got, want) {
		return invalid("%s does not match the files (a file was changed?)", SumsName)
	}
	if h, err := r.tr.Next(); err == nil {
		return invalid("found %q after %s", h.Name, SumsName)
	} else if !errors.Is(err, io.EOF) {
		return broken(err)
	}
	return io.EOF
}

// Sum is the size and SHA-256 of a file read to its end; they are checked
// against SHA256SUMS only when Next has returned io.EOF.
func (r *Reader) Sum(name string) (Sum, bool) {
	s, ok := r.sums[name]
	return s, ok
}

// memberReader reads one member through its checker.
type memberReader struct {
	r   *Reader
	c   *checker
	err error
}

func (m *memberReader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n, err := m.r.tr.Read(p)
	if n > 0 {
		if _, werr := m.c.Write(p[:n]); werr != nil {
			m.err = werr
			return 0, werr
		}
	}
	if errors.Is(err, io.EOF) {
		if m.c.n != m.c.limit {
			m.err = broken(io.ErrUnexpectedEOF)
			return 0, m.err
		}
		sum, ferr := m.c.finish()
		if ferr != nil {
			m.err = ferr
			return 0, ferr
		}
		m.r.sums[m.c.m.Name] = sum
		m.err = io.EOF
		return n, io.EOF
	}
	if err != nil {
		m.err = broken(err)
		return 0, m.err
	}
	return n, nil
}

// Read reads a whole bundle, giving each file to fn as it streams (fn
// need not read it all), and returns the manifest and every file's sum.
// An error from fn stops the read and is returned as it is.
func Read(r io.Reader, lim *Limits, fn func(Member, io.Reader) error) (Manifest, map[string]Sum, error) {
	br, err := NewReader(r, lim)
	if err != nil {
		return Manifest{}, nil, err
	}
	for {
		m, mr, err := br.Next()
		if errors.Is(err, io.EOF) {
			return br.m, br.sums, nil
		}
		if err != nil {
			return br.m, nil, err
		}
		if err := fn(m, mr); err != nil {
			return br.m, nil, err
		}
	}
}
