package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Entry states.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// leaseTime is how long a claim lasts without renewal; a killed worker's
// entries (and a killed server's machine translations) are claimable
// again after it.
const leaseTime = 15 * time.Second

// leaseUntil is when a claim taken or renewed now runs out, in Unix
// seconds as the lease columns hold it.
func leaseUntil() int64 { return time.Now().Add(leaseTime).Unix() }

// Item is one file to queue.
type Item struct {
	File string // where to read it
	Path string // its path in the collection, slash-separated
	// Origin is a JSON object saying where it came from beyond the path
	// (a workstation pull's newsroom item); "" for none.
	Origin string
	// SHA256, when set, is the hex SHA-256 the file must have (what a
	// custody record says was written): other bytes stop the ingest.
	SHA256 string
}

// QueueNote says what Enqueue did with one item.
type QueueNote struct {
	Path string
	Note string // "" when queued; else why not ("already queued", "a link, not followed")
}

// Collect lists the items under paths: files as themselves, folders
// recursively with paths from the folder's own name. Links and special
// files are reported through skip, never followed.
func Collect(paths []string, skip func(path, why string)) ([]Item, error) {
	var items []Item
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		if !fi.IsDir() {
			if !fi.Mode().IsRegular() {
				skip(filepath.Base(p), "not a regular file (a link or a device), not followed")
				continue
			}
			items = append(items, Item{File: p, Path: filepath.Base(filepath.Clean(p))})
			continue
		}
		root := filepath.Clean(p)
		base := filepath.Base(root)
		err = filepath.WalkDir(root, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("archive: %w", err)
			}
			rel, _ := filepath.Rel(root, f)
			path := filepath.ToSlash(filepath.Join(base, rel))
			switch {
			case d.IsDir():
				return nil
			case !d.Type().IsRegular():
				skip(path, "not a regular file (a link or a device), not followed")
				return nil
			}
			items = append(items, Item{File: f, Path: path})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// SetCollection creates a collection, or changes its OCR languages when
// ocrLang is set. New entries use the setting; Reprocess applies it to the
// old ones.
func (a *Archive) SetCollection(ctx context.Context, name, ocrLang string) error {
	if name == "" || strings.ContainsAny(name, "\x00\n") {
		return errors.New("archive: a collection needs a name (--collection NAME)")
	}
	lang := ocrLang
	if lang == "" {
		lang = "rus+eng"
	}
	if !a.c.NoOCR {
		if _, err := a.extractor(lang); err != nil {
			return err
		}
	}
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_collections (name, ocr_lang, created) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`, name, lang, now()); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if ocrLang != "" {
		if _, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_collections SET ocr_lang = ? WHERE name = ?`, ocrLang, name); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	return nil
}

// enqueueBatch is how many items share one transaction when queued, and
// copyers how many originals are copied (and fsynced) at once: each fsync
// waits for the disk, and the journal takes concurrent ones together. The
// first chunk is firstChunk items, each next one twice the one before up to
// enqueueBatch: the workers wait for the first, and a whole batch kept
// both cores idle for a fiftieth of a thousand PDFs' run.
const (
	enqueueBatch = 256
	firstChunk   = 16
	copyers      = 8
)

