package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"confide/internal/ingest"
	"confide/internal/ingest/ocr"
	"confide/internal/search"
	"confide/internal/search/pgsearch"
	"confide/internal/store"
)

// Config says where an archive lives.
type Config struct {
	Dir string // the data folder: originals/, index/ (SQLite), tmp/, archive.db
	DSN string // postgres://… to keep rows and the index in PostgreSQL; "" for SQLite
	// Who is recorded in custody events: the operator's name (the OS user
	// when empty).
	Who string
	// NoOCR leaves images and scanned pages unread (tests without tesseract).
	NoOCR bool
	// Limits bound each tree; zero fields take ingest's defaults.
	Limits ingest.Limits
	// RowsOnly opens the database alone, for Status, Show and Custody:
	// no lock, no index, no temporary folder, so it works beside a running
	// ingest on SQLite (whose index one process holds).
	RowsOnly bool
}

// Archive is an open archive: its database, originals and search engine.
type Archive struct {
	c    Config
	db   *db
	eng  search.Engine
	tmp  string
	lock *os.File // SQLite: the data folder's flock
	// tmpLock holds this process's temporary folder (tmp) against sweeps.
	tmpLock *os.File

	commits groupCommit
	queued  signal // a chunk was queued, or entries were stored: idle workers look again
	// sqliteW queues this process's writers of the ingest's rows (SQLite
	// has one writer at a time): waiting in SQLite's busy handler, which
	// sleeps and retries, a writer with a large batch starved behind a
	// stream of short claims.
	sqliteW sync.Mutex

	mu   sync.Mutex
	exts map[string]*ingest.Extractor // by OCR languages
}

// Open opens (creating if needed) the archive in c.Dir. It refuses a folder
// that holds the dropbox's database: the archive's plaintext never sits
// beside the internet-facing zones' data.
func Open(ctx context.Context, c Config) (*Archive, error) {
	if c.Dir == "" {
		return nil, errors.New("archive: a data folder is required (--data DIR)")
	}
	// External tools run inside the temporary folder, where a relative
	// --data would name another place.
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	c.Dir = abs
	if _, err := os.Stat(filepath.Join(c.Dir, dropboxDB)); err == nil {
		return nil, fmt.Errorf("archive: %s holds the dropbox's database (%s); the archive holds plaintext and needs a data folder of its own, on a machine the newsroom trusts", c.Dir, dropboxDB)
	}
	if c.Who == "" {
		c.Who = "unknown"
		if u, err := user.Current(); err == nil {
			c.Who = u.Username
		}
	}
	for _, sub := range []string{"", "originals", "tmp"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
	}
	if !c.NoOCR && !c.RowsOnly {
		// A collection's OCR languages are checked, and extractors made,
		// against tesseract's list of languages, a program that takes
		// 13 ms to start: asked now, while the database opens, it was a
		// third of an ingest's wait for its first file.
		go ocr.Languages()
	}
	a := &Archive{c: c, exts: map[string]*ingest.Extractor{}}
	if c.RowsOnly {
		var err error
		if a.db, err = openDB(ctx, c.Dir, c.DSN); err != nil {
			return nil, err
		}
		return a, nil
	}
	if err := a.makeTmp(); err != nil {
		return nil, err
	}
	if c.DSN == "" {
		// The embedded index and SQLite's queue are one process's: a second
		// one would sweep the first's uncommitted segments.
		lock, err := os.OpenFile(filepath.Join(c.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			lock.Close()
			return nil, fmt.Errorf("archive: another confide archive process is using %s; with SQLite one process at a time works on a data folder (use --db postgres://… for several workers)", c.Dir)
		}
		a.lock = lock
	}
	if a.db, err = openDB(ctx, c.Dir, c.DSN); err != nil {
		a.unlock()
		return nil, err
	}
	if a.db.postgres {
		a.eng, err = pgsearch.Open(ctx, a.db.sql, "archive_search")
	} else {
		a.eng, err = search.Open(filepath.Join(c.Dir, "index"))
	}
	if err != nil {
		a.db.close()
		a.unlock()
		return nil, fmt.Errorf("archive: search index: %w", err)
	}
	if !a.db.postgres {
		// The index's lock makes this the only process on the folder, so
		// whatever is marked running was left by a killed one.
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_entries SET state = 'queued', lease = 0 WHERE state = 'running'`); err != nil {
			a.Close()
			return nil, fmt.Errorf("archive: %w", err)
		}
		// Its machine translations too: the next server takes them over at
		// once rather than after their leases. (Opened at an older schema,
		// to load an old snapshot, the table has no leases yet.)
		if store.SchemaLimit(ctx, len(migrations)) == len(migrations) {
			if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_translate_jobs SET lease = 0 WHERE state = 'running'`); err != nil {
				a.Close()
				return nil, fmt.Errorf("archive: %w", err)
			}
		}
	}
	return a, nil
}

