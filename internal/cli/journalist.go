package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"confide/internal/seal"
	"confide/internal/store"
)

func (e *env) journalist(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("journalist needs add, list or remove")
	}
	var sf storeFlags
	fs := flag.NewFlagSet("journalist "+args[0], flag.ContinueOnError)
	sf.register(fs)
	switch args[0] {
	case "add":
		recipient := fs.String("recipient", "", "the journalist's age recipient (age1…), from age-keygen or confide keygen")
		admin := fs.Bool("admin", false, "may manage other journalists")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *recipient == "" {
			return usagef("usage: confide journalist add NAME --recipient AGE_RECIPIENT [--admin]")
		}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(*recipient)), "AGE-SECRET-KEY-") {
			return usagef("--recipient was given a private key: keep it on your own machine and pass its public key (age1…, from age-keygen -y)")
		}
		if _, err := seal.ParseRecipient(*recipient); err != nil {
			return usagef("--recipient is not an age X25519 public key (it starts with age1)")
		}
		s, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		err = s.AddJournalist(ctx, store.Journalist{Name: pos[0], Recipient: *recipient, Admin: *admin, Created: store.Today()})
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("a journalist named %q already exists", pos[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added journalist %s\n", pos[0])
		return nil
	case "list":
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		s, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		js, err := s.Journalists(ctx)
		if err != nil {
			return err
		}
		for _, j := range js {
			role := "journalist"
			if j.Admin {
				role = "admin"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", j.Name, role, j.Recipient)
		}
		return nil
	case "remove":
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("usage: confide journalist remove NAME")
		}
		s, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.RemoveJournalist(ctx, pos[0]); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("there is no journalist named %q", pos[0])
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed journalist %s; new submissions are no longer encrypted to their key\n", pos[0])
		return nil
	}
	return usagef("journalist needs add, list or remove, not %q", args[0])
}
