package archive

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"confide/internal/auth"
	"confide/internal/seal"
	"confide/internal/store"
)

// Roles of the archive's users.
const (
	RoleAdmin      = "admin"      // every collection, the audit log
	RoleJournalist = "journalist" // granted collections, originals included
	RoleTranslator = "translator" // granted collections, reading only: no originals
)

// ErrExists is AddUser's answer for a name already taken.
var ErrExists = errors.New("archive: a user of that name exists")

// User is an archive account as the web zone sees it.
type User struct {
	ID, Name, Role string
	// Collections are the granted ones; an admin has all.
	Collections []string
}

// Reads reports whether u may read a collection.
func (u User) Reads(collection string) bool {
	return u.Role == RoleAdmin || slices.Contains(u.Collections, collection)
}

// Exports reports whether u may download originals.
func (u User) Exports() bool { return u.Role != RoleTranslator }

// AddUser creates an account and returns its first secrets, shown once;
// issuer labels the TOTP secret in authenticator apps.
func (a *Archive) AddUser(ctx context.Context, issuer, name, role string, collections []string, p seal.Params) (auth.Credentials, error) {
	switch role {
	case RoleAdmin, RoleJournalist, RoleTranslator:
	default:
		return auth.Credentials{}, fmt.Errorf("archive: unknown role %q: admin, journalist or translator", role)
	}
	if name == "" || strings.ContainsAny(name, " \t\r\n/") || len(name) > 64 {
		return auth.Credentials{}, errors.New("archive: a user's name is one word of at most 64 characters")
	}
	creds, hash, secret, err := auth.NewCredentials(issuer, name, p)
	if err != nil {
		return auth.Credentials{}, err
	}
	tx, err := a.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return auth.Credentials{}, fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM archive_users WHERE name = ?`), name).Scan(&n); err != nil {
		return auth.Credentials{}, fmt.Errorf("archive: %w", err)
	}
	if n > 0 {
		return auth.Credentials{}, fmt.Errorf("%w: %q", ErrExists, name)
	}
	id := store.NewID()
	if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_users (id, name, role, pass_hash, totp_secret, created) VALUES (?, ?, ?, ?, ?, ?)`,
		id, name, role, hash, secret, now()); err != nil {
		return auth.Credentials{}, fmt.Errorf("archive: %w", err)
	}
	for _, c := range collections {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if _, err := a.db.exec(ctx, tx, `INSERT INTO archive_grants (user_id, collection) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, c); err != nil {
			return auth.Credentials{}, fmt.Errorf("archive: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return auth.Credentials{}, fmt.Errorf("archive: %w", err)
	}
	return creds, nil
}

// user finds an account by ID, with its grants.
func (a *Archive) user(ctx context.Context, id string) (User, error) {
	u := User{ID: id}
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT name, role FROM archive_users WHERE id = ?`), id).Scan(&u.Name, &u.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: no user %q", ErrNotFound, id)
	}
	if err != nil {
		return User{}, fmt.Errorf("archive: %w", err)
	}
	err = a.each(ctx, `SELECT collection FROM archive_grants WHERE user_id = ? ORDER BY collection`, []any{id}, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		u.Collections = append(u.Collections, c)
		return err
	})
	return u, err
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	At, Who, Action, Detail string
}

// Audit records what a user did (views, searches, exports, sign-ins).
func (a *Archive) Audit(ctx context.Context, who, action, detail string) error {
	_, err := a.db.exec(ctx, a.db.sql, `INSERT INTO archive_audit (at, who, action, detail) VALUES (?, ?, ?, ?)`, now(), who, action, detail)
	if err != nil {
		return fmt.Errorf("archive: audit: %w", err)
	}
	return nil
}

// Operator is who this process records in custody events and the audit
// log: Config.Who, or the OS user.
func (a *Archive) Operator() string { return a.c.Who }

// AuditLog returns the latest entries, newest first, skipping offset.
func (a *Archive) AuditLog(ctx context.Context, offset, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := a.each(ctx, `SELECT at, who, action, detail FROM archive_audit ORDER BY id DESC LIMIT ? OFFSET ?`, []any{limit, offset}, func(r *sql.Rows) error {
		var e AuditEntry
		err := r.Scan(&e.At, &e.Who, &e.Action, &e.Detail)
		out = append(out, e)
		return err
	})
	return out, err
}

// Accounts is the archive's users as auth.Store sees them.
func (a *Archive) Accounts() auth.Store { return accounts{a} }

// accounts adapts archive_users, archive_sessions and archive_keys to
// auth.Store. Token hashes are kept as hex, which both backends index alike.
type accounts struct{ a *Archive }

func (s accounts) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.a.db.exec(ctx, s.a.db.sql, q, args...)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	return n, nil
}

