package store

import (
	"context"
	"strings"
	"time"
)

// SourceQuery selects sources for the inbox.
type SourceQuery struct {
	JournalistID string // whose unread counts
	Starred      bool
	Unread       bool
	Assignee     string // only sources assigned to this name
	Hidden       bool   // hidden sources only (otherwise they are left out)
	Limit        int    // 0: no limit
	Offset       int
}

// SourceSummary is one inbox row.
type SourceSummary struct {
	Source
	Items   int // messages and files from the source
	Unread  int // of those, not yet seen by the journalist
	Replies int
}

// Session is a journalist's web or API session, stored by token hash so
// several newsroom servers can share it.
type Session struct {
	TokenHash    []byte
	JournalistID string
	Kind         string // "web", "setup", "key" or "api"
	Expires      time.Time
	// Data holds a ceremony's state (a WebAuthn challenge) between requests.
	Data string
}

// Tombstone records a deleted item, so workstations can sync deletions. It
// names the item's random ID and nothing else: not its source, which a
// deletion is meant to erase.
type Tombstone struct {
	Seq    int64
	ItemID string
}

// AuditEntry is one journalist action.
type AuditEntry struct {
	Seq        int64
	At         time.Time // midnight UTC of the entry's day
	Journalist string
	Action     string
	Detail     string
}

// JournalistByID finds one journalist.
func (s *DB) JournalistByID(ctx context.Context, id string) (Journalist, error) {
	j, err := scanJournalist(s.db.QueryRowContext(ctx, s.q(`SELECT `+journalistCols+` FROM journalists WHERE id = ?`), id))
	return j, s.wrap("journalist", err)
}

func (s *DB) updateJournalist(ctx context.Context, op, set, id string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE journalists SET `+set+` WHERE id = ?`), append(args, id)...)
	if err != nil {
		return s.wrap(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetPassphrase replaces a journalist's passphrase hash.
func (s *DB) SetPassphrase(ctx context.Context, id, hash string) error {
	return s.updateJournalist(ctx, "set passphrase", `pass_hash = ?, failures = 0, locked_until = 0`, id, hash)
}

// SetTOTP replaces the second factor; confirmed is false until the
// journalist proves, at first login, that their app has it.
func (s *DB) SetTOTP(ctx context.Context, id, secret string, confirmed bool) error {
	return s.updateJournalist(ctx, "set totp", `totp_secret = ?, totp_last = 0, totp_confirmed = ?`, id, secret, boolInt(confirmed))
}

// ConfirmTOTP marks the second factor as set up.
func (s *DB) ConfirmTOTP(ctx context.Context, id string) error {
	return s.updateJournalist(ctx, "confirm totp", `totp_confirmed = 1`, id)
}

// UseTOTPStep records time-step step as used. It reports false if that step
// or a later one was already used: the atomic guard against replay.
func (s *DB) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE journalists SET totp_last = ? WHERE id = ? AND totp_last < ?`), step, id, step)
	if err != nil {
		return false, s.wrap("use totp", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LoginFailed counts a failure and sets the lock-out time.
func (s *DB) LoginFailed(ctx context.Context, id string, lockedUntil int64) error {
	return s.updateJournalist(ctx, "login failed", `failures = failures + 1, locked_until = ?`, id, lockedUntil)
}

// LoginSucceeded clears the failure count.
func (s *DB) LoginSucceeded(ctx context.Context, id string) error {
	return s.updateJournalist(ctx, "login succeeded", `failures = 0, locked_until = 0`, id)
}

// SetRecipient rotates a journalist's age recipient. What was encrypted to
// the old one stays readable only with the old key.
func (s *DB) SetRecipient(ctx context.Context, id, recipient string) error {
	return s.updateJournalist(ctx, "set recipient", `recipient = ?`, id, recipient)
}

// CreateSession stores a session, its expiry rounded up to the minute, and deletes
// every expired one: a session row says when a journalist was last active,
// so none outlives its use until that journalist happens to come back.
func (s *DB) CreateSession(ctx context.Context, sess Session) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM journalist_sessions WHERE expires < ?`), time.Now().Unix()); err != nil {
		return s.wrap("create session", err)
	}
	return s.insertNew(ctx, s.db, "create session", `INSERT INTO journalist_sessions (token_hash, journalist_id, kind, expires) VALUES (?, ?, ?, ?)`,
		sess.TokenHash, sess.JournalistID, sess.Kind, minute(sess.Expires))
}

// SessionByHash finds a live session; an expired one is deleted and reported
// as ErrNotFound.
func (s *DB) SessionByHash(ctx context.Context, hash []byte) (Session, error) {
	var sess Session
	var exp int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT token_hash, journalist_id, kind, expires, data FROM journalist_sessions WHERE token_hash = ?`), hash).
		Scan(&sess.TokenHash, &sess.JournalistID, &sess.Kind, &exp, &sess.Data)
	if err != nil {
		return Session{}, s.wrap("session", err)
	}
	sess.Expires = time.Unix(exp, 0)
	if time.Now().After(sess.Expires) {
		s.DeleteSession(ctx, hash)
		return Session{}, ErrNotFound
	}
	return sess, nil
}

