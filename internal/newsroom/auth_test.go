package newsroom

import (
	"context"
	"testing"

	"confide/internal/auth"
	"confide/internal/auth/authtest"
	"confide/internal/store"
	"confide/internal/store/storetest"

	"filippo.io/age"
)

// The newsroom's adapter keeps auth's contract on both backends.
func TestAuthStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		authtest.Run(t, func(t *testing.T) authtest.Fixture {
			st, _ := b.Open(t)
			return authtest.Fixture{Store: accounts{st}, Add: func(t *testing.T, name, passHash, secret string) auth.Account {
				id, _ := age.GenerateX25519Identity()
				j := store.Journalist{ID: store.NewID(), Name: name, Recipient: id.Recipient().String(), Created: store.Today(), PassHash: passHash, TOTPSecret: secret}
				if err := st.AddJournalist(context.Background(), j); err != nil {
					t.Fatal(err)
				}
				return account(j)
			}}
		})
	})
}
