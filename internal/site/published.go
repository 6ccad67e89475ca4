package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"confide/internal/blob"
	"confide/internal/bundle"
	"confide/internal/store"
)

// Published is the folder of published documents' files under the data
// folder (published/ab/SHA256, files 0600, folders 0700). They are public:
// plaintext by design, content-addressed, so the same page image in two
// documents or two versions of one is kept once. Their times are set to
// midnight UTC of the day, like the rest of the data folder.
type Published struct {
	root string
}

// OpenPublished prepares the folder.
func OpenPublished(root string) (*Published, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("site: published files: %w", err)
	}
	p := &Published{root: root}
	p.stampFolders()
	return p, nil
}

// stampFolders sets the folder's own times, and its staging folder's,
// which every publish changes, to midnight.
func (p *Published) stampFolders() { p.stamp(p.root, filepath.Join(p.root, "tmp")) }

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (p *Published) path(sum string) (string, error) {
	if !sha256Re.MatchString(sum) {
		return "", fmt.Errorf("site: %q is not a SHA-256", sum)
	}
	return filepath.Join(p.root, sum[:2], sum), nil
}

// Open opens a published file by its SHA-256, leaving its access time
// alone (a visit's time is nobody's record).
func (p *Published) Open(sum string) (*os.File, error) {
	name, err := p.path(sum)
	if err != nil {
		return nil, err
	}
	return blob.OpenQuiet(name)
}

func (p *Published) stamp(paths ...string) {
	t := store.Today().Time()
	for _, name := range paths {
		os.Chtimes(name, t, t)
	}
}

// remove deletes the files no document holds any more.
func (p *Published) remove(ctx context.Context, st store.Site, sums []string) error {
	for _, sum := range sums {
		ref, err := st.DocumentFileReferenced(ctx, sum)
		if err != nil {
			return err
		}
		if ref {
			continue
		}
		name, err := p.path(sum)
		if err != nil {
			return err
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("site: %w", err)
		}
		os.Remove(filepath.Dir(name)) // only if empty
		p.stamp(filepath.Dir(name))
	}
	return nil
}

// Publish reads a bundle and puts it on the site: its files in the folder,
// its manifest in the store. A bundle already published under its slug is
// replaced in place, and the files only the old version held are removed.
// The bundle is read to its end and checked (bundle.Reader) before
// anything is stored: a bad one leaves the folder and the store as they
// were. updated says whether the slug was published before.
//
// Trade-offs: a process killed mid-publish leaves its staged files in
// tmp/ (public bytes, never served, left out of backups) until removed by
// hand; and two publishes at the same moment sharing a file can race the
// removal of a file the older version alone held, so publish one bundle
// at a time.
func (p *Published) Publish(ctx context.Context, st store.Site, r io.Reader) (m bundle.Manifest, updated bool, err error) {
	br, err := bundle.NewReader(r, nil)
	if err != nil {
		return m, false, err
	}
	m = br.Manifest()
	staged := map[string]*os.File{}
	defer func() {
		for _, f := range staged {
			f.Close()
			os.Remove(f.Name())
		}
		p.stampFolders()
	}()
	for {
		f, mr, err := br.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, false, err
		}
		tmp, err := os.CreateTemp(filepath.Join(p.root, "tmp"), "incoming-")
		if err != nil {
			return m, false, fmt.Errorf("site: %w", err)
		}
		staged[f.Name] = tmp
		if _, err := io.Copy(tmp, mr); err != nil {
			return m, false, err
		}
	}
	var files []store.DocumentFile
	var created []string
	for _, f := range m.Members() {
		sum, _ := br.Sum(f.Name)
		files = append(files, store.DocumentFile{Name: f.Name, SHA256: sum.SHA256, Size: sum.Size})
		final, err := p.path(sum.SHA256)
		if err != nil {
			return m, false, err
		}
		tmp := staged[f.Name]
		if _, err := os.Stat(final); err == nil {
			continue // the same bytes are published already
		}
		if err := tmp.Sync(); err != nil {
			return m, false, fmt.Errorf("site: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
			return m, false, fmt.Errorf("site: %w", err)
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return m, false, fmt.Errorf("site: %w", err)
		}
		created = append(created, sum.SHA256)
		p.stamp(final, filepath.Dir(final))
	}
	syncDir(p.root)
	for _, sum := range created {
		name, _ := p.path(sum)
		syncDir(filepath.Dir(name))
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		return m, false, fmt.Errorf("site: %w", err)
	}
	var old []string
	if d, err := st.DocumentBySlug(ctx, m.Slug); err == nil {
		for _, f := range d.Files {
			old = append(old, f.SHA256)
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		p.remove(ctx, st, created)
		return m, false, err
	}
	updated, err = st.SaveDocument(ctx, store.Document{Slug: m.Slug, Title: m.Title, Manifest: manifest, Files: files})
	if err != nil {
		p.remove(ctx, st, created)
		return m, false, err
	}
	old = slices.DeleteFunc(old, func(sum string) bool {
		return slices.ContainsFunc(files, func(f store.DocumentFile) bool { return f.SHA256 == sum })
	})
	return m, updated, p.remove(ctx, st, old)
}

// Unpublish takes a document off the site and removes the files no other
// document holds.
func (p *Published) Unpublish(ctx context.Context, st store.Site, slug string) error {
	files, err := st.DeleteDocument(ctx, slug)
	if err != nil {
		return err
	}
	defer p.stampFolders()
	var sums []string
	for _, f := range files {
		sums = append(sums, f.SHA256)
	}
	return p.remove(ctx, st, sums)
}

func syncDir(name string) {
	if d, err := os.Open(name); err == nil {
		d.Sync()
		d.Close()
	}
}
