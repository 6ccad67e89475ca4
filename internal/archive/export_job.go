package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"confide/internal/store"
)

// Export job states: waiting for one of the maxExports slots, being
// built, ready to download (its bundle kept in the building process's
// temporary folder), failed (no file, a reason), or expired (its bundle is
// no longer kept: the user's next one is ready, or the archive restarted).
const (
	ExportQueued   = "queued"
	ExportBuilding = "building"
	ExportReady    = "ready"
	ExportFailed   = "failed"
	ExportExpired  = "expired"
)

// maxExports is how many web exports are built at once: each runs
// pdfseparate, pdfunite, pdftotext and a full Verify (OCR) and holds a
// bundle in the temporary folder.
const maxExports = 2

// maxExportWaiting bounds the exports waiting for a slot (each user has
// at most one building or waiting); past it the export page says busy.
const maxExportWaiting = 8

// ExportJob is a bundle the web zone builds in the background for a user.
type ExportJob struct {
	ID       string
	DocID    string
	UserID   string
	Who      string
	Form     exportForm // what was asked, to build and to ask again
	Owner    string     // the temporary folder (a process's) that keeps the bundle
	State    string
	Reason   string // why it failed or expired
	ExportID string // its archive_exports row, once built
	Bundle   string // the bundle's SHA-256
	Size     int64
	Slug     string
	At       string // queued, UTC to the second
	Finished string
}

// jobReasons are the catalogue's keys of the reasons the archive itself
// gives a job that failed or expired: stored in English (english), shown
// in the page's language (reword). A refusal's reason is the library's
// detail, stored and shown as it is.
var jobReasons = []string{"archive.job.reason.interrupted", "archive.job.reason.restarted", "archive.job.reason.internal",
	"archive.job.reason.stopped", "archive.job.reason.replaced"}

// Pending reports whether the job is still waiting or being built.
func (j *ExportJob) Pending() bool { return j.State == ExportQueued || j.State == ExportBuilding }

// Exporter writes a bundle as Archive.Export does (tests give one that
// fails or waits).
type Exporter func(ctx context.Context, a *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error)

// beginExportJob records a queued export of a document by u.
func (a *Archive) beginExportJob(ctx context.Context, docID string, u User, f exportForm) (string, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	id := store.NewID()
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_export_jobs (id, doc_id, user_id, who, form, owner, state, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, docID, u.ID, clean(u.Name), clean(string(b)), a.tmpOwner(), ExportQueued, now()); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return id, nil
}

// ExportJob returns one export job.
func (a *Archive) ExportJob(ctx context.Context, id string) (*ExportJob, error) {
	js, err := a.exportJobs(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(js) == 0 {
		return nil, fmt.Errorf("%w: no export job %q", ErrNotFound, id)
	}
	return js[0], nil
}

func (a *Archive) exportJobs(ctx context.Context, where string, args ...any) ([]*ExportJob, error) {
	var out []*ExportJob
	err := a.each(ctx, `SELECT id, doc_id, user_id, who, form, owner, state, reason, export_id, bundle_sha256, size, slug, at, finished
		FROM archive_export_jobs `+where+` ORDER BY at, id`, args, func(rows *sql.Rows) error {
		var j ExportJob
		var form string
		if err := rows.Scan(&j.ID, &j.DocID, &j.UserID, &j.Who, &form, &j.Owner, &j.State, &j.Reason, &j.ExportID, &j.Bundle, &j.Size, &j.Slug, &j.At, &j.Finished); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(form), &j.Form); err != nil {
			return err
		}
		out = append(out, &j)
		return nil
	})
	return out, err
}

// moveExportJob changes a job's state from one to another, with its
// reason; false when it was no longer in from (marked meanwhile by a
// restart's sweep or another process).
func (a *Archive) moveExportJob(ctx context.Context, id, from, to, reason string) (bool, error) {
	finished := ""
	if to != ExportBuilding {
		finished = now()
	}
	return a.execOne(ctx, `UPDATE archive_export_jobs SET state = ?, reason = ?, finished = ? WHERE id = ? AND state = ?`,
		to, clean(reason), finished, id, from)
}