// ExtendSession moves a session's expiry, rounded up to the minute.
func (s *DB) ExtendSession(ctx context.Context, hash []byte, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE journalist_sessions SET expires = ? WHERE token_hash = ?`), minute(expires), hash)
	return s.wrap("extend session", err)
}

// SetSessionData stores a ceremony's state in a session.
func (s *DB) SetSessionData(ctx context.Context, hash []byte, data string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE journalist_sessions SET data = ? WHERE token_hash = ?`), data, hash)
	return s.wrap("session data", err)
}

// AddSecurityKey stores a WebAuthn credential (as JSON) for a journalist,
// with the day it was added.
func (s *DB) AddSecurityKey(ctx context.Context, journalistID, credentialID, credential string) error {
	return s.insertNew(ctx, s.db, "add security key", `INSERT INTO webauthn_credentials (id, journalist_id, credential, created) VALUES (?, ?, ?, ?)`,
		credentialID, journalistID, credential, dayStart(time.Now()))
}

// UpdateSecurityKey replaces a stored credential (its sign counter moves).
func (s *DB) UpdateSecurityKey(ctx context.Context, credentialID, credential string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE webauthn_credentials SET credential = ? WHERE id = ?`), credential, credentialID)
	return s.wrap("update security key", err)
}

// SecurityKeys returns a journalist's WebAuthn credentials as JSON.
func (s *DB) SecurityKeys(ctx context.Context, journalistID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT credential FROM webauthn_credentials WHERE journalist_id = ? ORDER BY created, id`), journalistID)
	if err != nil {
		return nil, s.wrap("security keys", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, s.wrap("security keys", err)
		}
		out = append(out, c)
	}
	return out, s.wrap("security keys", rows.Err())
}

// DeleteSecurityKeys removes all of a journalist's security keys, as when
// their second factor is reset.
func (s *DB) DeleteSecurityKeys(ctx context.Context, journalistID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM webauthn_credentials WHERE journalist_id = ?`), journalistID)
	return s.wrap("delete security keys", err)
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM journalist_sessions WHERE token_hash = ?`), hash)
	return s.wrap("delete session", err)
}

