package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"confide/internal/archive"
	"confide/internal/seal"
)

// archiveIssuer names the archive in authenticator apps, apart from the
// newsroom's accounts.
const archiveIssuer = "Confide archive"

// archiveUser adds an archive account and prints its secrets once.
func (e *env) archiveUser(ctx context.Context, args []string) error {
	// "add" is the only verb; -h alone shows the flags.
	if len(args) > 0 && args[0] == "add" {
		args = args[1:]
	} else if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return usagef("usage: confide archive user add NAME --role admin|journalist|translator [--collections A,B]")
	}
	fs := flag.NewFlagSet("archive user", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	role := fs.String("role", archive.RoleJournalist, "admin (every collection), journalist or translator (the --collections given; a translator cannot download originals)")
	colls := fs.String("collections", "", "comma-separated collections the user may read (an admin reads all)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: confide archive user add NAME --role admin|journalist|translator [--collections A,B]")
	}
	switch *role {
	case archive.RoleAdmin, archive.RoleJournalist, archive.RoleTranslator:
	default:
		return usagef("--role %q: admin, journalist or translator", *role)
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	var list []string
	if *colls != "" {
		list = strings.Split(*colls, ",")
	}
	creds, err := a.AddUser(ctx, archiveIssuer, pos[0], *role, list, seal.DefaultParams)
	if errors.Is(err, archive.ErrExists) {
		return fmt.Errorf("an archive user named %q already exists", pos[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added archive user %s (%s)\n", pos[0], *role)
	fmt.Fprintf(e.stdout, "passphrase: %s\ntotp: %s\n", creds.Passphrase, creds.TOTPURI)
	fmt.Fprintln(e.stdout, "Give these to the user in person; they are not shown again. The archive shows the TOTP secret as a QR code at first sign-in.")
	return nil
}
