package cli

import (
	"flag"
	"fmt"
	"os"

	"filippo.io/age"
)

// keygen makes an age identity, like age-keygen, for a journalist's own
// machine. The recipient goes to stderr so the key file stays clean.
func (e *env) keygen(args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("o", "", "write the identity to this file (created 0600; never overwritten)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	text := fmt.Sprintf("# public key: %s\n%s\n", id.Recipient(), id)
	if *out == "" {
		fmt.Fprint(e.stdout, text)
		return nil
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", *out, err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Public key: %s\n", id.Recipient())
	return f.Close()
}
