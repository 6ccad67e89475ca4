package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"confide/internal/backup"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"

	"filippo.io/age"
)

// backup writes one consistent, age-encrypted snapshot while the server
// runs. The recipients are an admin's offline key, never a server's.
func (e *env) backup(ctx context.Context, args []string) error {
	var sf storeFlags
	var recipients multiFlag
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	sf.register(fs)
	fs.Var(&recipients, "recipient", "age public key (age1…) to encrypt the snapshot to; repeatable")
	out := fs.String("out", "", "the snapshot file to write (through FILE.tmp, then renamed)")
	newsroomKey := fs.String("newsroom-key", "", "also carry the API signing key file serve was given with --newsroom-key")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || len(recipients) == 0 || *out == "" {
		return usagef("usage: confide backup --data DIR [--db DSN] [--newsroom-key FILE] --recipient AGE_RECIPIENT... --out FILE")
	}
	to, err := backupRecipients(recipients)
	if err != nil {
		return err
	}
	// Opening the store would make an empty one: a typo must not become
	// a backup of nothing.
	if info, err := os.Stat(sf.data); err != nil || !info.IsDir() {
		return fmt.Errorf("there is no data folder at %s", sf.data)
	}
	if archiveDataFolder(sf.data) {
		return fmt.Errorf("%s is an archive's data folder: back it up with confide archive backup", sf.data)
	}
	if sf.db == "" {
		if _, err := os.Stat(filepath.Join(sf.data, "confide.db")); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s holds no confide.db: is it the data folder, or is the database on PostgreSQL (--db)?", sf.data)
		}
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := backup.WriteFile(ctx, *out, backup.Source{Store: st, Data: sf.data, NewsroomKey: *newsroomKey}, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s\n", *out, m.Summary())
	return nil
}

// backupRecipients parses --recipient values: age public keys only, so
// that an offline key's secret half never reaches a server's command line.
func backupRecipients(recipients multiFlag) ([]age.Recipient, error) {
	var to []age.Recipient
	for _, r := range recipients {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(r)), "AGE-SECRET-KEY-") {
			return nil, usagef("--recipient was given a private key: keep it offline and pass its public key (age1…, from age-keygen -y)")
		}
		rec, err := seal.ParseRecipient(r)
		if err != nil {
			return nil, usagef("--recipient %q is not an age X25519 public key (it starts with age1)", r)
		}
		to = append(to, rec)
	}
	return to, nil
}

// restore puts a snapshot into an empty data folder and an empty database.
func (e *env) restore(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	sf.register(fs)
	in := fs.String("in", "", "the snapshot file")
	identity := fs.String("identity", "", "the age identity file the snapshot was encrypted to")
	newsroomKey := fs.String("newsroom-key", "", "where to write the API signing key file, for a snapshot that carries one (then serve with --newsroom-key FILE)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *in == "" || *identity == "" {
		return usagef("usage: confide restore --in FILE --identity KEYFILE --data DIR [--db DSN] [--newsroom-key FILE]")
	}
	if sf.db != "" && !strings.HasPrefix(sf.db, "postgres://") && !strings.HasPrefix(sf.db, "postgresql://") {
		return usagef("--db must be a postgres:// URL (leave it unset for SQLite)")
	}
	ids, err := readIdentities(*identity)
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("cannot read the snapshot: %w", err)
	}
	defer f.Close()
	target := backup.Target{Data: sf.data, NewsroomKey: *newsroomKey, Open: func(ctx context.Context, folder string) (*store.DB, error) {
		if sf.db != "" {
			return postgres.Open(ctx, sf.db)
		}
		return sqlite.Open(ctx, filepath.Join(folder, "confide.db"))
	}}
	m, err := backup.Restore(ctx, f, ids, target)
	if err != nil {
		return err
	}
	where := sf.data
	if sf.db != "" {
		where += " and the PostgreSQL database"
	}
	fmt.Fprintf(e.stdout, "restored into %s: %s\nall %d blobs match the database\n", where, m.Summary(), m.Blobs)
	return nil
}
