package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"confide/internal/archive"

	"filippo.io/age"
)

// The archive's snapshot (confide archive backup) is the same stream as
// the newsroom's, with Zone "archive": its rows (every archive_* table but
// the search engine's and the web's export jobs), the originals archive_originals names and the
// redacted copies archive_redactions names, each checked against its
// SHA-256 on the way out and on the way in, and every other file of its
// data folder (files/…). The search index is not
// carried: it is derived from the rows, and a restore into PostgreSQL
// (pgsearch) needs it rebuilt anyway, so every restore rebuilds it.

// notCarried are the paths of an archive's data folder that a snapshot
// does not carry as files: the database (in the rows), the originals
// and redacted copies (carried as such), the index (rebuilt), temporary files, the lock, and
// tor's state and torrc (made again at start; its service keys are
// carried).
var notCarried = []string{archive.DBFile, archive.DBFile + "-wal", archive.DBFile + "-shm", archive.DBFile + "-journal", "lock", "tmp", "index", "originals",
	"redacted", "tor/state", "tor/torrc"}

var (
	originalEntry = regexp.MustCompile(`^originals/(?:[0-9a-f]{2})/([0-9a-f]{64})$`)
	redactedEntry = regexp.MustCompile(`^redacted/(?:[0-9a-f]{2})/([0-9a-f]{64})$`)
)

func originalPath(sum string) string { return "originals/" + sum[:2] + "/" + sum }
func redactedPath(sum string) string { return "redacted/" + sum[:2] + "/" + sum }

// archiveFiles are the kinds of files an archive's rows reference: its
// originals and its redacted copies, both named by their SHA-256 (the
// order of archive.DumpSchema's Refs).
var archiveFiles = []struct {
	what, one, whats string
	entry            *regexp.Regexp
	path             func(sum string) string
	file             func(dir, sum string) string
	count            func(m *Manifest) *int
}{
	{"original", "an original", "originals", originalEntry, originalPath, archive.OriginalFile, func(m *Manifest) *int { return &m.Blobs }},
	{"redacted copy", "a redacted copy", "redacted copies", redactedEntry, redactedPath, archive.RedactedFile, func(m *Manifest) *int { return &m.Redacted }},
}

// ArchiveSource is an archive to take a snapshot of.
type ArchiveSource struct {
	// Archive is open for its rows only (archive.Config.RowsOnly), so the
	// backup runs beside archive serve and the workers.
	Archive *archive.Archive
	// Data is its data folder.
	Data string
}

// WriteArchiveFile writes a snapshot of an archive to file (through
// file.tmp, fsynced, then renamed); file must be outside the data folder,
// whose every file the snapshot carries.
func WriteArchiveFile(ctx context.Context, file string, src ArchiveSource, to []age.Recipient) (Manifest, error) {
	out, err1 := filepath.Abs(file)
	data, err2 := filepath.Abs(src.Data)
	if err := errors.Join(err1, err2); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if rel, err := filepath.Rel(data, out); err == nil && filepath.IsLocal(rel) {
		return Manifest{}, fmt.Errorf("backup: %s is inside the archive's data folder %s: write the snapshot elsewhere", file, src.Data)
	}
	m, err := writeSnapshot(file, to, func(w io.Writer) (Manifest, error) { return WriteArchive(ctx, w, src, to) })
	if err != nil {
		return m, err
	}
	// A snapshot is an export of the whole archive: the log says who took
	// it and which keys open it (after the instant, so not in it).
	var keys []string
	for _, r := range to {
		if s, ok := r.(fmt.Stringer); ok {
			keys = append(keys, s.String())
		}
	}
	a := src.Archive
	detail := fmt.Sprintf("%s: %d originals, %d rows, encrypted to %s", file, m.Blobs, rows(m), strings.Join(keys, ", "))
	if err := a.Audit(ctx, a.Operator(), "backup", detail); err != nil {
		return m, fmt.Errorf("backup: the snapshot is written, but the audit log could not record it: %w", err)
	}
	return m, nil
}

