// Package backup writes and restores Confide snapshots: one age-encrypted
// tar stream holding a consistent dump of the database, the blobs it
// references, the data folder's keys and the site's published documents'
// files (public, but their rows need them). An archive's data folder
// (confide archive backup) is the same stream for its own database, its
// originals and its other files, marked with its zone; each zone's restore
// refuses the other's snapshot.
//
// Contract:
//
//   - A snapshot is the database at one instant (one read transaction,
//     dumped row by row through store.Snapshot) and exactly the blobs that
//     instant references. Blobs written later are not in it. The tables
//     are read from the schema itself (store.Schema), so a table a
//     migration adds is carried with no change here.
//   - An archive's snapshot carries every archive_* table but the search
//     engine's and the export jobs', exactly the originals archive_originals names and the
//     redacted copies archive_redactions names, each checked against its
//     SHA-256 as it is read and again as it is restored, and
//     every other file of its data folder but the database, index,
//     temporary files and lock. The index is rebuilt by the restore (for
//     the folder index or pgsearch, whichever the target uses), so a search
//     finds what it found before. The archive's data is plaintext: the
//     snapshot is encrypted as it is written, like every other.
//   - The whole snapshot is encrypted with standard age to the recipients
//     given (an offline admin key) while it is written: nothing is staged in
//     plaintext on disk, and the stock age and tar tools read it. A stolen
//     snapshot holds what a seized server holds, plus the onion service and
//     API signing keys, which is why it is encrypted to a key kept offline.
//   - It holds no exact time: tar entries are dated to the snapshot's day.
//   - Deletions are never held back for a backup: a blob deleted between the
//     snapshot and its copy makes the backup start again from a new
//     snapshot, so a snapshot never references a missing blob and never
//     brings back what a journalist deleted after it was taken.
//   - Restore writes into a new folder beside the target and one database
//     transaction, checks every row count and that the blobs (originals,
//     redacted copies) are exactly those the database references, and only
//     then commits and moves the folder into place: a damaged, cut or
//     foreign snapshot, or one of the other zone, leaves nothing.
package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"

	"filippo.io/age"
)

// Format is the snapshot layout version this package writes and reads.
const Format = 1

// Folders are the data folder's subtrees a snapshot carries besides the
// database and the blobs: the onion services' keys (tor's state and torrc
// are made again at start), a demo's journalist key, and the files of the
// documents published on the site (public; their rows name them).
var Folders = []string{"tor/dropbox", "tor/newsroom", "demo", "published"}

// staging is a folder under Folders that holds only files being written
// (a document publish in progress): never part of a snapshot.
const staging = "published/tmp"

// keyEntry holds the newsroom's API signing key file, when serve keeps it
// outside the database (--newsroom-key).
const keyEntry = "keys/newsroom-key"

// maxKeyFile bounds the key file read into memory (it holds a hex seed).
const maxKeyFile = 64 << 10

// Source is what a snapshot of the newsroom's data folder is taken of.
type Source struct {
	Store *store.DB
	// Data is the data folder: the blobs and Folders.
	Data string
	// NewsroomKey is serve's --newsroom-key file, if the API signing key
	// lives there rather than in the database; the snapshot carries it.
	NewsroomKey string
}

// Zones a snapshot is of.
const (
	ZoneNewsroom = "newsroom" // confide backup: the dropbox's and newsroom's data folder
	ZoneArchive  = "archive"  // confide archive backup
)

// Manifest is the snapshot's first entry.
type Manifest struct {
	Format int `json:"format"`
	// Zone is whose data folder it is of; "" (older snapshots) is the
	// newsroom's.
	Zone    string        `json:"zone,omitempty"`
	Schema  int           `json:"schema"`
	Backend string        `json:"backend"`
	Day     string        `json:"day"`
	Tables  []store.Table `json:"tables"`
	// Blobs counts the files the rows reference: the newsroom's blobs, the
	// archive's originals.
	Blobs int `json:"blobs"`
	// Redacted counts an archive's redacted copies (archive_redactions).
	Redacted int `json:"redacted,omitempty"`
	// Files counts the other files carried (onion keys, …).
	Files int `json:"files"`
	// NewsroomKey says the snapshot carries the API signing key file.
	NewsroomKey bool `json:"newsroom_key,omitempty"`
}

