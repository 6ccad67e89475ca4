package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"confide/internal/redact"
	"confide/internal/store"
	"confide/internal/web"
)

// Redaction states: a copy being made, one that passed verification (its
// file is under DIR/redacted/), one that failed it (no file), one that
// could not be made.
const (
	RedactionRunning = "running"
	RedactionPassed  = "passed"
	RedactionFailed  = "failed"
	RedactionError   = "error"
)

// ErrUnverified is the answer for a redacted copy that did not pass
// verification (or is not finished, or whose file no longer matches its
// SHA-256): it is never exported.
var ErrUnverified = errors.New("archive: this redacted copy did not pass verification; it cannot be exported or published")

// Marks are what a redaction burns out: terms wherever they occur, and
// boxes in the page's own units (points from the top-left for a PDF,
// pixels for an image), as redact.Box has them.
type Marks struct {
	Terms []string     `json:"terms"`
	Boxes []redact.Box `json:"boxes"`
	// Corner is the first click of a box not yet finished (drafts only).
	Corner *redact.Box `json:"corner,omitempty"`
}

// Empty reports whether there is nothing to burn.
func (m Marks) Empty() bool { return len(m.Terms) == 0 && len(m.Boxes) == 0 }

// Redaction is one redacted copy of a document and its proof.
type Redaction struct {
	ID       string `json:"id"`
	DocID    string `json:"doc_id"`
	Original string `json:"original_sha256"`
	Marks    Marks  `json:"marks"`
	Who      string `json:"who"`
	At       string `json:"at"` // started, UTC to the second
	State    string `json:"state"`
	SHA256   string `json:"sha256,omitempty"` // the copy's, when it passed
	Pages    int    `json:"pages"`
	// Occurrences counts the places the terms were burned, each once
	// however many readings found it (redact.Result); the boxes are
	// burned as marked. Its column is burned.
	Occurrences int           `json:"occurrences"`
	Report      redact.Report `json:"report"`
	// Boxed are the words the original shows under the boxes, by page
	// (folded as terms): an excerpt may not quote them.
	Boxed    map[int][]string `json:"boxed,omitempty"`
	Reason   string           `json:"reason,omitempty"` // why it could not be made
	Finished string           `json:"finished,omitempty"`
	// Owner is the temporary folder (a process's, tmpOwner) of the server
	// making the copy: while it is alive the copy may still finish.
	Owner string `json:"-"`
}

// Verified reports whether the copy passed every check of its report.
func (r *Redaction) Verified() bool {
	return r.State == RedactionPassed && r.SHA256 != "" && r.Report.OK()
}

// Summary says in English what the copy burned, counted as the site
// counts it: "1 occurrence of 1 term and 2 boxes burned on 1 page".
func (r *Redaction) Summary() string {
	cat, err := catalog()
	if err != nil {
		return fmt.Sprintf("%d occurrences of %d terms and %d boxes burned on %d pages", r.Occurrences, len(r.Marks.Terms), len(r.Marks.Boxes), r.Pages)
	}
	return r.summary(cat, "en")
}

// summary is Summary in lang.
func (r *Redaction) summary(cat *web.Catalog, lang string) string {
	return cat.Burned(lang, len(r.Marks.Terms), r.Occurrences, len(r.Marks.Boxes)) + " " + cat.N(lang, "redact.onpages", r.Pages)
}

// catalog is the catalogues, for the English of custody records and
// bundles, which no visitor's language decides.
var catalog = sync.OnceValues(web.LoadCatalog)

