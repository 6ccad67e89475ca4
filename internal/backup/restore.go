package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"cmp"
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
	dbEntry = regexp.MustCompile(`^db/([a-z0-9_]+)\.[0-9]{6}\.jsonl$`)
	// The folder is the name's first two digits.
	blobEntry = regexp.MustCompile(`^blobs/(?:[0-9a-f]{2})/([0-9a-f]{32})\.age$`)
)

// sink is one zone's restore: what differs between the newsroom's data
// folder and the archive's.
type sink struct {
	zone string
	// wrongZone explains a snapshot of another zone.
	wrongZone string
	// dbFile is the SQLite file's name, moved into place first.
	dbFile string
	// open opens the empty database to load, at the schema under ctx,
	// given the folder being filled.
	open func(ctx context.Context, dir string) (*loading, error)
	// refs are the kinds of files the rows reference, in the order of the
	// schema's Refs and of the snapshot.
	refs []refSink
	// inFiles reports whether a path under files/ is one restore may write.
	inFiles func(rel string) bool
	// newsroomKey is where the API signing key file goes ("" for none).
	newsroomKey string
	// finish runs once the rows are committed: it opens the store again,
	// which upgrades an older schema, and rebuilds what is derived.
	finish func(ctx context.Context, dir string, m Manifest) error
}

// refSink is a kind of referenced file as restore reads it.
type refSink struct {
	// what names them ("blobs", "originals", "redacted copies").
	what string
	// entry matches one's entry; its first group is the file's name,
	// which path must turn back into the same entry.
	entry *regexp.Regexp
	path  func(name string) string
	// count is the manifest's count of them.
	count func(m *Manifest) int
}

// loading is an opened, empty target store.
type loading struct {
	schema store.Schema
	close  func() error
	// putRef writes a referenced file of a kind (an index in
	// sink.refs) into the folder being filled, checking what the name
	// promises.
	putRef func(kind int, name string, r io.Reader) error
}

// Restore reads a snapshot from r with the identities and writes it to the
// target. Nothing is left behind unless every check passes.
//
// A new folder is filled beside the target and renamed into place whole. An
// existing empty one (a mount point, say, with only lost+found) is filled
// inside, in a hidden folder whose entries are renamed up at the end.
func Restore(ctx context.Context, r io.Reader, ids []age.Identity, t Target) (Manifest, error) {
	return restoreZone(ctx, r, ids, t.Data, sink{
		zone:      ZoneNewsroom,
		wrongZone: "backup: this is a snapshot of an archive (confide archive backup): restore it with confide archive restore",
		dbFile:    "confide.db",
		open: func(ctx context.Context, dir string) (*loading, error) {
			st, err := t.Open(ctx, dir)
			if err != nil {
				return nil, err
			}
			blobs, err := blob.Open(filepath.Join(dir, "blobs"))
			if err != nil {
				st.Close()
				return nil, err
			}
			return &loading{schema: st.Schema(), close: st.Close, putRef: func(_ int, name string, r io.Reader) error {
				_, err := blobs.Put(name, r)
				return err
			}}, nil
		},
		refs:        []refSink{{what: "blobs", entry: blobEntry, path: blobPath, count: func(m *Manifest) int { return m.Blobs }}},
		inFiles:     inFolders,
		newsroomKey: t.NewsroomKey,
		finish: func(ctx context.Context, dir string, _ Manifest) error {
			up, err := t.Open(ctx, dir)
			if err != nil {
				return err
			}
			return up.Close()
		},
	})
}

// restoreZone is Restore for any zone.
func restoreZone(ctx context.Context, r io.Reader, ids []age.Identity, data string, sk sink) (Manifest, error) {
	entries, err := os.ReadDir(data)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	for _, e := range entries {
		if e.Name() != "lost+found" {
			return Manifest{}, fmt.Errorf("backup: the data folder %s is not empty: restore only into a new or empty folder", data)
		}
	}
	parent, pattern := data, ".restore-"
	if !exists {
		parent, pattern = filepath.Dir(filepath.Clean(data)), "."+filepath.Base(data)+".restore-"
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
	m, err := restoreInto(ctx, r, ids, tmp, sk)
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
		return fmt.Errorf("backup: the database is restored but its files could not all be moved from %s to %s: %w", tmp, data, err)
	}
	if !exists {
		if err := os.Rename(tmp, data); err != nil {
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
		return boolCmp(!strings.HasPrefix(a.Name(), sk.dbFile), !strings.HasPrefix(b.Name(), sk.dbFile))
	})
	for _, e := range names {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(data, e.Name())); err != nil {
			return m, moved(err)
		}
	}
	if err := os.Remove(tmp); err != nil {
		return m, moved(err)
	}
	return m, blob.SyncDir(data)
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

