package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Story states.
const (
	StoryDraft     = "draft"
	StoryScheduled = "scheduled"
	StoryPublished = "published"
)

// Author is a byline with its bio.
type Author struct {
	Slug, Name, Bio string
}

// Story is a published or draft article. Body is Markdown.
type Story struct {
	ID             string
	Slug           string
	Title          string
	Standfirst     string
	Body           string
	PullQuotes     []string
	Author         Author
	Tags           []string
	State          string
	Published      time.Time
	Updated        time.Time
	CommentsClosed bool
	// Lang is the story's language (a BCP 47 tag such as "en" or "ru"), so a
	// page in another language can mark it; "en" when none is given.
	Lang string
	// Cites are the slugs of the documents the body cites (story.Parse
	// finds them); SaveStory records them, so a document's page lists the
	// stories citing it. They are not read back with the story.
	Cites []string
}

// Live reports whether readers can see the story at t.
func (s Story) Live(t time.Time) bool {
	return s.State == StoryPublished || s.State == StoryScheduled && !s.Published.After(t)
}

// Reader is a registered reader of the public site.
type Reader struct {
	ID          string
	Email       string
	Name        string
	PassHash    string
	Verified    bool
	Banned      bool
	Approved    int // comments approved so far
	Failures    int
	LockedUntil int64
	Created     time.Time // midnight UTC of the day the reader registered
}

// Comment states.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
	CommentRemoved  = "removed"
)

// Comment is a reader's comment on a story.
type Comment struct {
	ID       string
	StoryID  string
	ReaderID string
	Reader   string // the reader's display name
	ParentID string
	Body     string
	State    string
	Created  time.Time
	Edited   time.Time
	Reports  int
	Story    string // the story's slug, for moderation lists
}

// sep joins lists stored in one column; it cannot occur in a tag or quote.
const sep = "\x1f"

