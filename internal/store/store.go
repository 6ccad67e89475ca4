package store

import (
	"confide/internal/api"
	"context"
	"errors"
	"time"
)

// ErrNotFound means the row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict means a unique value (a name, a designation) is already taken.
var ErrConflict = errors.New("store: already exists")

// Day is a coarse date: days since the Unix epoch. Journalists see no finer
// time than this, so the store records no finer time about sources.
type Day int64

// Today returns the current Day.
func Today() Day { return DayOf(time.Now()) }

// DayOf returns the Day of t.
func DayOf(t time.Time) Day { return Day(t.Unix() / 86400) }

// dayStart is t as the Unix time of its day's midnight UTC: what the store
// keeps of an instant that needs no finer time.
func dayStart(t time.Time) int64 { return int64(DayOf(t)) * 86400 }

// minute is t as Unix seconds, rounded up to the minute: what the store
// keeps of an expiry. A session or token ends less than a minute late,
// never before the expiry its holder was told (the API answers it).
func minute(t time.Time) int64 {
	m := t.Truncate(time.Minute)
	if m.Before(t) {
		m = m.Add(time.Minute)
	}
	return m.Unix()
}

// Time returns midnight UTC of the day.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Journalist is a newsroom member and the age recipient sources' material is
// encrypted to.
type Journalist struct {
	ID        string
	Name      string
	Recipient string
	Admin     bool
	Created   Day
	// PassHash is an Argon2id PHC string; empty until credentials are set.
	PassHash string
	// TOTPSecret is the base32 RFC 6238 secret; TOTPLast the last time-step
	// accepted, so no code works twice.
	TOTPSecret    string
	TOTPLast      int64
	TOTPConfirmed bool
	// Failures counts failed logins since the last success; LockedUntil is
	// a Unix time before which logins are refused.
	Failures    int
	LockedUntil int64
}

// Source is someone who came to the dropbox.
type Source struct {
	ID          string
	LoginHash   []byte // SHA-256 of the codename-derived login key
	Recipient   string // the source's own age recipient, for replies
	Designation string // "adjective noun", for journalists
	Created     Day
	Active      Day // the last day the source submitted or logged in
	Starred     bool
	Hidden      bool   // hidden from the inbox as abusive; the source is not told
	Assignee    string // a journalist's name, a desk, or ""
	LastSeq     int64  // the newest item's Seq: orders the inbox without a clock
}

// Item kinds: the API's (the sync lists them, the manifests name them).
const (
	KindMessage = api.KindMessage
	KindFile    = api.KindFile
	KindReply   = api.KindReply
)

// Item is one encrypted thing in a conversation: a message or file from the
// source, or a reply to it. Blob names the ciphertext in the blob store.
type Item struct {
	ID           string
	SourceID     string
	SubmissionID string // empty for replies
	Kind         string
	Blob         string
	Size         int64  // ciphertext bytes
	Manifest     []byte // sealed seal.Manifest
	Created      Day
	Seq          int64  // order within the instance; set by the store
	Author       string // for replies: the journalist's ID
	// SHA256 is the hash of the ciphertext as served; nil until computed.
	SHA256 []byte
}

// Store is everything Confide keeps outside the blob folder.
type Store interface {
	// Close releases the database.
	Close() error

	// Salt returns the per-instance salt, creating it on first use.
	Salt(ctx context.Context) ([]byte, error)
	// Setting returns a named setting or ErrNotFound.
	Setting(ctx context.Context, name string) (string, error)
	// SetSetting stores a named setting.
	SetSetting(ctx context.Context, name, value string) error

	// AddJournalist registers a journalist; ErrConflict if the name is taken.
	AddJournalist(ctx context.Context, j Journalist) error
	// Journalists lists journalists by name.
	Journalists(ctx context.Context) ([]Journalist, error)
	// JournalistByName finds one journalist.
	JournalistByName(ctx context.Context, name string) (Journalist, error)
	// RemoveJournalist deletes a journalist by name.
	RemoveJournalist(ctx context.Context, name string) error

	// CreateSource records a new source; ErrConflict if its login hash or
	// designation exists.
	CreateSource(ctx context.Context, s Source) error
	// SourceByLogin finds a source by the hash of its login key.
	SourceByLogin(ctx context.Context, loginHash []byte) (Source, error)
	// SourceByID finds a source by ID.
	SourceByID(ctx context.Context, id string) (Source, error)

	// AddSubmission stores a submission's items at once: either all of them
	// become visible or none does. It marks the source active today.
	AddSubmission(ctx context.Context, sourceID, submissionID string, items []Item) error
	// AddReply stores one reply item.
	AddReply(ctx context.Context, it Item) error
	// Items lists a source's items of the given kinds (all if none), oldest first.
	Items(ctx context.Context, sourceID string, kinds ...string) ([]Item, error)
	// DeleteItem deletes one of a source's items of a kind ("" for any) and
	// returns it, so the caller can remove its blob.
	DeleteItem(ctx context.Context, sourceID, itemID, kind string) (Item, error)
	// BlobReferenced reports whether any item names the blob.
	BlobReferenced(ctx context.Context, blob string) (bool, error)

	Newsroom
	Site
}

