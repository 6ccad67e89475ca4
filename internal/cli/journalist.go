package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"confide/internal/newsroom"
	"confide/internal/seal"
	"confide/internal/store"
)

func (e *env) journalist(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("journalist needs add, list, remove, reset, rotate or unlock")
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
		if strings.ContainsAny(pos[0], " \t\r\n/") || len(pos[0]) > 64 {
			return usagef("a journalist's name is one word of at most 64 characters")
		}
		s, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		creds, err := newsroom.CreateJournalist(ctx, s, issuer, pos[0], strings.TrimSpace(*recipient), *admin, seal.DefaultParams)
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("a journalist named %q already exists", pos[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added journalist %s\n", pos[0])
		fmt.Fprintf(e.stdout, "passphrase: %s\ntotp: %s\n", creds.Passphrase, creds.TOTPURI)
		fmt.Fprintln(e.stdout, "Give these to the journalist in person; they are not shown again. The newsroom shows the TOTP secret as a QR code at first sign-in.")
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
			lock := ""
			if until := time.Unix(j.LockedUntil, 0); until.After(time.Now()) {
				lock = fmt.Sprintf("\tlocked until %s (%d failed sign-ins; confide journalist unlock %s)", until.UTC().Format("15:04 UTC"), j.Failures, j.Name)
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s%s\n", j.Name, role, j.Recipient, lock)
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
	case "reset":
		pass := fs.Bool("passphrase", false, "give a new passphrase")
		twofa := fs.Bool("2fa", false, "give a new second factor, set up at next sign-in")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *pass == *twofa {
			return usagef("usage: confide journalist reset NAME --passphrase | --2fa")
		}
		s, j, err := sf.journalist(ctx, pos[0])
		if err != nil {
			return err
		}
		defer s.Close()
		if *pass {
			p, err := newsroom.ResetPassphrase(ctx, s, j.ID, seal.DefaultParams)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "passphrase: %s\n", p)
		} else {
			uri, err := newsroom.ResetTOTP(ctx, s, issuer, j)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "totp: %s\n", uri)
		}
		s.Audit(ctx, "(command line)", "reset credentials", j.Name)
		return nil
	case "rotate":
		recipient := fs.String("recipient", "", "the journalist's new age recipient")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 || *recipient == "" {
			return usagef("usage: confide journalist rotate NAME --recipient AGE_RECIPIENT")
		}
		if _, err := seal.ParseRecipient(*recipient); err != nil {
			return usagef("--recipient is not an age X25519 public key (it starts with age1)")
		}
		s, j, err := sf.journalist(ctx, pos[0])
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.SetRecipient(ctx, j.ID, strings.TrimSpace(*recipient)); err != nil {
			return err
		}
		s.Audit(ctx, "(command line)", "rotate recipient", j.Name)
		fmt.Fprintf(e.stdout, "new material for %s is now encrypted to %s\n", j.Name, *recipient)
		return nil
	case "unlock":
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("usage: confide journalist unlock NAME")
		}
		s, j, err := sf.journalist(ctx, pos[0])
		if err != nil {
			return err
		}
		defer s.Close()
		// The count and lock of the name, as a sign-in clears them; a
		// client's lock lives in the server's memory and ends by itself.
		if err := s.LoginSucceeded(ctx, j.ID); err != nil {
			return err
		}
		s.Audit(ctx, "(command line)", "unlock", j.Name)
		if j.LockedUntil == 0 && j.Failures == 0 {
			fmt.Fprintf(e.stdout, "%s was not locked\n", j.Name)
		} else {
			fmt.Fprintf(e.stdout, "unlocked %s (%d failed sign-ins forgotten)\n", j.Name, j.Failures)
		}
		return nil
	}
	return usagef("journalist needs add, list, remove, reset, rotate or unlock, not %q", args[0])
}

// issuer names the newsroom in authenticator apps.
const issuer = "Confide"

// journalist opens the store and finds a journalist by name.
func (s *storeFlags) journalist(ctx context.Context, name string) (*store.DB, store.Journalist, error) {
	st, err := s.open(ctx)
	if err != nil {
		return nil, store.Journalist{}, err
	}
	j, err := st.JournalistByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		st.Close()
		return nil, j, fmt.Errorf("there is no journalist named %q", name)
	}
	if err != nil {
		st.Close()
		return nil, j, err
	}
	return st, j, nil
}