func restoreInto(ctx context.Context, r io.Reader, ids []age.Identity, dir string, sk sink) (Manifest, error) {
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
	if zone := cmp.Or(m.Zone, ZoneNewsroom); zone != sk.zone {
		return m, errors.New(sk.wrongZone)
	}
	switch {
	case m.NewsroomKey && sk.newsroomKey == "":
		return m, errors.New("backup: this snapshot carries the newsroom's API signing key file (serve --newsroom-key): say where it goes with --newsroom-key FILE")
	case !m.NewsroomKey && sk.newsroomKey != "":
		return m, errors.New("backup: this snapshot carries no newsroom key file: its API signing key is in the database; leave out --newsroom-key")
	}
	if sk.newsroomKey != "" {
		if _, err := os.Lstat(sk.newsroomKey); err == nil {
			return m, fmt.Errorf("backup: %s exists: restore never overwrites a key", sk.newsroomKey)
		}
	}
	// The rows go into the schema they were dumped from; opening the store
	// again afterwards runs the migrations since.
	ld, err := sk.open(store.AtSchema(ctx, m.Schema), dir)
	if err != nil {
		return m, err
	}
	closed := false
	closeStore := func() {
		if !closed {
			closed = true
			ld.close()
		}
	}
	defer closeStore()
	l, err := ld.schema.Load(ctx, m.Schema)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer l.Rollback()
	order := map[string]int{}
	for i, tb := range m.Tables {
		order[tb.Name] = i
	}
	table, files, kind := -1, 0, 0
	got := make([][]string, len(sk.refs))
	refs := 0
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
			if !ok || i < table || refs > 0 || files > 0 {
				return m, fmt.Errorf("backup: unexpected entry %q in the snapshot", hdr.Name)
			}
			table = i
			if err := loadRows(ctx, l, m.Tables[i], tr, damaged); err != nil {
				return m, err
			}
			continue
		}
		if k, name := refOf(sk.refs, hdr.Name); k >= kind && files == 0 {
			// Kinds come in order, each whole.
			kind = k
			if err := ld.putRef(k, name, tr); err != nil {
				return m, damagedOr(err, damaged)
			}
			got[k] = append(got[k], name)
			refs++
			continue
		}
		if rel, ok := strings.CutPrefix(hdr.Name, "files/"); ok && sk.inFiles(rel) {
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
	want, err := l.Refs(ctx)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if len(want) != len(sk.refs) {
		return m, fmt.Errorf("backup: the schema lists %d kinds of files, the restore knows %d", len(want), len(sk.refs))
	}
	for i, k := range sk.refs {
		slices.Sort(got[i])
		if len(got[i]) != k.count(&m) || !slices.Equal(got[i], want[i]) {
			missing, extra := diff(want[i], got[i]), diff(got[i], want[i])
			return m, fmt.Errorf("backup: the snapshot's %s do not match its database (%d missing, %d not referenced, %d of %d in the manifest); nothing was restored",
				k.what, len(missing), len(extra), len(got[i]), k.count(&m))
		}
	}
	if files != m.Files {
		return m, fmt.Errorf("backup: the snapshot holds %d files besides the database's, its manifest says %d; nothing was restored", files, m.Files)
	}
	if m.NewsroomKey != (key != nil) {
		return m, errors.New("backup: the snapshot's manifest names a newsroom key file it does not hold; nothing was restored")
	}
	if key != nil {
		if err := writeFile(sk.newsroomKey, bytes.NewReader(key)); err != nil {
			return m, fmt.Errorf("backup: writing the newsroom key file: %w", err)
		}
	}
	if err := l.Commit(ctx, m.Tables); err != nil {
		if key != nil {
			os.Remove(sk.newsroomKey)
		}
		return m, fmt.Errorf("backup: %w", err)
	}
	closeStore()
	if err := sk.finish(ctx, dir, m); err != nil {
		return m, fmt.Errorf("backup: the snapshot's rows are in, but opening them at this confide's schema (from %d) failed: %w", m.Schema, err)
	}
	return m, nil
}

// refOf finds the kind of referenced file an entry is and its name; -1
// for none.
func refOf(kinds []refSink, entry string) (int, string) {
	for i, k := range kinds {
		if sub := k.entry.FindStringSubmatch(entry); sub != nil && k.path(sub[1]) == entry {
			return i, sub[1]
		}
	}
	return -1, ""
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
	case store.KindReal:
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		return f, nil
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