// Rows returns a table's row count.
func (m Manifest) Rows(table string) int64 {
	for _, t := range m.Tables {
		if t.Name == table {
			return t.Rows
		}
	}
	return 0
}

// rows is the number of rows a snapshot holds.
func rows(m Manifest) int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Summary is one line saying what a snapshot holds.
func (m Manifest) Summary() string {
	tail := fmt.Sprintf("%d rows in %d tables (%s, schema %d, %s)", rows(m), len(m.Tables), m.Backend, m.Schema, m.Day)
	if m.Zone == ZoneArchive {
		return fmt.Sprintf("%d collections, %d files ingested, %d documents, %d pages, %d translations, %d users, %d custody events, %d originals, %d redacted copies, %d other files; %s",
			m.Rows("archive_collections"), m.Rows("archive_entries"), m.Rows("archive_documents"), m.Rows("archive_pages"), m.Rows("archive_translations"),
			m.Rows("archive_users"), m.Rows("archive_events"), m.Blobs, m.Redacted, m.Files, tail)
	}
	key := ""
	if m.NewsroomKey {
		key = " and the newsroom key file"
	}
	return fmt.Sprintf("%d sources, %d items, %d journalists, %d blobs, %d key files%s; %s",
		m.Rows("sources"), m.Rows("items"), m.Rows("journalists"), m.Blobs, m.Files, key, tail)
}

// chunk bounds the rows buffered for one tar entry: a tar header needs the
// entry's size before its bytes.
const chunk = 1 << 20

// attempts bounds how often a backup starts again after a deletion raced it.
const attempts = 3

// afterSnapshot, when set by a test, runs between the dump and the blobs.
var afterSnapshot func()

// errRaced means a file was deleted after the snapshot: one the rows
// referenced (a blob), or one listed to be carried.
var errRaced = fmt.Errorf("backup: files were deleted while the backup ran, %d times in a row: run it again", attempts)

// put writes one tar entry of size bytes read from body.
type put func(name string, size int64, body io.Reader) error

// shot is one data folder to take a snapshot of: what differs between the
// newsroom's and the archive's.
type shot struct {
	zone   string
	schema store.Schema
	// files lists the other files to carry, slash-separated, relative to
	// data (read once the rows are dumped).
	data  string
	files func() ([]string, error)
	// refs are the kinds of files the rows reference, in the order of
	// the schema's Refs.
	refs []refKind
	// key is the newsroom key file's bytes, nil for none.
	key []byte
}

// refKind is a kind of file the rows reference.
type refKind struct {
	// what names one ("blob", "original", "redacted copy").
	what string
	// open opens one in the live folder (ok false when it is missing),
	// and referenced asks the rows again about one found missing.
	open       func(name string) (f *os.File, ok bool, err error)
	referenced func(ctx context.Context, name string) (bool, error)
	path       func(name string) string
	// hashed says a file's name is its SHA-256, checked as it is read.
	hashed bool
	// count is the manifest's count of them.
	count func(m *Manifest) *int
}

// WriteFile writes a snapshot of the store and the data folder to file
// (through file.tmp, fsynced, then renamed), starting again if a deletion
// races it.
func WriteFile(ctx context.Context, file string, src Source, to []age.Recipient) (Manifest, error) {
	return writeSnapshot(file, to, func(w io.Writer) (Manifest, error) { return Write(ctx, w, src, to) })
}

// writeSnapshot writes a snapshot through file.tmp, fsynced, then renamed,
// calling write again (on an emptied file) if a deletion raced it.
func writeSnapshot(file string, to []age.Recipient, write func(io.Writer) (Manifest, error)) (Manifest, error) {
	if len(to) == 0 {
		return Manifest{}, seal.ErrNoRecipients
	}
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	fail := func(err error) (Manifest, error) {
		f.Close()
		os.Remove(tmp)
		return Manifest{}, err
	}
	var m Manifest
	for i := 0; ; i++ {
		bw := bufio.NewWriterSize(f, 1<<20)
		m, err = write(bw)
		if err == nil {
			err = bw.Flush()
		}
		if !errors.Is(err, errRaced) || i == attempts-1 {
			break
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fail(fmt.Errorf("backup: %w", err))
		}
		if err := f.Truncate(0); err != nil {
			return fail(fmt.Errorf("backup: %w", err))
		}
	}
	if err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("backup: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	return m, blob.SyncDir(filepath.Dir(file))
}

// Write streams one snapshot to w, encrypted to the recipients.
func Write(ctx context.Context, w io.Writer, src Source, to []age.Recipient) (Manifest, error) {
	st, data := src.Store, src.Data
	var key []byte
	if src.NewsroomKey != "" {
		// Read first: a missing key file fails before anything is written.
		f, err := os.Open(src.NewsroomKey)
		if err != nil {
			return Manifest{}, fmt.Errorf("backup: the newsroom key file: %w", err)
		}
		key, err = io.ReadAll(io.LimitReader(f, maxKeyFile+1))
		f.Close()
		if err != nil || len(key) > maxKeyFile {
			return Manifest{}, fmt.Errorf("backup: %s is not a newsroom key file (%v)", src.NewsroomKey, err)
		}
	}
	blobs := blob.Existing(filepath.Join(data, "blobs"))
	return writeShot(ctx, w, shot{zone: ZoneNewsroom, schema: st.Schema(), data: data, key: key,
		files: func() ([]string, error) { return listFiles(data, Folders, inStaging) },
		refs: []refKind{{what: "blob", path: blobPath, referenced: st.BlobReferenced, count: func(m *Manifest) *int { return &m.Blobs },
			open: func(name string) (*os.File, bool, error) {
				f, err := blobs.Open(name)
				if errors.Is(err, blob.ErrNotFound) {
					return nil, false, nil
				}
				return f, err == nil, err
			},
		}},
	}, to)
}

// writeShot streams one snapshot of sh to w, encrypted to the recipients: the
// manifest, the rows of one read transaction, the files they reference,
// the other files.
func writeShot(ctx context.Context, w io.Writer, sh shot, to []age.Recipient) (Manifest, error) {
	sn, err := sh.schema.Snapshot(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer sn.Close()
	day := store.Today()
	m := Manifest{Format: Format, Zone: sh.zone, Schema: sn.Version, Backend: sn.Backend(), Day: day.Time().Format("2006-01-02"), Tables: sn.Tables, NewsroomKey: sh.key != nil}
	names, err := sn.Refs(ctx)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if len(names) != len(sh.refs) {
		return m, fmt.Errorf("backup: the schema lists %d kinds of files, the backup knows %d", len(names), len(sh.refs))
	}
	for i, k := range sh.refs {
		*k.count(&m) = len(names[i])
	}
	files, err := sh.files()
	if err != nil {
		return m, err
	}
	m.Files = len(files)

	aw, err := seal.Encrypt(w, to)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(aw)
	put := func(name string, size int64, body io.Reader) error {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: day.Time(), Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
		if _, err := io.CopyN(tw, body, size); err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
		return nil
	}
	mb, _ := json.Marshal(m)
	if err := put("manifest.json", int64(len(mb)), bytes.NewReader(mb)); err != nil {
		return m, err
	}
	for _, t := range sn.Tables {
		if err := writeTable(ctx, sn, t, put); err != nil {
			return m, err
		}
	}
	// The rows are out; the read transaction need not pin old pages while
	// the files are copied.
	sn.Close()
	if afterSnapshot != nil {
		afterSnapshot()
	}
	for i, k := range sh.refs {
		for _, name := range names[i] {
			if err := writeRef(ctx, k, name, put); err != nil {
				return m, err
			}
		}
	}
	for _, rel := range files {
		f, err := os.Open(filepath.Join(sh.data, filepath.FromSlash(rel)))
		if errors.Is(err, fs.ErrNotExist) {
			// Gone since the listing, which the manifest counted.
			return m, errRaced
		}
		if err != nil {
			return m, fmt.Errorf("backup: %w", err)
		}
		info, err := f.Stat()
		if err == nil {
			err = put("files/"+rel, info.Size(), f)
		}
		f.Close()
		if err != nil {
			return m, err
		}
	}
	if sh.key != nil {
		if err := put(keyEntry, int64(len(sh.key)), bytes.NewReader(sh.key)); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// writeTable writes a table as db/<table>.<n>.jsonl entries of at most
// about chunk bytes, one JSON array per row.
func writeTable(ctx context.Context, sn *store.Snapshot, t store.Table, put put) error {
	var buf bytes.Buffer
	n := 0
	flush := func(force bool) error {
		if buf.Len() == 0 && !force {
			return nil
		}
		n++
		err := put(fmt.Sprintf("db/%s.%06d.jsonl", t.Name, n), int64(buf.Len()), &buf)
		buf.Reset()
		return err
	}
	enc := rowEncoder(&buf)
	err := sn.Rows(ctx, t, func(row []any) error {
		if err := enc.Encode(row); err != nil {
			return fmt.Errorf("backup: %s: %w", t.Name, err)
		}
		if buf.Len() >= chunk {
			return flush(false)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Every table has at least one entry, so an empty one is seen too.
	return flush(n == 0)
}

// rowEncoder writes rows as restore's decodeValue reads them: one JSON
// array a line; bytes as base64, text as is.
func rowEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// writeRef writes one file the rows reference; errRaced when it is gone
// and the rows no longer name it (a deletion raced the backup).
func writeRef(ctx context.Context, k refKind, name string, put put) error {
	f, ok, err := k.open(name)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if !ok {
		still, err := k.referenced(ctx, name)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if !still {
			return errRaced
		}
		return fmt.Errorf("backup: %s %s is referenced by the database but missing from the data folder: the data folder is damaged", k.what, name)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	var body io.Reader = f
	if k.hashed {
		body = io.TeeReader(f, h)
	}
	if err := put(k.path(name), info.Size(), body); err != nil {
		return err
	}
	if k.hashed && hex.EncodeToString(h.Sum(nil)) != name {
		return fmt.Errorf("backup: %s %s in the data folder no longer has that SHA-256: the data folder is damaged (put the file back from another copy)", k.what, name)
	}
	return nil
}

// blobPath is a blob's entry in a snapshot.
func blobPath(name string) string { return "blobs/" + name[:2] + "/" + name + ".age" }

// listFiles lists the regular files under the roots of data,
// slash-separated and relative to it, leaving out what skip names (nil:
// nothing) and the whole of a folder it names; a missing root has none.
func listFiles(data string, roots []string, skip func(rel string) bool) ([]string, error) {
	var out []string
	for _, dir := range roots {
		root := filepath.Join(data, filepath.FromSlash(dir))
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return nil
			}
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(data, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if skip != nil && rel != "." && skip(rel) {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if e.Type().IsRegular() {
				out = append(out, rel)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	return out, nil
}

// inStaging reports whether a path is the staging folder or in it.
func inStaging(rel string) bool { return rel == staging || strings.HasPrefix(rel, staging+"/") }

// localPath reports whether a snapshot's path stays inside the folder it
// is restored to, and is written as the walk wrote it.
func localPath(rel string) bool {
	return filepath.IsLocal(filepath.FromSlash(rel)) && path.Clean(rel) == rel
}

// inFolders reports whether a snapshot's file path is one Restore may write.
func inFolders(rel string) bool {
	if !localPath(rel) {
		return false
	}
	if inStaging(rel) {
		return false
	}
	for _, dir := range Folders {
		if strings.HasPrefix(rel, dir+"/") {
			return true
		}
	}
	return false
}