// Draft returns a user's pending marks on a document (none yet: empty).
func (a *Archive) Draft(ctx context.Context, docID, userID string) (Marks, error) {
	var m Marks
	var s string
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT marks FROM archive_redaction_drafts WHERE doc_id = ? AND user_id = ?`), docID, userID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("archive: %w", err)
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, fmt.Errorf("archive: a draft's marks: %w", err)
	}
	return m, nil
}

// SaveDraft stores a user's pending marks on a document; empty marks
// delete the draft.
func (a *Archive) SaveDraft(ctx context.Context, docID, userID string, m Marks) error {
	if m.Empty() && m.Corner == nil {
		_, err := a.db.exec(ctx, a.db.sql, `DELETE FROM archive_redaction_drafts WHERE doc_id = ? AND user_id = ?`, docID, userID)
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	_, err = a.db.exec(ctx, a.db.sql, `INSERT INTO archive_redaction_drafts (doc_id, user_id, marks) VALUES (?, ?, ?)
		ON CONFLICT (doc_id, user_id) DO UPDATE SET marks = excluded.marks`, docID, userID, string(b))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// BeginRedaction records a redaction of document docID by who as running
// and returns its ID; RunRedaction makes the copy. Only a document ingested
// as a file of its own has an original to redact.
func (a *Archive) BeginRedaction(ctx context.Context, docID, who string, m Marks) (string, error) {
	m.Corner = nil
	if m.Empty() {
		return "", errors.New("archive: nothing to redact: mark a term or a box")
	}
	_, sum, err := a.RootOriginal(ctx, docID)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	id := store.NewID()
	if _, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_redactions (id, doc_id, original_sha256, marks, who, at, state, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, docID, sum, string(b), clean(who), now(), RedactionRunning, a.tmpOwner()); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return id, nil
}

// Redactor makes and verifies a redacted copy (redact.Redact; tests give
// one whose copy fails).
type Redactor func(context.Context, redact.Request) (redact.Result, error)

// RunRedaction makes the copy of a running redaction with run: the
// original is only read, the rendered pages stay in this process's own
// temporary folder, and a copy that passed verification is stored under
// DIR/redacted/xx/SHA256 (content-addressed, read-only). The row then says
// passed, failed (no file is kept) or error, and the document's custody
// gets an event. The error is for a result that could not be recorded.
func (a *Archive) RunRedaction(ctx context.Context, id string, run Redactor) (*Redaction, error) {
	// Only the copy's making stops with ctx: its outcome is recorded even
	// when the caller gave up waiting or the server is stopping.
	runCtx := ctx
	ctx = context.WithoutCancel(ctx)
	r, err := a.Redaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.State != RedactionRunning {
		return nil, fmt.Errorf("archive: redaction %s is %s already", id, r.State)
	}
	var res redact.Result
	src, _, rerr := a.RootOriginal(ctx, r.DocID)
	if rerr == nil {
		res, rerr = run(runCtx, redact.Request{Src: src, Terms: r.Marks.Terms, Boxes: r.Marks.Boxes, Dir: a.tmp})
	}
	r.Report, r.Pages, r.Occurrences, r.Boxed = res.Report, res.Pages, res.Occurrences, res.Boxed
	switch {
	case rerr != nil:
		r.State, r.Reason = RedactionError, rerr.Error()
	case !res.Report.OK() || res.Path == "":
		r.State = RedactionFailed
	default:
		r.SHA256, err = a.storeFile(res.Path, a.redactedPath)
		if err != nil {
			r.State, r.Reason = RedactionError, err.Error()
		} else {
			r.State = RedactionPassed
		}
	}
	if res.Path != "" {
		os.Remove(res.Path)
	}
	rep, err := json.Marshal(r.Report)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	boxed, err := json.Marshal(r.Boxed)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	r.Finished = now()
	marks := fmt.Sprintf("%d terms, %d boxes", len(r.Marks.Terms), len(r.Marks.Boxes))
	if cat, err := catalog(); err == nil {
		marks = cat.N("en", "redact.terms", len(r.Marks.Terms)) + ", " + cat.N("en", "redact.boxes", len(r.Marks.Boxes))
	}
	action := fmt.Sprintf("redaction %s by %s (%s): %s", id, r.Who, marks, r.State)
	if r.State == RedactionPassed {
		action += fmt.Sprintf(", verified; copy sha256 %s of the original sha256 %s, %s", r.SHA256, r.Original, r.Summary())
	}
	// The outcome and its custody event are one write: whoever sees the
	// redaction ended finds it in the document's custody.
	d, err := a.doc(ctx, r.DocID)
	if err != nil {
		return nil, err
	}
	tx, err := a.db.begin(ctx, a.db.sql)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.exec(ctx, `UPDATE archive_redactions SET state = ?, sha256 = ?, pages = ?, burned = ?, report = ?, boxed = ?, reason = ?, finished = ? WHERE id = ?`,
		r.State, r.SHA256, r.Pages, r.Occurrences, string(rep), string(boxed), clean(r.Reason), r.Finished, id); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := a.event(ctx, tx, d.entry, action); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return r, nil
}

// Interrupted marks as errors the redactions left running by a process
// that is gone: its temporary folder, where the copy was being rendered,
// is no longer locked (tmpAlive), and went with it. A copy another live
// server is making (PostgreSQL: several servers on one folder) is left to
// it; this process's own are its servers' to finish.
func (a *Archive) Interrupted(ctx context.Context) error {
	var running []*Redaction
	if err := a.redactions(ctx, `WHERE state = ?`, RedactionRunning, &running); err != nil {
		return err
	}
	for _, r := range running {
		if err := a.interrupted(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// sweepAge is how old a copy under redacted/ that no row names must be
// before SweepRedacted removes it: a server records its copy in the
// moment after storing it, and another may share the folder.
const sweepAge = time.Hour

// SweepRedacted removes the copies under redacted/ that no row names and
// that are older than sweepAge: left by a process killed between storing
// a verified copy and recording it. It returns how many it removed.
func (a *Archive) SweepRedacted(ctx context.Context) (int, error) {
	root := filepath.Join(a.c.Dir, "redacted")
	shards, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	n := 0
	for _, sh := range shards {
		files, err := os.ReadDir(filepath.Join(root, sh.Name()))
		if err != nil {
			continue // not a shard folder
		}
		for _, f := range files {
			sum := f.Name()
			if len(sum) != 64 || sum[:2] != sh.Name() || !f.Type().IsRegular() {
				continue // not a copy's name: not ours to remove
			}
			fi, err := f.Info()
			if err != nil || time.Since(fi.ModTime()) < sweepAge {
				continue
			}
			ref, err := a.RedactedReferenced(ctx, sum)
			if err != nil {
				return n, err
			}
			if !ref && os.Remove(filepath.Join(root, sh.Name(), sum)) == nil {
				n++
			}
		}
	}
	return n, nil
}

// interrupted marks one running redaction as an error when its process is
// gone (r then says so too).
func (a *Archive) interrupted(ctx context.Context, r *Redaction) error {
	if r.State != RedactionRunning || r.Owner == a.tmpOwner() || a.tmpAlive(r.Owner) {
		return nil
	}
	reason, finished := "interrupted: the archive server that made it stopped before the copy was finished; make it again", now()
	// Only a row still running: its server may have finished it meanwhile.
	ok, err := a.execOne(ctx, `UPDATE archive_redactions SET state = ?, reason = ?, finished = ? WHERE id = ? AND state = ?`,
		RedactionError, reason, finished, r.ID, RedactionRunning)
	if err != nil || !ok {
		return err
	}
	r.State, r.Reason, r.Finished = RedactionError, reason, finished
	return nil
}

// Redaction returns one redaction.
func (a *Archive) Redaction(ctx context.Context, id string) (*Redaction, error) {
	var out []*Redaction
	err := a.redactions(ctx, `WHERE id = ?`, id, &out)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no redaction %q", ErrNotFound, id)
	}
	return out[0], nil
}

// Redactions returns a document's redactions, oldest first.
func (a *Archive) Redactions(ctx context.Context, docID string) ([]*Redaction, error) {
	var out []*Redaction
	return out, a.redactions(ctx, `WHERE doc_id = ?`, docID, &out)
}

func (a *Archive) redactions(ctx context.Context, where, arg string, out *[]*Redaction) error {
	return a.each(ctx, `SELECT id, doc_id, original_sha256, marks, who, at, state, sha256, pages, burned, report, boxed, reason, finished, owner
		FROM archive_redactions `+where+` ORDER BY at, id`, []any{arg}, func(rows *sql.Rows) error {
		var r Redaction
		var marks, rep, boxed string
		if err := rows.Scan(&r.ID, &r.DocID, &r.Original, &marks, &r.Who, &r.At, &r.State, &r.SHA256, &r.Pages, &r.Occurrences, &rep, &boxed, &r.Reason, &r.Finished, &r.Owner); err != nil {
			return err
		}
		if boxed != "" {
			if err := json.Unmarshal([]byte(boxed), &r.Boxed); err != nil {
				return err
			}
		}
		if err := json.Unmarshal([]byte(marks), &r.Marks); err != nil {
			return err
		}
		if rep != "" {
			if err := json.Unmarshal([]byte(rep), &r.Report); err != nil {
				return err
			}
		}
		*out = append(*out, &r)
		return nil
	})
}

// RedactedCopy opens the file of a redacted copy for export. A copy that
// did not pass verification has none to give (ErrUnverified), and one
// whose bytes no longer hash to the SHA-256 recorded is refused the same
// way: what leaves the archive is what was verified.
func (a *Archive) RedactedCopy(ctx context.Context, id string) (*os.File, *Redaction, error) {
	r, err := a.Redaction(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !r.Verified() {
		return nil, r, fmt.Errorf("%w (redaction %s is %s)", ErrUnverified, id, r.State)
	}
	f, ok, err := openMatching(a.redactedPath(r.SHA256), r.SHA256)
	if err != nil {
		return nil, r, fmt.Errorf("archive: the redacted copy %s: %w", id, err)
	}
	if !ok {
		return nil, r, fmt.Errorf("%w (the file of redaction %s no longer matches its SHA-256)", ErrUnverified, id)
	}
	return f, r, nil
}

// redactedPath is where the redacted copy with that SHA-256 lives.
func (a *Archive) redactedPath(sum string) string {
	return RedactedFile(a.c.Dir, sum)
}

// String counts the marks, for custody and audit.
func (m Marks) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d terms", len(m.Terms))
	if len(m.Boxes) > 0 {
		fmt.Fprintf(&b, ", %d boxes", len(m.Boxes))
	}
	return b.String()
}