// SaveStory creates a story, or updates the one with the same slug in place.
func (s *DB) SaveStory(ctx context.Context, st Story) (Story, error) {
	if st.Lang == "" {
		st.Lang = "en"
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return st, s.wrap("save story", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO authors (slug, name, bio) VALUES (?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET name = excluded.name, bio = excluded.bio`), st.Author.Slug, st.Author.Name, st.Author.Bio); err != nil {
		return st, s.wrap("save story", err)
	}
	var id string
	err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM stories WHERE slug = ?`), st.Slug).Scan(&id)
	now := time.Now().Unix()
	switch {
	case err == nil:
		st.ID = id
		_, err = tx.ExecContext(ctx, s.q(`UPDATE stories SET title = ?, standfirst = ?, body = ?, pull_quotes = ?, author = ?, tags = ?,
			state = ?, published = ?, updated = ?, lang = ? WHERE id = ?`), st.Title, st.Standfirst, st.Body, strings.Join(st.PullQuotes, sep),
			st.Author.Slug, strings.Join(st.Tags, sep), st.State, st.Published.Unix(), now, st.Lang, id)
	case s.wrap("", err) == ErrNotFound:
		st.ID = NewID()
		// A draft's slug can name its subject: a concurrent save of the same
		// one must not log it as a violation.
		err = s.insertNew(ctx, tx, "save story", `INSERT INTO stories (id, slug, title, standfirst, body, pull_quotes, author, tags, state, published, updated, lang)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.ID, st.Slug, st.Title, st.Standfirst, st.Body, strings.Join(st.PullQuotes, sep),
			st.Author.Slug, strings.Join(st.Tags, sep), st.State, st.Published.Unix(), now, st.Lang)
	}
	if errors.Is(err, ErrConflict) {
		return st, err
	}
	if err != nil {
		return st, s.wrap("save story", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM story_tags WHERE story_id = ?`), st.ID); err != nil {
		return st, s.wrap("save story", err)
	}
	for _, t := range st.Tags {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_tags (story_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`), st.ID, t); err != nil {
			return st, s.wrap("save story", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM story_cites WHERE story_id = ?`), st.ID); err != nil {
		return st, s.wrap("save story", err)
	}
	for _, c := range st.Cites {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_cites (story_id, doc_slug) VALUES (?, ?) ON CONFLICT DO NOTHING`), st.ID, c); err != nil {
			return st, s.wrap("save story", err)
		}
	}
	st.Updated = time.Unix(now, 0)
	return st, s.wrap("save story", tx.Commit())
}

const storyCols = `s.id, s.slug, s.title, s.standfirst, s.body, s.pull_quotes, s.tags, s.state, s.published, s.updated, s.comments_closed, s.lang, a.slug, a.name, a.bio`

func scanStory(sc interface{ Scan(...any) error }) (Story, error) {
	var st Story
	var quotes, tags string
	var pub, upd int64
	var closed int
	err := sc.Scan(&st.ID, &st.Slug, &st.Title, &st.Standfirst, &st.Body, &quotes, &tags, &st.State, &pub, &upd, &closed, &st.Lang, &st.Author.Slug, &st.Author.Name, &st.Author.Bio)
	st.PullQuotes, st.Tags = splitList(quotes), splitList(tags)
	st.Published, st.Updated, st.CommentsClosed = time.Unix(pub, 0).UTC(), time.Unix(upd, 0).UTC(), closed != 0
	return st, err
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

const storyFrom = ` FROM stories s JOIN authors a ON a.slug = s.author`

// StoryBySlug finds a story in any state.
func (s *DB) StoryBySlug(ctx context.Context, slug string) (Story, error) {
	st, err := scanStory(s.db.QueryRowContext(ctx, s.q(`SELECT `+storyCols+storyFrom+` WHERE s.slug = ?`), slug))
	return st, s.wrap("story", err)
}

// StoryQuery selects stories.
type StoryQuery struct {
	LiveAt time.Time // only stories readers can see at this time (zero: all)
	Tag    string
	Author string
	Cites  string // only stories citing this document
	Limit  int
}

// Stories lists stories, newest first.
func (s *DB) Stories(ctx context.Context, q StoryQuery) ([]Story, error) {
	query := `SELECT ` + storyCols + storyFrom
	var where []string
	var args []any
	if !q.LiveAt.IsZero() {
		where = append(where, `(s.state = 'published' OR (s.state = 'scheduled' AND s.published <= ?))`)
		args = append(args, q.LiveAt.Unix())
	}
	if q.Tag != "" {
		where = append(where, `s.id IN (SELECT story_id FROM story_tags WHERE tag = ?)`)
		args = append(args, q.Tag)
	}
	if q.Author != "" {
		where = append(where, `s.author = ?`)
		args = append(args, q.Author)
	}
	if q.Cites != "" {
		where = append(where, `s.id IN (SELECT story_id FROM story_cites WHERE doc_slug = ?)`)
		args = append(args, q.Cites)
	}
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY s.published DESC, s.id`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.wrap("stories", err)
	}
	defer rows.Close()
	var out []Story
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return nil, s.wrap("stories", err)
		}
		out = append(out, st)
	}
	return out, s.wrap("stories", rows.Err())
}

// AuthorBySlug finds an author.
func (s *DB) AuthorBySlug(ctx context.Context, slug string) (Author, error) {
	var a Author
	err := s.db.QueryRowContext(ctx, s.q(`SELECT slug, name, bio FROM authors WHERE slug = ?`), slug).Scan(&a.Slug, &a.Name, &a.Bio)
	return a, s.wrap("author", err)
}