// DeleteSessions ends every session of a journalist, as after a reset.
func (s *DB) DeleteSessions(ctx context.Context, journalistID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM journalist_sessions WHERE journalist_id = ? OR expires < ?`), journalistID, time.Now().Unix())
	return s.wrap("delete sessions", err)
}

// ListSources returns inbox rows, newest activity first.
func (s *DB) ListSources(ctx context.Context, q SourceQuery) ([]SourceSummary, error) {
	var where []string
	args := []any{q.JournalistID}
	if q.Hidden {
		where = append(where, `s.hidden = 1`)
	} else {
		where = append(where, `s.hidden = 0`)
	}
	if q.Starred {
		where = append(where, `s.starred = 1`)
	}
	if q.Assignee != "" {
		where = append(where, `s.assignee = ?`)
		args = append(args, q.Assignee)
	}
	query := `SELECT ` + prefixCols("s.", sourceCols) + `,
		(SELECT COUNT(*) FROM items i WHERE i.source_id = s.id AND i.kind <> 'reply') AS n_items,
		(SELECT COUNT(*) FROM items i WHERE i.source_id = s.id AND i.kind <> 'reply'
			AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.item_id = i.id AND seen.journalist_id = ?)) AS n_unread,
		(SELECT COUNT(*) FROM items i WHERE i.source_id = s.id AND i.kind = 'reply') AS n_replies
		FROM sources s WHERE ` + strings.Join(where, " AND ")
	if q.Unread {
		query = `SELECT * FROM (` + query + `) x WHERE n_unread > 0`
	}
	query += ` ORDER BY last_seq DESC, id`
	if q.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, q.Limit, q.Offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.wrap("list sources", err)
	}
	defer rows.Close()
	var out []SourceSummary
	for rows.Next() {
		var sum SourceSummary
		var c, a int64
		var starred, hidden int
		err := rows.Scan(&sum.ID, &sum.LoginHash, &sum.Recipient, &sum.Designation, &c, &a, &starred, &hidden, &sum.Assignee, &sum.LastSeq,
			&sum.Items, &sum.Unread, &sum.Replies)
		if err != nil {
			return nil, s.wrap("list sources", err)
		}
		sum.Created, sum.Active, sum.Starred, sum.Hidden = Day(c), Day(a), starred != 0, hidden != 0
		out = append(out, sum)
	}
	return out, s.wrap("list sources", rows.Err())
}

func prefixCols(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// SourceByDesignation finds a source by its designation.
func (s *DB) SourceByDesignation(ctx context.Context, d string) (Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, s.q(`SELECT `+sourceCols+` FROM sources WHERE designation = ?`), d))
	return src, s.wrap("source", err)
}

func (s *DB) updateSource(ctx context.Context, op, set, id string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE sources SET `+set+` WHERE id = ?`), append(args, id)...)
	if err != nil {
		return s.wrap(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetStarred stars or unstars a source.
func (s *DB) SetStarred(ctx context.Context, id string, v bool) error {
	return s.updateSource(ctx, "star", `starred = ?`, id, boolInt(v))
}

// SetHidden hides or shows a source.
func (s *DB) SetHidden(ctx context.Context, id string, v bool) error {
	return s.updateSource(ctx, "hide", `hidden = ?`, id, boolInt(v))
}

// SetAssignee assigns a source to a journalist or desk ("" for nobody).
func (s *DB) SetAssignee(ctx context.Context, id, assignee string) error {
	return s.updateSource(ctx, "assign", `assignee = ?`, id, assignee)
}

// TouchSource marks a source active today (it logged in).
func (s *DB) TouchSource(ctx context.Context, id string) error {
	return s.updateSource(ctx, "touch", `active_day = ?`, id, int64(Today()))
}

// DeleteSource deletes a source and every row of it, and returns the blobs
// to remove.
func (s *DB) DeleteSource(ctx context.Context, id string) ([]string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("delete source", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id, blob FROM items WHERE source_id = ?`), id)
	if err != nil {
		return nil, s.wrap("delete source", err)
	}
	var blobs, itemIDs []string
	for rows.Next() {
		var itemID, b string
		if err := rows.Scan(&itemID, &b); err != nil {
			rows.Close()
			return nil, s.wrap("delete source", err)
		}
		blobs, itemIDs = append(blobs, b), append(itemIDs, itemID)
	}
	rows.Close()
	for _, itemID := range itemIDs {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tombstones (item_id) VALUES (?)`), itemID); err != nil {
			return nil, s.wrap("delete source", err)
		}
	}
	// Explicit deletes rather than relying on cascades alone, so nothing of
	// the source is left whatever the backend's foreign-key settings.
	for _, q := range []string{`DELETE FROM seen WHERE item_id IN (SELECT id FROM items WHERE source_id = ?)`,
		`DELETE FROM items WHERE source_id = ?`, `DELETE FROM submissions WHERE source_id = ?`} {
		if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
			return nil, s.wrap("delete source", err)
		}
	}
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM sources WHERE id = ?`), id)
	if err != nil {
		return nil, s.wrap("delete source", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	if err := tx.Commit(); err != nil {
		return nil, s.wrap("delete source", err)
	}
	s.eraseSoon()
	return blobs, nil
}

// InactiveSources lists sources whose last activity is before day.
func (s *DB) InactiveSources(ctx context.Context, before Day) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id FROM sources WHERE active_day < ?`), int64(before))
	if err != nil {
		return nil, s.wrap("inactive sources", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("inactive sources", err)
		}
		out = append(out, id)
	}
	return out, s.wrap("inactive sources", rows.Err())
}

