package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"confide/internal/blob"
	"confide/internal/store"

	"filippo.io/age"
)

// Target is where a restore goes.
type Target struct {
	// Data is the data folder; it must be missing or empty.
	Data string
	// Open opens the empty store to load, given the folder being filled
	// (the SQLite file goes inside it; PostgreSQL ignores it).
	Open func(ctx context.Context, folder string) (*store.DB, error)
	// NewsroomKey is where the API signing key file goes, for a snapshot
	// that carries one (serve --newsroom-key); it must not exist.
	NewsroomKey string
}

var (
	dbEntry   = regexp.MustCompile(`^db/([a-z0-9_]+)\.[0-9]{6}\.jsonl$`)
	blobEntry = regexp.MustCompile(`^blobs/([0-9a-f]{2})/([0-9a-f]{32})\.age$`)
)

// Restore reads a snapshot from r with the identities and writes it to the
// target. Nothing is left behind unless every check passes.
//
// A new folder is filled beside the target and renamed into place whole. An
// existing empty one (a mount point, say, with only lost+found) is filled
// inside, in a hidden folder whose entries are renamed up at the end.
func Restore(ctx context.Context, r io.Reader, ids []age.Identity, t Target) (Manifest, error) {
	entries, err := os.ReadDir(t.Data)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	for _, e := range entries {
		if e.Name() != "lost+found" {
			return Manifest{}, fmt.Errorf("backup: the data folder %s is not empty: restore only into a new or empty folder", t.Data)
		}
	}
	parent, pattern := t.Data, ".restore-"
	if !exists {
		parent, pattern = filepath.Dir(filepath.Clean(t.Data)), "."+filepath.Base(t.Data)+".restore-"
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return Manifest{}, fmt.Errorf("backup: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(parent, pattern)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	m, err := restoreInto(ctx, r, ids, tmp, t)
	if err != nil {
		return m, err
	}
	if err := blob.SyncDir(tmp); err != nil {
		return m, err
	}
	// The database may be committed already (PostgreSQL): from here on,
	// files that cannot be moved are kept where they are, not lost.
	keep = true
	moved := func(err error) error {
		return fmt.Errorf("backup: the database is restored but its files could not all be moved from %s to %s: %w", tmp, t.Data, err)
	}
	if !exists {
		if err := os.Rename(tmp, t.Data); err != nil {
			return m, moved(err)
		}
		return m, blob.SyncDir(parent)
	}
	names, err := os.ReadDir(tmp)
	if err != nil {
		return m, moved(err)
	}
	// The database first: a server started on a half-moved folder then
	// never takes the blobs for orphans.
	slices.SortStableFunc(names, func(a, b os.DirEntry) int {
		return boolCmp(!strings.HasPrefix(a.Name(), "confide.db"), !strings.HasPrefix(b.Name(), "confide.db"))
	})
	for _, e := range names {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(t.Data, e.Name())); err != nil {
			return m, moved(err)
		}
	}
	if err := os.Remove(tmp); err != nil {
		return m, moved(err)
	}
	return m, blob.SyncDir(t.Data)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func restoreInto(ctx context.Context, r io.Reader, ids []age.Identity, dir string, t Target) (Manifest, error) {
	var m Manifest
	ar, err := age.Decrypt(r, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return m, errors.New("backup: none of the given identities opens this snapshot: it was encrypted to another key")
		}
		return m, fmt.Errorf("backup: this is not an age-encrypted snapshot, or its header is damaged: %w", err)
	}
	tr := tar.NewReader(ar)
	damaged := func(err error) error {
		return fmt.Errorf("backup: the snapshot is damaged, cut short or was tampered with (%v); nothing was restored", err)
	}
	hdr, err := tr.Next()
	if err != nil {
		return m, damaged(err)
	}
	if hdr.Name != "manifest.json" {
		return m, errors.New("backup: this is not a Confide snapshot (its first entry is not manifest.json)")
	}
	if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&m); err != nil {
		return m, damaged(err)
	}
	if m.Format > Format {
		return m, fmt.Errorf("backup: the snapshot's format %d is newer than this confide's %d: restore it with a newer confide", m.Format, Format)
	}
	if m.Format < 1 {
		return m, errors.New("backup: this is not a Confide snapshot (no format version)")
	}
	switch {
	case m.NewsroomKey && t.NewsroomKey == "":
		return m, errors.New("backup: this snapshot carries the newsroom's API signing key file (serve --newsroom-key): say where it goes with --newsroom-key FILE")
	case !m.NewsroomKey && t.NewsroomKey != "":
		return m, errors.New("backup: this snapshot carries no newsroom key file: its API signing key is in the database; leave out --newsroom-key")
	}
	if t.NewsroomKey != "" {
		if _, err := os.Lstat(t.NewsroomKey); err == nil {
			return m, fmt.Errorf("backup: %s exists: restore never overwrites a key", t.NewsroomKey)
		}
	}
	// The rows go into the schema they were dumped from; opening the store
	// again afterwards runs the migrations since.
	st, err := t.Open(store.AtSchema(ctx, m.Schema), dir)
	if err != nil {
		return m, err
	}
	defer st.Close()
	l, err := st.Load(ctx, m.Schema)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer l.Rollback()
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		return m, err
	}
	order := map[string]int{}
	for i, tb := range m.Tables {
		order[tb.Name] = i
	}
	table, files := -1, 0
	var got []string
	var key []byte
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, damaged(err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("backup: unexpected entry %q in the snapshot", hdr.Name)
		}
		if sub := dbEntry.FindStringSubmatch(hdr.Name); sub != nil {
			i, ok := order[sub[1]]
			// Tables come in the manifest's order, parents first.
			if !ok || i < table || len(got) > 0 || files > 0 {
				return m, fmt.Errorf("backup: unexpected entry %q in the snapshot", hdr.Name)
			}
			table = i
			if err := loadRows(ctx, l, m.Tables[i], tr, damaged); err != nil {
				return m, err
			}
			continue
		}
		if sub := blobEntry.FindStringSubmatch(hdr.Name); sub != nil && sub[2][:2] == sub[1] {
			if _, err := blobs.Put(sub[2], tr); err != nil {
				return m, damagedOr(err, damaged)
			}
			got = append(got, sub[2])
			continue
		}
		if rel, ok := strings.CutPrefix(hdr.Name, "files/"); ok && inFolders(rel) {
			if err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), tr); err != nil {
				return m, damagedOr(err, damaged)
			}
			files++
			continue
		}
		if hdr.Name == keyEntry && m.NewsroomKey && key == nil && hdr.Size <= maxKeyFile {
			if key, err = io.ReadAll(tr); err != nil {
				return m, damaged(err)
			}
			continue
		}
		return m, fmt.Errorf("backup: unexpected entry %q in the snapshot", hdr.Name)
	}
	// The tar end is not the age stream's end: read on so that a cut or
	// altered final chunk is caught.
	if _, err := io.Copy(io.Discard, ar); err != nil {
		return m, damaged(err)
	}
	want, err := l.Blobs(ctx)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	slices.Sort(got)
	if len(got) != m.Blobs || !slices.Equal(got, want) {
		missing, extra := diff(want, got), diff(got, want)
		return m, fmt.Errorf("backup: the snapshot's blobs do not match its database (%d missing, %d not referenced, %d of %d in the manifest); nothing was restored",
			len(missing), len(extra), len(got), m.Blobs)
	}
	if files != m.Files {
		return m, fmt.Errorf("backup: the snapshot holds %d key files, its manifest says %d; nothing was restored", files, m.Files)
	}
	if m.NewsroomKey != (key != nil) {
		return m, errors.New("backup: the snapshot's manifest names a newsroom key file it does not hold; nothing was restored")
	}
	if key != nil {
		if err := writeFile(t.NewsroomKey, bytes.NewReader(key)); err != nil {
			return m, fmt.Errorf("backup: writing the newsroom key file: %w", err)
		}
	}
	if err := l.Commit(ctx, m.Tables); err != nil {
		if key != nil {
			os.Remove(t.NewsroomKey)
		}
		return m, fmt.Errorf("backup: %w", err)
	}
	st.Close()
	up, err := t.Open(ctx, dir)
	if err != nil {
		return m, fmt.Errorf("backup: the snapshot's rows are in, but upgrading them from schema %d failed: %w", m.Schema, err)
	}
	return m, up.Close()
}

