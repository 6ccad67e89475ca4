package store

import (
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
}

// Source is someone who came to the dropbox.
type Source struct {
	ID          string
	LoginHash   []byte // SHA-256 of the codename-derived login key
	Recipient   string // the source's own age recipient, for replies
	Designation string // "adjective noun", for journalists
	Created     Day
	Active      Day
}

// Item kinds.
const (
	KindMessage = "message"
	KindFile    = "file"
	KindReply   = "reply"
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
	Seq          int64 // order within the instance; set by the store
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
	// DeleteItem deletes one of a source's items of a kind and returns it, so
	// the caller can remove its blob.
	DeleteItem(ctx context.Context, sourceID, itemID, kind string) (Item, error)
	// BlobReferenced reports whether any item names the blob.
	BlobReferenced(ctx context.Context, blob string) (bool, error)
}