// Close closes the index and the database.
func (a *Archive) Close() error {
	var err error
	if a.eng != nil {
		err = a.eng.Close()
	}
	if e := a.db.close(); err == nil {
		err = e
	}
	a.unlock()
	if a.tmpLock != nil {
		os.RemoveAll(a.tmp)
		a.tmpLock.Close()
	}
	return err
}

// makeTmp gives this process a temporary folder of its own under DIR/tmp,
// held by a flock, and removes the folders of processes that are gone
// (their lock is free): with PostgreSQL several machines may share the
// data folder, so nobody may sweep DIR/tmp whole.
func (a *Archive) makeTmp() error {
	root := filepath.Join(a.c.Dir, "tmp")
	if old, err := os.ReadDir(root); err == nil {
		for _, d := range old {
			p := filepath.Join(root, d.Name())
			l, err := os.Open(filepath.Join(p, "lock"))
			if err != nil {
				continue // being made: its lock file comes first, under the flock
			}
			if syscall.Flock(int(l.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
				os.RemoveAll(p)
			}
			l.Close()
		}
	}
	dir, err := os.MkdirTemp(root, "p-")
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	// The lock gets its name only once held, so a sweep never finds it free.
	l, err := os.OpenFile(filepath.Join(dir, "lock.new"), os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		err = syscall.Flock(int(l.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err == nil {
		err = os.Rename(filepath.Join(dir, "lock.new"), filepath.Join(dir, "lock"))
	}
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("archive: temporary folder: %w", err)
	}
	a.tmp, a.tmpLock = dir, l
	return nil
}

// tmpOwner names this process's temporary folder, for rows that point
// into it (an export job's bundle).
func (a *Archive) tmpOwner() string { return filepath.Base(a.tmp) }

// tmpAlive reports whether the process whose temporary folder is owner
// (a tmpOwner) still runs: its folder's lock is held. A process that is
// gone, killed or stopped, leaves it free or removed.
func (a *Archive) tmpAlive(owner string) bool {
	if !strings.HasPrefix(owner, "p-") || strings.ContainsAny(owner, `/\`) {
		return false
	}
	l, err := os.Open(filepath.Join(a.c.Dir, "tmp", owner, "lock"))
	if err != nil {
		return false
	}
	defer l.Close()
	// A lock this process holds through another descriptor refuses too.
	return syscall.Flock(int(l.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil
}

func (a *Archive) unlock() {
	if a.lock != nil {
		a.lock.Close() // releases the flock
	}
}

// Postgres reports whether the archive's rows are in PostgreSQL.
func (a *Archive) Postgres() bool { return a.db.postgres }

// writing takes this process's turn to write on SQLite (nothing to take
// on PostgreSQL, which has row locks); call the result to give it back.
func (a *Archive) writing() func() {
	if a.db.postgres {
		return func() {}
	}
	a.sqliteW.Lock()
	return a.sqliteW.Unlock
}

// extractor returns the extractor for a collection's OCR languages.
func (a *Archive) extractor(lang string) (*ingest.Extractor, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.exts[lang]; ok {
		return e, nil
	}
	o := ingest.Options{TmpDir: a.tmp, NoOCR: a.c.NoOCR, Limits: a.c.Limits}
	o.OCR.Lang = lang
	e, err := ingest.New(o)
	if err != nil {
		return nil, err
	}
	a.exts[lang] = e
	return e, nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }
