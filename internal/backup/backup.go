// Package backup writes and restores Confide snapshots: one age-encrypted
// tar stream holding a consistent dump of the database, the blobs it
// references, the data folder's keys and the site's published documents'
// files (public, but their rows need them).
//
// Contract:
//
//   - A snapshot is the database at one instant (one read transaction,
//     dumped row by row through store.Snapshot) and exactly the blobs that
//     instant references. Blobs written later are not in it.
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
//     transaction, checks every row count and that the blobs are exactly
//     those the database references, and only then commits and moves the
//     folder into place: a damaged, cut or foreign snapshot leaves nothing.
package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
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

// Source is what a snapshot is taken of.
type Source struct {
	Store *store.DB
	// Data is the data folder: the blobs and Folders.
	Data string
	// NewsroomKey is serve's --newsroom-key file, if the API signing key
	// lives there rather than in the database; the snapshot carries it.
	NewsroomKey string
}

// Manifest is the snapshot's first entry.
type Manifest struct {
	Format  int           `json:"format"`
	Schema  int           `json:"schema"`
	Backend string        `json:"backend"`
	Day     string        `json:"day"`
	Tables  []store.Table `json:"tables"`
	Blobs   int           `json:"blobs"`
	Files   int           `json:"files"`
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

// Summary is one line saying what a snapshot holds.
func (m Manifest) Summary() string {
	var total int64
	for _, t := range m.Tables {
		total += t.Rows
	}
	key := ""
	if m.NewsroomKey {
		key = " and the newsroom key file"
	}
	return fmt.Sprintf("%d sources, %d items, %d journalists, %d blobs, %d key files%s; %d rows in %d tables (%s, schema %d, %s)",
		m.Rows("sources"), m.Rows("items"), m.Rows("journalists"), m.Blobs, m.Files, key, total, len(m.Tables), m.Backend, m.Schema, m.Day)
}

// chunk bounds the rows buffered for one tar entry: a tar header needs the
// entry's size before its bytes.
const chunk = 1 << 20

// attempts bounds how often a backup starts again after a deletion raced it.
const attempts = 3

// afterSnapshot, when set by a test, runs between the dump and the blobs.
var afterSnapshot func()

// errRaced means a referenced blob was deleted after the snapshot.
var errRaced = fmt.Errorf("backup: blobs were deleted while the backup ran, %d times in a row: run it again", attempts)

// WriteFile writes a snapshot of the store and the data folder to file
// (through file.tmp, fsynced, then renamed), starting again if a deletion
// races it.
func WriteFile(ctx context.Context, file string, src Source, to []age.Recipient) (Manifest, error) {
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
		m, err = Write(ctx, bw, src, to)
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
	sn, err := st.Snapshot(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer sn.Close()
	day := store.Today()
	m := Manifest{Format: Format, Schema: sn.Version, Backend: sn.Backend(), Day: day.Time().Format("2006-01-02"), Tables: sn.Tables, NewsroomKey: key != nil}
	names, err := sn.Blobs(ctx)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	m.Blobs = len(names)
	files, err := listFiles(data)
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
	// the blobs are copied.
	sn.Close()
	if afterSnapshot != nil {
		afterSnapshot()
	}
	blobs := blob.Existing(filepath.Join(data, "blobs"))
	for _, name := range names {
		if err := writeBlob(ctx, st, blobs, name, put); err != nil {
			return m, err
		}
	}
	for _, rel := range files {
		f, err := os.Open(filepath.Join(data, filepath.FromSlash(rel)))
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
	if key != nil {
		if err := put(keyEntry, int64(len(key)), bytes.NewReader(key)); err != nil {
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
func writeTable(ctx context.Context, sn *store.Snapshot, t store.Table, put func(string, int64, io.Reader) error) error {
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

func writeBlob(ctx context.Context, st *store.DB, blobs *blob.Dir, name string, put func(string, int64, io.Reader) error) error {
	f, err := blobs.Open(name)
	if errors.Is(err, blob.ErrNotFound) {
		still, rerr := st.BlobReferenced(ctx, name)
		if rerr != nil {
			return fmt.Errorf("backup: %w", rerr)
		}
		if !still {
			return errRaced
		}
		return fmt.Errorf("backup: blob %s is referenced by the database but missing from the data folder: the data folder is damaged", name)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return put("blobs/"+name[:2]+"/"+name+".age", info.Size(), f)
}

// listFiles lists the regular files under Folders, slash-separated and
// relative to the data folder.
func listFiles(data string) ([]string, error) {
	var out []string
	for _, dir := range Folders {
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
			if e.IsDir() && filepath.ToSlash(rel) == staging {
				return filepath.SkipDir
			}
			if !e.Type().IsRegular() {
				return nil
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	return out, nil
}

// inFolders reports whether a snapshot's file path is one Restore may write.
func inFolders(rel string) bool {
	if !filepath.IsLocal(filepath.FromSlash(rel)) || path.Clean(rel) != rel {
		return false
	}
	if strings.HasPrefix(rel, staging+"/") {
		return false
	}
	for _, dir := range Folders {
		if strings.HasPrefix(rel, dir+"/") {
			return true
		}
	}
	return false
}