// SetStoryState publishes, schedules or unpublishes a story.
func (s *DB) SetStoryState(ctx context.Context, id, state string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE stories SET state = ?, updated = ? WHERE id = ?`), state, time.Now().Unix(), id)
	if err != nil {
		return s.wrap("story state", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetCommentsClosed closes or opens a story's comments.
func (s *DB) SetCommentsClosed(ctx context.Context, id string, closed bool) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE stories SET comments_closed = ? WHERE id = ?`), boolInt(closed), id)
	if err != nil {
		return s.wrap("close comments", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateReader registers a reader, with the day of registration (no finer
// time: a sign-up's minute is nobody's business); ErrConflict if the email
// is taken.
func (s *DB) CreateReader(ctx context.Context, r Reader) error {
	return s.insertNew(ctx, s.db, "create reader", `INSERT INTO readers (id, email, name, pass_hash, created) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.Email, r.Name, r.PassHash, dayStart(time.Now()))
}

const readerCols = `id, email, name, pass_hash, verified, banned, approved, failures, locked_until, created`

func scanReader(sc interface{ Scan(...any) error }) (Reader, error) {
	var r Reader
	var verified, banned int
	var created int64
	err := sc.Scan(&r.ID, &r.Email, &r.Name, &r.PassHash, &verified, &banned, &r.Approved, &r.Failures, &r.LockedUntil, &created)
	r.Verified, r.Banned, r.Created = verified != 0, banned != 0, time.Unix(created, 0).UTC()
	return r, err
}

// ReaderByEmail finds a reader.
func (s *DB) ReaderByEmail(ctx context.Context, email string) (Reader, error) {
	r, err := scanReader(s.db.QueryRowContext(ctx, s.q(`SELECT `+readerCols+` FROM readers WHERE email = ?`), email))
	return r, s.wrap("reader", err)
}

// ReaderByID finds a reader.
func (s *DB) ReaderByID(ctx context.Context, id string) (Reader, error) {
	r, err := scanReader(s.db.QueryRowContext(ctx, s.q(`SELECT `+readerCols+` FROM readers WHERE id = ?`), id))
	return r, s.wrap("reader", err)
}

// UpdateReader sets a reader's mutable fields.
func (s *DB) UpdateReader(ctx context.Context, r Reader) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE readers SET name = ?, pass_hash = ?, verified = ?, banned = ?, approved = ?, failures = ?, locked_until = ? WHERE id = ?`),
		r.Name, r.PassHash, boolInt(r.Verified), boolInt(r.Banned), r.Approved, r.Failures, r.LockedUntil, r.ID)
	if err != nil {
		return s.wrap("update reader", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateReaderToken stores a token (session, verification or reset) by
// hash, its expiry rounded up to the minute, and deletes every expired token.
func (s *DB) CreateReaderToken(ctx context.Context, hash []byte, readerID, kind string, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM reader_tokens WHERE expires < ?`), time.Now().Unix()); err != nil {
		return s.wrap("reader token", err)
	}
	return s.insertNew(ctx, s.db, "reader token", `INSERT INTO reader_tokens (token_hash, reader_id, kind, expires) VALUES (?, ?, ?, ?)`, hash, readerID, kind, minute(expires))
}

// ReaderToken returns the reader a live token of kind belongs to.
func (s *DB) ReaderToken(ctx context.Context, hash []byte, kind string, now time.Time) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT reader_id FROM reader_tokens WHERE token_hash = ? AND kind = ? AND expires > ?`), hash, kind, now.Unix()).Scan(&id)
	return id, s.wrap("reader token", err)
}

// DeleteReaderToken deletes one token (used, or logged out).
func (s *DB) DeleteReaderToken(ctx context.Context, hash []byte) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM reader_tokens WHERE token_hash = ?`), hash)
	return s.wrap("reader token", err)
}

// DeleteReaderTokens deletes a reader's tokens of a kind ("" for all).
func (s *DB) DeleteReaderTokens(ctx context.Context, readerID, kind string) error {
	q, args := `DELETE FROM reader_tokens WHERE reader_id = ?`, []any{readerID}
	if kind != "" {
		q, args = q+` AND kind = ?`, append(args, kind)
	}
	_, err := s.db.ExecContext(ctx, s.q(q), args...)
	return s.wrap("reader tokens", err)
}

// AddComment stores a comment.
func (s *DB) AddComment(ctx context.Context, c Comment) error {
	return s.insertNew(ctx, s.db, "add comment", `INSERT INTO comments (id, story_id, reader_id, parent_id, body, state, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.StoryID, c.ReaderID, c.ParentID, c.Body, c.State, c.Created.Unix())
}

const commentCols = `c.id, c.story_id, c.reader_id, r.name, c.parent_id, c.body, c.state, c.created, c.edited, c.reports, s.slug`
const commentFrom = ` FROM comments c JOIN readers r ON r.id = c.reader_id JOIN stories s ON s.id = c.story_id`

func scanComment(sc interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var created, edited int64
	err := sc.Scan(&c.ID, &c.StoryID, &c.ReaderID, &c.Reader, &c.ParentID, &c.Body, &c.State, &created, &edited, &c.Reports, &c.Story)
	c.Created = time.Unix(created, 0).UTC()
	if edited > 0 {
		c.Edited = time.Unix(edited, 0).UTC()
	}
	return c, err
}

func (s *DB) comments(ctx context.Context, where string, args ...any) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+commentCols+commentFrom+` WHERE `+where+` ORDER BY c.created, c.parent_id <> '', c.id`), args...)
	if err != nil {
		return nil, s.wrap("comments", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, s.wrap("comments", err)
		}
		out = append(out, c)
	}
	return out, s.wrap("comments", rows.Err())
}