// exportJobBuilt records a building job's bundle as ready and, in the
// same transaction, expires the user's other ready jobs of this process:
// one bundle is kept per user, and no reader ever sees two ready. It
// returns the paths of the bundles expired, which the caller removes;
// false when the job was no longer building.
func (a *Archive) exportJobBuilt(ctx context.Context, j *ExportJob, rec *ExportRecord, size int64) ([]string, bool, error) {
	tx, err := a.db.begin(ctx, a.db.sql)
	if err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.exec(ctx, `UPDATE archive_export_jobs SET state = ?, export_id = ?, bundle_sha256 = ?, size = ?, slug = ?, finished = ? WHERE id = ? AND state = ?`,
		ExportReady, rec.ID, rec.Bundle, size, rec.Slug, now(), j.ID, ExportBuilding)
	if err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	} else if n != 1 {
		return nil, false, nil
	}
	rows, err := tx.QueryContext(ctx, a.db.q(`UPDATE archive_export_jobs SET state = ?, reason = ?, finished = ?
		WHERE user_id = ? AND state = ? AND id <> ? AND owner = ? RETURNING id`),
		ExportExpired, clean(english("archive.job.reason.replaced", j.ID)), now(), j.UserID, ExportReady, j.ID, j.Owner)
	if err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	var replaced []string
	for rows.Next() {
		o := ExportJob{Owner: j.Owner}
		if err := rows.Scan(&o.ID); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("archive: %w", err)
		}
		replaced = append(replaced, a.exportBundlePath(&o))
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	return replaced, true, nil
}

// execOne runs an update of one row and reports whether it changed one.
func (a *Archive) execOne(ctx context.Context, query string, args ...any) (bool, error) {
	res, err := a.db.exec(ctx, a.db.sql, query, args...)
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	return n == 1, nil
}

// exportsInterrupted ends the jobs of processes that are gone: one queued
// or building failed with that reason, a ready one's bundle went with its
// process's temporary folder. Jobs of a process still running (another
// server on the same PostgreSQL database and folder) are left to it.
func (a *Archive) exportsInterrupted(ctx context.Context) error {
	js, err := a.exportJobs(ctx, `WHERE state IN (?, ?, ?)`, ExportQueued, ExportBuilding, ExportReady)
	if err != nil {
		return err
	}
	for _, j := range js {
		if j.Owner == a.tmpOwner() || a.tmpAlive(j.Owner) {
			continue
		}
		to, reason := ExportFailed, english("archive.job.reason.interrupted")
		if j.State == ExportReady {
			to, reason = ExportExpired, english("archive.job.reason.restarted")
		}
		if _, err := a.moveExportJob(ctx, j.ID, j.State, to, reason); err != nil {
			return err
		}
	}
	return nil
}

// exportBundlePath is where a job's bundle is kept: in its owner's
// temporary folder, removed when that process closes the archive.
func (a *Archive) exportBundlePath(j *ExportJob) string {
	return filepath.Join(a.c.Dir, "tmp", j.Owner, "bundle-"+j.ID)
}

// ErrBundleGone is a ready job whose bundle is no longer there or no
// longer hashes to the SHA-256 recorded when it was built: nothing is
// served.
var ErrBundleGone = errors.New("archive: the bundle is no longer what was built; export it again")

// openExportBundle opens a ready job's bundle, checked against the
// SHA-256 and size recorded when it was built, as a redacted copy is
// before export: what leaves the archive is what was built and recorded.
func (a *Archive) openExportBundle(j *ExportJob) (*os.File, error) {
	if j.State != ExportReady || j.Bundle == "" || !a.tmpAlive(j.Owner) {
		return nil, fmt.Errorf("%w (job %s is %s)", ErrBundleGone, j.ID, j.State)
	}
	f, ok, err := openMatching(a.exportBundlePath(j), j.Bundle)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%v)", ErrBundleGone, err)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if st, err := f.Stat(); !ok || err != nil || st.Size() != j.Size {
		f.Close()
		return nil, fmt.Errorf("%w (the file of job %s no longer matches its SHA-256)", ErrBundleGone, j.ID)
	}
	return f, nil
}

// openMatching opens the file at p and reports whether its bytes hash to
// the SHA-256 sum; the file is returned at its start, and closed when it
// does not match. Its errors are the file system's, unprefixed.
func openMatching(p, sum string) (*os.File, bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, false, err
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		f.Close()
		return nil, false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, false, err
	}
	return f, true, nil
}

// exporter builds the web's bundles in the background: maxExports at
// once, one per user, maxExportWaiting waiting.
type exporter struct {
	a     *Archive
	log   *slog.Logger
	run   Exporter
	audit func(ctx context.Context, who, action, detail string)
	*jobs
}

