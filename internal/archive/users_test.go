package archive

import (
	"context"
	"errors"
	"testing"
	"time"

	"confide/internal/auth"
	"confide/internal/auth/authtest"
	"confide/internal/store"
	"confide/internal/store/storetest"
)

func TestAccountsKeepTheAuthContract(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		authtest.Run(t, func(t *testing.T) authtest.Fixture {
			c := c
			c.Dir = t.TempDir()
			if c.DSN != "" {
				c.DSN = storetest.PostgresDSN(t) // a fresh database for each subtest
			}
			a := open(t, c)
			return authtest.Fixture{Store: a.Accounts(), Add: func(t *testing.T, name, passHash, totpSecret string) auth.Account {
				id := store.NewID()
				if _, err := a.db.exec(context.Background(), a.db.sql, `INSERT INTO archive_users (id, name, role, pass_hash, totp_secret, created) VALUES (?, ?, 'journalist', ?, ?, ?)`,
					id, name, passHash, totpSecret, now()); err != nil {
					t.Fatal(err)
				}
				acc, err := a.Accounts().AccountByName(context.Background(), name)
				if err != nil {
					t.Fatal(err)
				}
				return acc
			}}
		})
	})
}

func TestAddUser(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		creds, err := a.AddUser(ctx, "Archive", "tanya", RoleTranslator, []string{"kgb", " ", "gulag"}, authtest.Params)
		if err != nil || creds.Passphrase == "" || creds.TOTPURI == "" {
			t.Fatalf("%+v %v", creds, err)
		}
		acc, err := a.Accounts().AccountByName(ctx, "tanya")
		if err != nil || acc.TOTPConfirmed || acc.PassHash == creds.Passphrase {
			t.Fatalf("%+v %v", acc, err)
		}
		u, err := a.user(ctx, acc.ID)
		if err != nil || u.Role != RoleTranslator || len(u.Collections) != 2 || !u.Reads("kgb") || u.Reads("stasi") || u.Exports() {
			t.Fatalf("%+v %v", u, err)
		}
		if _, err := a.AddUser(ctx, "Archive", "tanya", RoleAdmin, nil, authtest.Params); !errors.Is(err, ErrExists) {
			t.Fatalf("a second tanya: %v", err)
		}
		if _, err := a.AddUser(ctx, "Archive", "bob", "editor", nil, authtest.Params); err == nil {
			t.Fatal("an unknown role was accepted")
		}
		admin := User{Role: RoleAdmin}
		if !admin.Reads("anything") || !admin.Exports() {
			t.Fatal("an admin reads and exports everything")
		}
	})
}

// Sessions that ended a day ago are removed as new ones start.
func TestOldSessionsGo(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		if _, err := a.AddUser(ctx, Issuer, "ann", RoleJournalist, nil, authtest.Params); err != nil {
			t.Fatal(err)
		}
		acc, _ := a.Accounts().AccountByName(ctx, "ann")
		old, fresh := []byte("old-session-hash"), []byte("new-session-hash")
		if err := a.Accounts().CreateSession(ctx, auth.Session{TokenHash: old, AccountID: acc.ID, Kind: auth.KindFull, Expires: time.Now().Add(-49 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := a.Accounts().CreateSession(ctx, auth.Session{TokenHash: fresh, AccountID: acc.ID, Kind: auth.KindFull, Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Accounts().SessionByHash(ctx, old); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("a session two days over is kept: %v", err)
		}
		if _, err := a.Accounts().SessionByHash(ctx, fresh); err != nil {
			t.Fatal(err)
		}
	})
}