// Site is what the public site and its moderation need.
type Site interface {
	// SaveStory creates a story or updates the one with its slug in place.
	SaveStory(ctx context.Context, st Story) (Story, error)
	// StoryBySlug finds a story in any state.
	StoryBySlug(ctx context.Context, slug string) (Story, error)
	// Stories lists stories, newest first.
	Stories(ctx context.Context, q StoryQuery) ([]Story, error)
	// AuthorBySlug finds an author.
	AuthorBySlug(ctx context.Context, slug string) (Author, error)
	// SetStoryState publishes, schedules or unpublishes a story.
	SetStoryState(ctx context.Context, id, state string) error
	// SetCommentsClosed closes or opens a story's comments.
	SetCommentsClosed(ctx context.Context, id string, closed bool) error
	// CreateReader registers a reader.
	CreateReader(ctx context.Context, r Reader) error
	// ReaderByEmail finds a reader by email.
	ReaderByEmail(ctx context.Context, email string) (Reader, error)
	// ReaderByID finds a reader.
	ReaderByID(ctx context.Context, id string) (Reader, error)
	// UpdateReader saves a reader's mutable fields.
	UpdateReader(ctx context.Context, r Reader) error
	// CreateReaderToken stores a reader token by hash.
	CreateReaderToken(ctx context.Context, hash []byte, readerID, kind string, expires time.Time) error
	// ReaderToken resolves a live token.
	ReaderToken(ctx context.Context, hash []byte, kind string, now time.Time) (string, error)
	// DeleteReaderToken deletes a token.
	DeleteReaderToken(ctx context.Context, hash []byte) error
	// DeleteReaderTokens deletes a reader's tokens of a kind.
	DeleteReaderTokens(ctx context.Context, readerID, kind string) error
	// AddComment stores a comment.
	AddComment(ctx context.Context, c Comment) error
	// StoryComments lists what a reader may see of a story's comments.
	StoryComments(ctx context.Context, storyID, readerID string) ([]Comment, error)
	// CommentsByState lists comments in a state.
	CommentsByState(ctx context.Context, state string) ([]Comment, error)
	// ReportedComments lists reported approved comments.
	ReportedComments(ctx context.Context) ([]Comment, error)
	// CommentByID finds a comment.
	CommentByID(ctx context.Context, id string) (Comment, error)
	// SetCommentState moderates a comment.
	SetCommentState(ctx context.Context, id, state string) error
	// EditComment replaces a comment's body.
	EditComment(ctx context.Context, id, body string, at time.Time) error
	// DeleteComment deletes a comment and its replies.
	DeleteComment(ctx context.Context, id string) error
	// ReportComment counts a report against a comment.
	ReportComment(ctx context.Context, id string) error
	// CountRecentComments counts comments since a time.
	CountRecentComments(ctx context.Context, readerID string, since time.Time) (int, error)
	// SaveDocument publishes a document or replaces the one with its slug.
	SaveDocument(ctx context.Context, d Document) (updated bool, err error)
	// DocumentBySlug finds a published document with its files.
	DocumentBySlug(ctx context.Context, slug string) (Document, error)
	// Documents lists the published documents.
	Documents(ctx context.Context) ([]Document, error)
	// DeleteDocument unpublishes a document and returns its files.
	DeleteDocument(ctx context.Context, slug string) ([]DocumentFile, error)
	// DocumentFileReferenced reports whether a document holds a file.
	DocumentFileReferenced(ctx context.Context, sha256 string) (bool, error)
}

// Newsroom is what the journalists' zone needs beyond the dropbox.
type Newsroom interface {
	// JournalistByID finds one journalist.
	JournalistByID(ctx context.Context, id string) (Journalist, error)
	// SetPassphrase replaces a passphrase hash and clears lock-outs.
	SetPassphrase(ctx context.Context, id, hash string) error
	// SetTOTP replaces the TOTP secret.
	SetTOTP(ctx context.Context, id, secret string, confirmed bool) error
	// ConfirmTOTP marks the TOTP secret as set up in the journalist's app.
	ConfirmTOTP(ctx context.Context, id string) error
	// UseTOTPStep consumes a time-step; false means it was used already.
	UseTOTPStep(ctx context.Context, id string, step int64) (bool, error)
	// LoginFailed records a failed login.
	LoginFailed(ctx context.Context, id string, lockedUntil int64) error
	// LoginSucceeded clears failures.
	LoginSucceeded(ctx context.Context, id string) error
	// SetRecipient rotates a journalist's age recipient.
	SetRecipient(ctx context.Context, id, recipient string) error

	// CreateSession stores a journalist session.
	CreateSession(ctx context.Context, sess Session) error
	// SessionByHash finds a live session.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// ExtendSession moves a session's expiry.
	ExtendSession(ctx context.Context, hash []byte, expires time.Time) error
	// SetSessionData stores a ceremony's state in a session.
	SetSessionData(ctx context.Context, hash []byte, data string) error
	// AddSecurityKey stores a WebAuthn credential.
	AddSecurityKey(ctx context.Context, journalistID, credentialID, credential string) error
	// UpdateSecurityKey replaces a stored WebAuthn credential.
	UpdateSecurityKey(ctx context.Context, credentialID, credential string) error
	// SecurityKeys lists a journalist's WebAuthn credentials.
	SecurityKeys(ctx context.Context, journalistID string) ([]string, error)
	// DeleteSecurityKeys removes a journalist's WebAuthn credentials.
	DeleteSecurityKeys(ctx context.Context, journalistID string) error
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteSessions ends all of a journalist's sessions.
	DeleteSessions(ctx context.Context, journalistID string) error

	// ListSources returns inbox rows, newest activity first.
	ListSources(ctx context.Context, q SourceQuery) ([]SourceSummary, error)
	// SourceByDesignation finds a source by designation.
	SourceByDesignation(ctx context.Context, designation string) (Source, error)
	// SetStarred stars or unstars a source.
	SetStarred(ctx context.Context, id string, v bool) error
	// SetHidden hides or shows a source.
	SetHidden(ctx context.Context, id string, v bool) error
	// SetAssignee assigns a source.
	SetAssignee(ctx context.Context, id, assignee string) error
	// TouchSource marks a source active today.
	TouchSource(ctx context.Context, id string) error
	// DeleteSource removes a source's rows and returns its blobs.
	DeleteSource(ctx context.Context, id string) ([]string, error)
	// InactiveSources lists sources inactive since before a day.
	InactiveSources(ctx context.Context, before Day) ([]string, error)
	// MarkSeen records items as seen by a journalist.
	MarkSeen(ctx context.Context, journalistID string, itemIDs ...string) error
	// Seen returns the items of a source a journalist has seen.
	Seen(ctx context.Context, journalistID, sourceID string) (map[string]bool, error)
	// ItemByID finds one item.
	ItemByID(ctx context.Context, id string) (Item, error)
	// SetItemSHA256 records the hash of an item's ciphertext.
	SetItemSHA256(ctx context.Context, id string, sum []byte) error
	// ItemsSince lists items after a Seq.
	ItemsSince(ctx context.Context, seq int64, limit int) ([]Item, error)
	// TombstonesSince lists deletions after a Seq.
	TombstonesSince(ctx context.Context, seq int64) ([]Tombstone, error)
	// CountSubmissionsSince counts submissions after a Seq.
	CountSubmissionsSince(ctx context.Context, seq int64) (int, int64, error)
	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, journalist, action, detail string) error
	// AuditLog returns the newest audit entries.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
}