// StoryComments lists a story's comments that are approved, plus (when
// readerID is set) that reader's own pending ones, oldest first; within
// one second, comments before replies.
func (s *DB) StoryComments(ctx context.Context, storyID, readerID string) ([]Comment, error) {
	return s.comments(ctx, `c.story_id = ? AND (c.state = 'approved' OR (c.state = 'pending' AND c.reader_id = ?))`, storyID, readerID)
}

// CommentsByState lists comments awaiting or in a state, for moderation.
func (s *DB) CommentsByState(ctx context.Context, state string) ([]Comment, error) {
	return s.comments(ctx, `c.state = ?`, state)
}

// ReportedComments lists approved comments readers have reported.
func (s *DB) ReportedComments(ctx context.Context) ([]Comment, error) {
	return s.comments(ctx, `c.state = 'approved' AND c.reports > 0`)
}

// CommentByID finds one comment.
func (s *DB) CommentByID(ctx context.Context, id string) (Comment, error) {
	c, err := scanComment(s.db.QueryRowContext(ctx, s.q(`SELECT `+commentCols+commentFrom+` WHERE c.id = ?`), id))
	return c, s.wrap("comment", err)
}

// SetCommentState moderates a comment. Approving one counts towards its
// reader's approvals.
func (s *DB) SetCommentState(ctx context.Context, id, state string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("moderate", err)
	}
	defer tx.Rollback()
	var old, reader string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT state, reader_id FROM comments WHERE id = ?`), id).Scan(&old, &reader); err != nil {
		return s.wrap("moderate", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET state = ?, reports = 0 WHERE id = ?`), state, id); err != nil {
		return s.wrap("moderate", err)
	}
	if state == CommentApproved && old == CommentPending {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE readers SET approved = approved + 1 WHERE id = ?`), reader); err != nil {
			return s.wrap("moderate", err)
		}
	}
	return s.wrap("moderate", tx.Commit())
}

// EditComment replaces a comment's body.
func (s *DB) EditComment(ctx context.Context, id, body string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE comments SET body = ?, edited = ? WHERE id = ?`), body, at.Unix(), id)
	return s.wrap("edit comment", err)
}

// DeleteComment deletes a comment and the replies to it.
func (s *DB) DeleteComment(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM comments WHERE id = ? OR parent_id = ?`), id, id)
	return s.wrap("delete comment", err)
}

// ReportComment counts a report.
func (s *DB) ReportComment(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE comments SET reports = reports + 1 WHERE id = ?`), id)
	return s.wrap("report comment", err)
}

// CountRecentComments counts a reader's comments since t ("" for everyone).
func (s *DB) CountRecentComments(ctx context.Context, readerID string, since time.Time) (int, error) {
	q, args := `SELECT COUNT(*) FROM comments WHERE created >= ?`, []any{since.Unix()}
	if readerID != "" {
		q, args = q+` AND reader_id = ?`, append(args, readerID)
	}
	var n int
	err := s.db.QueryRowContext(ctx, s.q(q), args...).Scan(&n)
	return n, s.wrap("count comments", err)
}
