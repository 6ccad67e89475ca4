package archive

import (
	"context"
	"database/sql"
	"fmt"
)

// SecurityKey is a user's registered security key as its owner sees it.
type SecurityKey struct {
	// ID is the WebAuthn credential ID (base64url).
	ID string
	// Created is the day it was registered (YYYY-MM-DD), empty for a key
	// registered before the archive recorded it.
	Created string
}

// SecurityKeys lists a user's keys, oldest first.
func (a *Archive) SecurityKeys(ctx context.Context, userID string) ([]SecurityKey, error) {
	var out []SecurityKey
	err := a.each(ctx, `SELECT credential_id, created FROM archive_keys WHERE user_id = ? ORDER BY created, credential_id`, []any{userID}, func(r *sql.Rows) error {
		var k SecurityKey
		err := r.Scan(&k.ID, &k.Created)
		out = append(out, k)
		return err
	})
	return out, err
}

// RemoveSecurityKey removes one of a user's keys; ErrNotFound if the user
// has no key of that ID (another user's included).
func (a *Archive) RemoveSecurityKey(ctx context.Context, userID, id string) error {
	n, err := accounts{a}.exec(ctx, `DELETE FROM archive_keys WHERE user_id = ? AND credential_id = ?`, userID, id)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no security key %q", ErrNotFound, id)
	}
	return err
}