// one is exec for an update of one row; a missing row is auth.ErrNotFound.
func (s accounts) one(ctx context.Context, q string, args ...any) error {
	n, err := s.exec(ctx, q, args...)
	if err == nil && n == 0 {
		err = auth.ErrNotFound
	}
	return err
}

func (s accounts) AccountByName(ctx context.Context, name string) (auth.Account, error) {
	var a auth.Account
	var confirmed int
	err := s.a.db.sql.QueryRowContext(ctx, s.a.db.q(`SELECT id, name, pass_hash, totp_secret, totp_confirmed, failures, locked_until FROM archive_users WHERE name = ?`), name).
		Scan(&a.ID, &a.Name, &a.PassHash, &a.TOTPSecret, &confirmed, &a.Failures, &a.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Account{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.Account{}, fmt.Errorf("archive: %w", err)
	}
	a.TOTPConfirmed = confirmed == 1
	return a, nil
}

func (s accounts) LoginFailed(ctx context.Context, id string, lockedUntil int64) error {
	return s.one(ctx, `UPDATE archive_users SET failures = failures + 1, locked_until = ? WHERE id = ?`, lockedUntil, id)
}

func (s accounts) LoginSucceeded(ctx context.Context, id string) error {
	return s.one(ctx, `UPDATE archive_users SET failures = 0, locked_until = 0 WHERE id = ?`, id)
}

func (s accounts) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	// One guarded update: of two requests with the same step one wins.
	n, err := s.exec(ctx, `UPDATE archive_users SET totp_step = ? WHERE id = ? AND totp_step < ?`, step, id, step)
	return n == 1, err
}

func (s accounts) ConfirmTOTP(ctx context.Context, id string) error {
	return s.one(ctx, `UPDATE archive_users SET totp_confirmed = 1 WHERE id = ?`, id)
}

func (s accounts) SecurityKeys(ctx context.Context, id string) ([]string, error) {
	var out []string
	err := s.a.each(ctx, `SELECT credential FROM archive_keys WHERE user_id = ? ORDER BY credential_id`, []any{id}, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		out = append(out, c)
		return err
	})
	return out, err
}

func (s accounts) AddSecurityKey(ctx context.Context, id, credentialID, credential string) error {
	_, err := s.exec(ctx, `INSERT INTO archive_keys (credential_id, user_id, credential, created) VALUES (?, ?, ?, ?)`, credentialID, id, credential, now()[:10])
	return err
}

func (s accounts) UpdateSecurityKey(ctx context.Context, credentialID, credential string) error {
	return s.one(ctx, `UPDATE archive_keys SET credential = ? WHERE credential_id = ?`, credential, credentialID)
}

func (s accounts) CreateSession(ctx context.Context, sess auth.Session) error {
	// The expiry is rounded up to the second, never down.
	exp := sess.Expires.Unix()
	if sess.Expires.Nanosecond() > 0 {
		exp++
	}
	// Sessions that ended without a logout go as new ones start, so the
	// table holds only live ones.
	if _, err := s.exec(ctx, `DELETE FROM archive_sessions WHERE expires < ?`, time.Now().Unix()-86400); err != nil {
		return err
	}
	_, err := s.exec(ctx, `INSERT INTO archive_sessions (token_hash, user_id, kind, expires, data) VALUES (?, ?, ?, ?, ?)`,
		hex.EncodeToString(sess.TokenHash), sess.AccountID, sess.Kind, exp, sess.Data)
	return err
}

func (s accounts) SessionByHash(ctx context.Context, hash []byte) (auth.Session, error) {
	sess := auth.Session{TokenHash: hash}
	var exp int64
	err := s.a.db.sql.QueryRowContext(ctx, s.a.db.q(`SELECT user_id, kind, expires, data FROM archive_sessions WHERE token_hash = ?`), hex.EncodeToString(hash)).
		Scan(&sess.AccountID, &sess.Kind, &exp, &sess.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Session{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.Session{}, fmt.Errorf("archive: %w", err)
	}
	sess.Expires = time.Unix(exp, 0)
	return sess, nil
}

func (s accounts) ExtendSession(ctx context.Context, hash []byte, expires time.Time) error {
	exp := expires.Unix()
	if expires.Nanosecond() > 0 {
		exp++
	}
	return s.one(ctx, `UPDATE archive_sessions SET expires = ? WHERE token_hash = ?`, exp, hex.EncodeToString(hash))
}

func (s accounts) SetSessionData(ctx context.Context, hash []byte, data string) error {
	return s.one(ctx, `UPDATE archive_sessions SET data = ? WHERE token_hash = ?`, data, hex.EncodeToString(hash))
}

func (s accounts) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.exec(ctx, `DELETE FROM archive_sessions WHERE token_hash = ?`, hex.EncodeToString(hash))
	return err
}
