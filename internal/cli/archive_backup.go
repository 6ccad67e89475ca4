package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"confide/internal/archive"
	"confide/internal/backup"
)

// archiveBackup writes one consistent, age-encrypted snapshot of an archive
// while archive serve and the workers run: the archive's data is plaintext,
// so the snapshot is encrypted all the way to an offline key.
func (e *env) archiveBackup(ctx context.Context, args []string) error {
	var f archiveFlags
	var recipients multiFlag
	fs := flag.NewFlagSet("archive backup", flag.ContinueOnError)
	f.register(fs)
	fs.Var(&recipients, "recipient", "age public key (age1…) to encrypt the snapshot to; repeatable")
	out := fs.String("out", "", "the snapshot file to write, outside the data folder (through FILE.tmp, then renamed)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || len(recipients) == 0 || *out == "" {
		return usagef("usage: confide archive backup --data DIR [--db DSN] --recipient AGE_RECIPIENT... --out FILE")
	}
	to, err := backupRecipients(recipients)
	if err != nil {
		return err
	}
	// Opening the archive would make an empty one: a typo must not become
	// a backup of nothing.
	if info, err := os.Stat(f.data); err != nil || !info.IsDir() {
		return fmt.Errorf("there is no archive data folder at %s", f.data)
	}
	if f.db == "" && !archiveDataFolder(f.data) {
		if _, err := os.Stat(filepath.Join(f.data, "confide.db")); err == nil {
			return fmt.Errorf("%s is the newsroom's data folder: back it up with confide backup", f.data)
		}
		return fmt.Errorf("%s holds no %s: is it the archive's data folder, or are its rows on PostgreSQL (--db)?", f.data, archive.DBFile)
	}
	// Rows only: no lock, so it runs beside a SQLite ingest and serve.
	f.rowsOnly = true
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := backup.WriteArchiveFile(ctx, *out, backup.ArchiveSource{Archive: a, Data: f.data}, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s\n", *out, m.Summary())
	return nil
}

// archiveRestore puts an archive's snapshot into an empty data folder and
// database, and rebuilds the search index there.
func (e *env) archiveRestore(ctx context.Context, args []string) error {
	var f archiveFlags
	fs := flag.NewFlagSet("archive restore", flag.ContinueOnError)
	f.register(fs)
	in := fs.String("in", "", "the snapshot file")
	identity := fs.String("identity", "", "the age identity file the snapshot was encrypted to")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *in == "" || *identity == "" {
		return usagef("usage: confide archive restore --in FILE --identity KEYFILE --data DIR [--db DSN]")
	}
	if f.db != "" && !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
		return usagef("--db must be a postgres:// URL (leave it unset for SQLite)")
	}
	ids, err := readIdentities(*identity)
	if err != nil {
		return err
	}
	file, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("cannot read the snapshot: %w", err)
	}
	defer file.Close()
	m, indexed, err := backup.RestoreArchive(ctx, file, ids, backup.ArchiveTarget{Data: f.data, DSN: f.db})
	if err != nil {
		return err
	}
	where := f.data
	if f.db != "" {
		where += " and the PostgreSQL database"
	}
	fmt.Fprintf(e.stdout, "restored into %s: %s\nall %d originals and %d redacted copies match the database and their SHA-256\nsearch index rebuilt: %d documents\n", where, m.Summary(), m.Blobs, m.Redacted, indexed)
	return nil
}