// WriteArchive streams one snapshot of an archive to w, encrypted to the
// recipients.
func WriteArchive(ctx context.Context, w io.Writer, src ArchiveSource, to []age.Recipient) (Manifest, error) {
	a := src.Archive
	return writeShot(ctx, w, shot{zone: ZoneArchive, schema: a.DumpSchema(), data: src.Data,
		files: func() ([]string, error) {
			return listFiles(src.Data, []string{"."}, func(rel string) bool { return !archiveCarries(rel) })
		},
		refs: archiveRefs(a, src.Data),
	}, to)
}

func archiveRefs(a *archive.Archive, data string) []refKind {
	referenced := []func(context.Context, string) (bool, error){a.OriginalReferenced, a.RedactedReferenced}
	var out []refKind
	for i, f := range archiveFiles {
		out = append(out, refKind{what: f.what, path: f.path, referenced: referenced[i], hashed: true, count: f.count,
			open: func(sum string) (*os.File, bool, error) {
				fl, err := os.Open(f.file(data, sum))
				if errors.Is(err, fs.ErrNotExist) {
					return nil, false, nil
				}
				return fl, err == nil, err
			}})
	}
	return out
}

// archiveCarries reports whether a path of an archive's data folder is a
// file the snapshot carries (and restore may write).
func archiveCarries(rel string) bool {
	if !localPath(rel) {
		return false
	}
	return !slices.ContainsFunc(notCarried, func(p string) bool { return rel == p || strings.HasPrefix(rel, p+"/") })
}

// ArchiveTarget is where an archive restore goes.
type ArchiveTarget struct {
	// Data is the archive's data folder; it must be missing or empty.
	Data string
	// DSN is an empty PostgreSQL database for the rows and the index; ""
	// puts them in Data (SQLite and the folder index).
	DSN string
}

// RestoreArchive reads an archive's snapshot from r with the identities and
// writes it to the target, then rebuilds the search index; it returns the
// number of search documents indexed. Nothing is left behind unless every
// check passes.
func RestoreArchive(ctx context.Context, r io.Reader, ids []age.Identity, t ArchiveTarget) (Manifest, int, error) {
	indexed := 0
	m, err := restoreZone(ctx, r, ids, t.Data, sink{
		zone:      ZoneArchive,
		wrongZone: "backup: this is a snapshot of the newsroom's data folder (confide backup), not of an archive: restore it with confide restore",
		dbFile:    archive.DBFile,
		open: func(ctx context.Context, dir string) (*loading, error) {
			a, err := archive.Open(ctx, archive.Config{Dir: dir, DSN: t.DSN, RowsOnly: true})
			if err != nil {
				return nil, err
			}
			return &loading{schema: a.DumpSchema(), close: a.Close, putRef: func(kind int, sum string, r io.Reader) error {
				return putHashed(archiveFiles[kind].file(dir, sum), archiveFiles[kind].one, sum, r)
			}}, nil
		},
		refs:    archiveSinks(),
		inFiles: archiveCarries,
		finish: func(ctx context.Context, dir string, m Manifest) error {
			a, err := archive.Open(ctx, archive.Config{Dir: dir, DSN: t.DSN, NoOCR: true})
			if err != nil {
				return err
			}
			if indexed, err = a.RebuildIndex(ctx); err != nil {
				a.Close()
				return fmt.Errorf("rebuilding the search index: %w", err)
			}
			err = a.Audit(ctx, a.Operator(), "restore", fmt.Sprintf("from a snapshot of %s (%s, schema %d): %d originals, %d search documents indexed", m.Day, m.Backend, m.Schema, m.Blobs, indexed))
			return errors.Join(err, a.Close())
		},
	})
	return m, indexed, err
}

func archiveSinks() []refSink {
	var out []refSink
	for _, f := range archiveFiles {
		out = append(out, refSink{what: f.whats, entry: f.entry, path: f.path, count: func(m *Manifest) int { return *f.count(m) }})
	}
	return out
}

// putHashed writes an original or a redacted copy (one names it) to dst in the
// folder being filled: through a temporary file, checked against its
// SHA-256, fsynced, made read-only and renamed, as the archive stores one.
func putHashed(dst, one, sum string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return fmt.Errorf("%s's bytes do not match its SHA-256 (%s)", one, sum)
	}
	if err := os.Chmod(f.Name(), 0o400); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}
