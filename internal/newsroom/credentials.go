package newsroom

import (
	"context"
	"fmt"

	"confide/internal/auth"
	"confide/internal/seal"
	"confide/internal/store"
)

// Credentials are a journalist's initial secrets, shown once to whoever
// creates the account and never stored in the clear.
type Credentials = auth.Credentials

// CreateJournalist registers a journalist with a fresh passphrase and TOTP
// secret. It is what both `confide journalist add` and the admin page use.
func CreateJournalist(ctx context.Context, st store.Store, issuer, name, recipient string, admin bool, p seal.Params) (Credentials, error) {
	if _, err := seal.ParseRecipient(recipient); err != nil {
		return Credentials{}, err
	}
	creds, hash, secret, err := auth.NewCredentials(issuer, name, p)
	if err != nil {
		return Credentials{}, err
	}
	j := store.Journalist{ID: store.NewID(), Name: name, Recipient: recipient, Admin: admin, Created: store.Today(),
		PassHash: hash, TOTPSecret: secret}
	if err := st.AddJournalist(ctx, j); err != nil {
		return Credentials{}, err
	}
	return creds, nil
}

// ResetPassphrase gives a journalist a new passphrase and ends their sessions.
func ResetPassphrase(ctx context.Context, st store.Store, id string, p seal.Params) (string, error) {
	pass := seal.NewPassphrase()
	if err := st.SetPassphrase(ctx, id, seal.HashPassphrase(pass, p)); err != nil {
		return "", err
	}
	return pass, st.DeleteSessions(ctx, id)
}

// ResetTOTP gives a journalist a new second factor, to be set up at next
// login, removes their security keys, and ends their sessions.
func ResetTOTP(ctx context.Context, st store.Store, issuer string, j store.Journalist) (string, error) {
	secret, uri, err := seal.NewTOTP(issuer, j.Name)
	if err != nil {
		return "", fmt.Errorf("newsroom: %w", err)
	}
	if err := st.SetTOTP(ctx, j.ID, secret, false); err != nil {
		return "", err
	}
	if err := st.DeleteSecurityKeys(ctx, j.ID); err != nil {
		return "", err
	}
	return uri, st.DeleteSessions(ctx, j.ID)
}