// MarkSeen records that a journalist has seen items.
func (s *DB) MarkSeen(ctx context.Context, journalistID string, itemIDs ...string) error {
	for _, id := range itemIDs {
		_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO seen (journalist_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), journalistID, id)
		if err != nil {
			return s.wrap("mark seen", err)
		}
	}
	return nil
}

// Seen returns which of a source's items a journalist has seen.
func (s *DB) Seen(ctx context.Context, journalistID, sourceID string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seen.item_id FROM seen JOIN items ON items.id = seen.item_id
		WHERE seen.journalist_id = ? AND items.source_id = ?`), journalistID, sourceID)
	if err != nil {
		return nil, s.wrap("seen", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("seen", err)
		}
		out[id] = true
	}
	return out, s.wrap("seen", rows.Err())
}

// ItemByID finds one item.
func (s *DB) ItemByID(ctx context.Context, id string) (Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, s.q(`SELECT `+itemCols+` FROM items WHERE id = ?`), id))
	return it, s.wrap("item", err)
}

// SetItemSHA256 records the hash of an item's ciphertext.
func (s *DB) SetItemSHA256(ctx context.Context, id string, sum []byte) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE items SET sha256 = ? WHERE id = ?`), sum, id)
	if err != nil {
		return s.wrap("set item hash", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ItemsSince lists items with Seq above seq, oldest first, at most limit.
func (s *DB) ItemsSince(ctx context.Context, seq int64, limit int) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+itemCols+` FROM items WHERE seq > ? ORDER BY seq LIMIT ?`), seq, limit)
	if err != nil {
		return nil, s.wrap("items since", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, s.wrap("items since", err)
		}
		out = append(out, it)
	}
	return out, s.wrap("items since", rows.Err())
}

// TombstonesSince lists deletions with Seq above seq.
func (s *DB) TombstonesSince(ctx context.Context, seq int64) ([]Tombstone, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, item_id FROM tombstones WHERE seq > ? ORDER BY seq`), seq)
	if err != nil {
		return nil, s.wrap("tombstones", err)
	}
	defer rows.Close()
	var out []Tombstone
	for rows.Next() {
		var t Tombstone
		if err := rows.Scan(&t.Seq, &t.ItemID); err != nil {
			return nil, s.wrap("tombstones", err)
		}
		out = append(out, t)
	}
	return out, s.wrap("tombstones", rows.Err())
}

// CountSubmissionsSince counts source items (not replies) with Seq above seq,
// and returns the newest Seq, for the digest.
func (s *DB) CountSubmissionsSince(ctx context.Context, seq int64) (int, int64, error) {
	var n int
	var last int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(DISTINCT submission_id), COALESCE(MAX(seq), ?) FROM items WHERE seq > ? AND kind <> 'reply'`), seq, seq).Scan(&n, &last)
	return n, last, s.wrap("count submissions", err)
}

// Audit appends to the audit log. An entry keeps its day, not its time: the
// log orders entries (seq) and tells admins who did what on which day, but
// exact times of downloads and replies would let whoever seizes it line
// them up with a source's visits.
func (s *DB) Audit(ctx context.Context, journalist, action, detail string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO audit (at, journalist, action, detail) VALUES (?, ?, ?, ?)`),
		dayStart(time.Now()), journalist, action, detail)
	return s.wrap("audit", err)
}

// AuditLog returns the newest entries first.
func (s *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, at, journalist, action, detail FROM audit ORDER BY seq DESC LIMIT ?`), limit)
	if err != nil {
		return nil, s.wrap("audit log", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Journalist, &e.Action, &e.Detail); err != nil {
			return nil, s.wrap("audit log", err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, s.wrap("audit log", rows.Err())
}