func newExporter(a *Archive, log *slog.Logger, run Exporter, audit func(ctx context.Context, who, action, detail string)) *exporter {
	if run == nil {
		run = func(ctx context.Context, a *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
			return a.Export(ctx, req, w)
		}
	}
	return &exporter{a: a, log: log, run: run, audit: audit, jobs: newJobs(maxExports, maxExportWaiting, func(id string) bool {
		j, err := a.ExportJob(context.Background(), id)
		return err != nil || j.Pending()
	})}
}

// start queues an export of d by u as the form asks; it returns the
// job's ID, or (with errYours) that of u's unfinished one, or errBusy.
func (ex *exporter) start(ctx context.Context, u User, d *Document, f exportForm) (string, error) {
	return ex.jobs.start(u.ID, func() (string, error) {
		return ex.a.beginExportJob(ctx, d.ID, u, f)
	}, ex.build)
}

// build makes a job's bundle in its process's temporary folder and
// records how it ended; a failure keeps no file and says why.
func (ex *exporter) build(ctx context.Context, id string) {
	bg := context.WithoutCancel(ctx)
	if err := ex.buildJob(ctx, id); err != nil {
		ex.log.Error("archive: export job", "id", id, "err", err)
		if _, err := ex.a.moveExportJob(bg, id, ExportBuilding, ExportFailed, english("archive.job.reason.internal", id)); err != nil {
			ex.log.Error("archive: export job", "id", id, "err", err)
		}
	}
}

// buildJob is build; its error is one the user is not told in detail.
func (ex *exporter) buildJob(ctx context.Context, id string) error {
	bg := context.WithoutCancel(ctx)
	stopped := english("archive.job.reason.stopped")
	if ctx.Err() != nil {
		_, err := ex.a.moveExportJob(bg, id, ExportQueued, ExportFailed, stopped)
		return err
	}
	if ok, err := ex.a.moveExportJob(bg, id, ExportQueued, ExportBuilding, ""); err != nil || !ok {
		return err
	}
	j, err := ex.a.ExportJob(bg, id)
	if err != nil {
		return err
	}
	fail := func(reason string) error {
		_, err := ex.a.moveExportJob(bg, id, ExportBuilding, ExportFailed, reason)
		return err
	}
	req, problem := exportRequest(j.Form, j.DocID, j.Who)
	if problem != "" {
		return fail(problem)
	}
	p := ex.a.exportBundlePath(j)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	rec, err := ex.run(ctx, ex.a, req, f)
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(p)
		switch {
		case ctx.Err() != nil:
			return fail(stopped)
		case errors.Is(err, ErrUnverified):
			ex.audit(bg, j.Who, "export refused", "job "+id+": "+err.Error())
			return fail(strings.TrimPrefix(err.Error(), "archive: "))
		case errors.Is(err, ErrExport), errors.Is(err, ErrNotFound):
			return fail(exportProblem(err))
		}
		return err
	}
	replaced, ok, err := ex.a.exportJobBuilt(bg, j, rec, size)
	if err != nil || !ok {
		os.Remove(p)
		return err
	}
	for _, p := range replaced {
		os.Remove(p)
	}
	return nil
}

// exportProblem is an export's refusal in the user's words, without the
// package's prefixes.
func exportProblem(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrExport.Error()+": "), "archive: ")
}

// exportRequest is the export page's fields as a request of docID by who,
// or a problem with them to show on the form.
func exportRequest(f exportForm, docID, who string) (ExportRequest, string) {
	req := ExportRequest{DocID: docID, Quote: f.Quote, QuoteTranslation: f.QuoteTranslation, Lang: f.Lang, Slug: f.Slug, Title: f.Title, Who: who,
		TranslationChecked: f.Checked}
	if f.Redaction == "original" {
		req.Unredacted = true
	} else {
		req.RedactionID = f.Redaction
	}
	for _, m := range strings.Split(f.Mask, "\n") {
		if m = strings.TrimSpace(m); m != "" {
			req.Mask = append(req.Mask, m)
		}
	}
	var err error
	if f.Pages != "" {
		if req.From, req.To, err = ParsePages(f.Pages); err != nil {
			return req, "Pages: " + err.Error()
		}
	}
	if f.QuotePage != "" {
		if req.QuotePage, err = strconv.Atoi(f.QuotePage); err != nil {
			return req, "The excerpt's page is not a number."
		}
	}
	return req, ""
}