// damagedOr reports a read error of the snapshot as damage, and a write
// error as itself.
func damagedOr(err error, damaged func(error) error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return err
	}
	return damaged(err)
}

// loadRows decodes one db entry's JSON rows into the loader. An error
// reading the entry (age's authentication) is damage, not a bad row.
func loadRows(ctx context.Context, l *store.Loader, t store.Table, r io.Reader, damaged func(error) error) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var raw []json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &syntax) && !errors.As(err, &typ) {
			return damaged(err)
		}
		if err != nil {
			return fmt.Errorf("backup: table %s: a row is not valid: %w", t.Name, err)
		}
		if len(raw) != len(t.Columns) {
			return fmt.Errorf("backup: table %s: a row has %d values, not %d", t.Name, len(raw), len(t.Columns))
		}
		row := make([]any, len(raw))
		for i, v := range raw {
			if row[i], err = decodeValue(t.Columns[i], v); err != nil {
				return fmt.Errorf("backup: table %s: %w", t.Name, err)
			}
		}
		if err := l.Insert(ctx, t, row); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
}

func decodeValue(c store.Column, v json.RawMessage) (any, error) {
	if bytes.Equal(v, []byte("null")) {
		return nil, nil
	}
	switch c.Kind {
	case store.KindInt:
		// Into an int64, not a json.Number, which would take "12" too.
		var n int64
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		return n, nil
	case store.KindText:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		return s, nil
	case store.KindBytes:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, fmt.Errorf("column %s has an unknown kind %q", c.Name, c.Kind)
}

func writeFile(p string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// diff lists what is in a but not b; both sorted.
func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}