// Enqueue stores each item's original and queues it in the collection
// (which must exist). An item whose path the collection already has is
// not queued again, so running the same ingest twice doubles nothing.
// Originals are durable before the rows that name them commit.
func (a *Archive) Enqueue(ctx context.Context, collection string, items []Item, note func(QueueNote)) (int, error) {
	n, size := 0, firstChunk
	for len(items) > 0 {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		chunk := items[:min(size, len(items))]
		size = min(2*size, enqueueBatch)
		items = items[len(chunk):]
		k, err := a.enqueue(ctx, collection, chunk, note)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// stored is an original copied for an item of a chunk.
type stored struct {
	sum  string
	size int64
	tmp  string // the copy, until it is renamed to its SHA-256; "" when the original was stored already
	err  error
}

// enqueue queues one chunk of items: the new ones' originals copied in
// parallel, made durable, renamed, the renames made durable, then one
// transaction.
func (a *Archive) enqueue(ctx context.Context, collection string, items []Item, note func(QueueNote)) (int, error) {
	notes := make([]QueueNote, len(items))
	var fresh []int // items whose path the collection has not
	for i, it := range items {
		var had string
		err := a.db.scan(ctx, a.db.sql, `SELECT sha256 FROM archive_entries WHERE collection = ? AND path = ?`, []any{collection, it.Path}, &had)
		switch {
		case err == nil:
			// Queued by an earlier run: only read it, to tell a changed
			// file from the same one, without copying it again.
			notes[i] = a.known(it, had)
		case errors.Is(err, sql.ErrNoRows):
			fresh = append(fresh, i)
		default:
			return 0, fmt.Errorf("archive: %w", err)
		}
	}
	originals := make([]stored, len(items))
	var wg sync.WaitGroup
	next := make(chan int)
	for k := range min(copyers, len(fresh)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each copier creates its files in a folder of its own: in one
			// shared folder they queued on its lock, and the kernel spun
			// a core waiting for it (a twentieth of a text PDF run's CPU).
			dir := filepath.Join(a.tmp, "copy-"+strconv.Itoa(k))
			derr := os.Mkdir(dir, 0o700)
			if errors.Is(derr, fs.ErrExist) {
				derr = nil
			}
			for i := range next {
				o := &originals[i]
				if o.err = derr; derr == nil {
					o.sum, o.size, o.tmp, o.err = a.storeOriginal(items[i].File, dir)
				}
			}
		}()
	}
	for _, i := range fresh {
		next <- i
	}
	close(next)
	wg.Wait()
	defer func() {
		for _, i := range fresh {
			if t := originals[i].tmp; t != "" {
				os.Remove(t) // left by a failure below
			}
		}
	}()
	var copies []string
	for _, i := range fresh {
		if err := originals[i].err; err != nil {
			return 0, err
		}
		if it := items[i]; it.SHA256 != "" && originals[i].sum != it.SHA256 {
			return 0, fmt.Errorf("archive: %s changed while it was being queued (SHA-256 %s, its custody record says %s); nothing of it was queued", it.Path, originals[i].sum, it.SHA256)
		}
		if originals[i].tmp != "" {
			copies = append(copies, originals[i].tmp)
		}
	}
	// A name under originals/ always stands for whole, durable bytes (a
	// later run trusts a file already there): the copies reach the disk
	// before they are renamed, and the renames before the rows.
	if err := a.syncFiles(copies); err != nil {
		return 0, err
	}
	var dirs []string
	for _, i := range fresh {
		o := &originals[i]
		if o.tmp == "" {
			continue
		}
		dst := a.originalPath(o.sum)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return 0, fmt.Errorf("archive: %w", err)
		}
		if err := os.Chmod(o.tmp, 0o400); err != nil {
			return 0, fmt.Errorf("archive: %w", err)
		}
		if err := os.Rename(o.tmp, dst); err != nil {
			return 0, fmt.Errorf("archive: %w", err)
		}
		o.tmp = ""
		dirs = append(dirs, filepath.Dir(dst))
	}
	if err := a.syncDirs(dirs); err != nil {
		return 0, err
	}
	n := 0
	if len(fresh) > 0 {
		defer a.writing()()
		tx, err := a.db.begin(ctx, a.db.sql)
		if err != nil {
			return 0, fmt.Errorf("archive: %w", err)
		}
		defer tx.Rollback()
		for _, i := range fresh {
			origin := items[i].Origin
			if origin == "" {
				origin = "{}"
			}
			if notes[i], err = a.insertEntry(ctx, tx, collection, items[i].Path, originals[i].sum, originals[i].size, origin); err != nil {
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("archive: %w", err)
		}
		a.queued.broadcast()
		for _, i := range fresh {
			if notes[i].Note == "" {
				n++
			}
		}
	}
	for _, q := range notes {
		note(q)
	}
	return n, nil
}

// known says what to do with an item whose path is already queued.
func (a *Archive) known(it Item, had string) QueueNote {
	f, err := os.Open(it.File)
	if err != nil {
		return QueueNote{it.Path, "already in the collection; it cannot be read now: " + err.Error()}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return QueueNote{it.Path, "already in the collection; it cannot be read now: " + err.Error()}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != had {
		return QueueNote{it.Path, "already in the collection with other bytes (SHA-256 " + had[:12] + "…); not queued again: give the new version another path"}
	}
	return QueueNote{it.Path, "already in the collection"}
}

// insertEntry queues one item in tx, or says why not (the same path
// queued twice in one run).
func (a *Archive) insertEntry(ctx context.Context, tx *txn, collection, path, sum string, size int64, origin string) (QueueNote, error) {
	if _, err := tx.exec(ctx, `INSERT INTO archive_originals (sha256, size, first_seen) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, sum, size, now()); err != nil {
		return QueueNote{}, fmt.Errorf("archive: %w", err)
	}
	var id int64
	err := tx.scan(ctx, `INSERT INTO archive_entries (collection, path, sha256, state) VALUES (?, ?, ?, 'queued') ON CONFLICT (collection, path) DO NOTHING RETURNING id`, []any{collection, path, sum}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		var had string
		if err := tx.QueryRowContext(ctx, a.db.q(`SELECT sha256 FROM archive_entries WHERE collection = ? AND path = ?`), collection, path).Scan(&had); err != nil {
			return QueueNote{}, fmt.Errorf("archive: %w", err)
		}
		if had != sum {
			return QueueNote{path, "already in the collection with other bytes (SHA-256 " + had[:12] + "…); not queued again: give the new version another path"}, nil
		}
		return QueueNote{path, "already in the collection"}, nil
	}
	if err != nil {
		return QueueNote{}, fmt.Errorf("archive: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO archive_events (entry_id, at, who, action, origin) VALUES (?, ?, ?, ?, ?)`, id, now(), a.c.Who, "ingested "+path+" (SHA-256 "+sum+", "+fmt.Sprint(size)+" bytes)", origin); err != nil {
		return QueueNote{}, fmt.Errorf("archive: %w", err)
	}
	return QueueNote{Path: path}, nil
}

// originalPath is where the original with that SHA-256 lives.
func (a *Archive) originalPath(sum string) string { return OriginalFile(a.c.Dir, sum) }

// storeOriginal copies a file for the content-addressed originals: to a
// temporary file, not yet durable, that the caller makes durable and
// renames to its SHA-256 (enqueue), made in dir (a folder under the
// temporary one). The same bytes already stored whole
// are not written twice (tmp ""); a file there of another size (a copy
// torn by a crash of a build that renamed before it synced) is replaced.
func (a *Archive) storeOriginal(file, dir string) (sum string, size int64, tmp string, err error) {
	in, err := os.Open(file)
	if err != nil {
		return "", 0, "", fmt.Errorf("archive: %w", err)
	}
	defer in.Close()
	t, err := os.CreateTemp(dir, "ingest-original-*")
	if err != nil {
		return "", 0, "", fmt.Errorf("archive: %w", err)
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(t, h), in)
	if e := t.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(t.Name())
		return "", 0, "", fmt.Errorf("archive: copy %s: %w", file, err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if fi, err := os.Stat(a.originalPath(sum)); err == nil && fi.Size() == size {
		os.Remove(t.Name())
		return sum, size, "", nil
	}
	return sum, size, t.Name(), nil
}

// storeFile stores a file of the archive's own making (a redacted copy)
// the way originals are, at pathOf(its SHA-256).
func (a *Archive) storeFile(file string, pathOf func(string) string) (string, error) {
	sum, _, err := a.storeAs(file, pathOf)
	if err == nil {
		syncDir(filepath.Dir(pathOf(sum)))
	}
	return sum, err
}

// syncDir fsyncs a folder, so that a rename into it lasts.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// storeAs copies file to a temporary file, fsynced, renamed to
// pathOf(its SHA-256) and made read-only; the caller fsyncs the folder.
func (a *Archive) storeAs(file string, pathOf func(string) string) (string, int64, error) {
	in, err := os.Open(file)
	if err != nil {
		return "", 0, fmt.Errorf("archive: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(a.tmp, "ingest-original-*")
	if err != nil {
		return "", 0, fmt.Errorf("archive: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Sync()
	}
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err != nil {
		return "", 0, fmt.Errorf("archive: copy %s: %w", file, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := pathOf(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, size, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, fmt.Errorf("archive: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o400); err != nil {
		return "", 0, fmt.Errorf("archive: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("archive: %w", err)
	}
	renamed = true
	return sum, size, nil
}

// claimed is an entry a worker holds.
type claimed struct {
	id                    int64
	collection, path, sum string
	lang                  string
	gen                   int // this run of the entry: its attempts, this one included
}

// claim takes the oldest claimable entry (of collection, or any when ""),
// or returns nil when there is none.
func (a *Archive) claim(ctx context.Context, collection string) (*claimed, error) {
	cs, _, err := a.claimGroup(ctx, collection, 1)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return cs[0], nil
}

// The bounds of a group claimed in one transaction: small entries only (a
// large one is claimed alone), so that a worker never sits on a long one
// (a scanned book) that a worker of another process could have begun. A transaction per
// entry was a tenth of the ingest's own CPU on a trove of small PDFs.
const (
	groupEntries = 32
	groupSmall   = 64 << 10 // an entry past the first: its original at most this
	groupBytes   = 1 << 20
)

// claimGroup takes the oldest claimable entry and, when it is queued and
// small, the small queued ones after it up to the group's bounds and n in
// all, in one transaction; none when there is nothing to claim. drained
// says the group took the last queued entries there were (of collection):
// fewer came than were asked for, and no bound stopped the group.
func (a *Archive) claimGroup(ctx context.Context, collection string, n int) (group []*claimed, drained bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	// Once begun, a claim runs to its end: a commit cut short by the
	// context may still have been applied by the server, and the entry
	// would stay running, claimed by nobody, until its lease ran out. The
	// caller sees the context's end and hands the entry back.
	ctx = context.WithoutCancel(ctx)
	defer a.writing()()
	tx, err := a.db.begin(ctx, a.db.claims) // SQLite: IMMEDIATE (_txlock)
	if err != nil {
		return nil, false, fmt.Errorf("archive: claim: %w", err)
	}
	defer tx.Rollback()
	t := time.Now().Unix()
	// Queued entries first, then those of a worker that is gone: one
	// condition of each kind, so that each query walks the (state, id)
	// index from its first match, where an OR of the two walked every
	// entry done before (a claim per file grew with the collection).
	for _, kind := range []struct {
		cond  string
		n     int
		lease bool // cond takes the time
	}{{`e.state = 'queued'`, max(1, min(n, groupEntries)), false}, {`e.state = 'running' AND e.lease < ?`, 1, true}} {
		args := []any{collection, collection}
		if kind.lease {
			args = append([]any{t}, args...)
		}
		s, err := tx.stmt(ctx, a.claimQuery(kind.cond, kind.n))
		if err != nil {
			return nil, false, fmt.Errorf("archive: claim: %w", err)
		}
		rows, err := s.QueryContext(ctx, args...)
		if err != nil {
			return nil, false, fmt.Errorf("archive: claim: %w", err)
		}
		var total, first int64
		bounded := false
		for rows.Next() {
			var c claimed
			var size int64
			if err := rows.Scan(&c.id, &c.collection, &c.path, &c.sum, &c.lang, &c.gen, &size); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("archive: claim: %w", err)
			}
			// A large entry goes alone, and ends a group. (The test was
			// once the group's total against groupSmall, which made groups
			// of five small PDFs instead of 32: 200 claims for 1,000.)
			if len(group) > 0 && (first > groupSmall || size > groupSmall || total+size > groupBytes) {
				bounded = true
				break
			}
			if len(group) == 0 {
				first = size
			}
			total += size
			group = append(group, &c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, false, fmt.Errorf("archive: claim: %w", err)
		}
		if len(group) > 0 {
			drained = !kind.lease && !bounded && len(group) < kind.n
			break
		}
	}
	if len(group) == 0 {
		return nil, false, nil
	}
	for _, c := range group {
		if _, err := tx.exec(ctx, `UPDATE archive_entries SET state = 'running', lease = ?, attempts = attempts + 1 WHERE id = ?`, leaseUntil(), c.id); err != nil {
			return nil, false, fmt.Errorf("archive: claim: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("archive: claim: %w", err)
	}
	for _, c := range group {
		c.gen++
	}
	return group, drained, nil
}

// handBack returns to the queue an entry claimed and never begun, as if
// it had not been claimed (its attempt uncounted).
func (a *Archive) handBack(ctx context.Context, c *claimed) {
	defer a.writing()()
	a.db.exec(context.WithoutCancel(ctx), a.db.claims, `UPDATE archive_entries SET state = 'queued', lease = 0, attempts = attempts - 1 WHERE id = ? AND state = 'running' AND attempts = ?`, c.id, c.gen)
}

// claimQuery selects the oldest n entries that meet cond, of a collection
// or any (its two arguments, after cond's), with their originals' sizes.
func (a *Archive) claimQuery(cond string, n int) string {
	q := `SELECT e.id, e.collection, e.path, e.sha256, c.ocr_lang, e.attempts, o.size FROM archive_entries e
		JOIN archive_collections c ON c.name = e.collection JOIN archive_originals o ON o.sha256 = e.sha256
		WHERE ` + cond + ` AND (? = '' OR e.collection = ?) ORDER BY e.id LIMIT ` + strconv.Itoa(n)
	if a.db.postgres {
		q += ` FOR UPDATE OF e SKIP LOCKED`
	}
	return q
}

// renew extends the lease of entries this process is working on.
func (a *Archive) renew(ctx context.Context, ids []int64) {
	until := leaseUntil()
	defer a.writing()()
	s, err := a.db.prepared(ctx, a.db.claims, `UPDATE archive_entries SET lease = ? WHERE id = ? AND state = 'running'`)
	if err != nil {
		return
	}
	for _, id := range ids {
		s.ExecContext(ctx, until, id)
	}
}

// Retry queues again the failed entries of a collection (all when ""),
// and those with a document that failed, and returns how many.
func (a *Archive) Retry(ctx context.Context, collection string) (int, error) {
	res, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_entries SET state = 'queued', reason = '', lease = 0
		WHERE (? = '' OR collection = ?) AND (state = 'failed' OR (state = 'done' AND EXISTS (SELECT 1 FROM archive_documents d WHERE d.entry_id = archive_entries.id AND d.fail_reason <> '')))`, collection, collection)
	if err != nil {
		return 0, fmt.Errorf("archive: retry: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Reprocess queues every entry of a collection again, as after an upgrade
// or a change of its OCR languages; their documents are replaced, not
// added to.
func (a *Archive) Reprocess(ctx context.Context, collection string) (int, error) {
	if err := a.mustCollection(ctx, collection); err != nil {
		return 0, err
	}
	res, err := a.db.exec(ctx, a.db.sql, `UPDATE archive_entries SET state = 'queued', reason = '', lease = 0 WHERE collection = ? AND state <> 'running'`, collection)
	if err != nil {
		return 0, fmt.Errorf("archive: reprocess: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (a *Archive) mustCollection(ctx context.Context, name string) error {
	var n int
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_collections WHERE name = ?`), name).Scan(&n); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: no collection %q", ErrNotFound, name)
	}
	return nil
}
