package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"confide/internal/bundle"
	"confide/internal/site"
	"confide/internal/store"
)

// document puts bundles exported from the archive on the public site, or
// takes them off.
func (e *env) document(ctx context.Context, args []string) error {
	const use = "usage: confide document publish [--data DIR | --db DSN] BUNDLE... | unpublish [--data DIR | --db DSN] SLUG..."
	if len(args) == 0 || args[0] != "publish" && args[0] != "unpublish" {
		return usagef(use)
	}
	var sf storeFlags
	fs := flag.NewFlagSet("document "+args[0], flag.ContinueOnError)
	sf.register(fs)
	names, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef(use)
	}
	if args[0] == "unpublish" {
		for _, slug := range names {
			if !bundle.ValidSlug(slug) {
				return usagef("%q is not a document's slug (lower-case letters, digits and hyphens)", slug)
			}
		}
	}
	s, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	pub, err := site.OpenPublished(filepath.Join(sf.data, "published"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if args[0] == "unpublish" {
			if err := pub.Unpublish(ctx, s, name); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no document %q is published", name)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "unpublished /documents/%s\n", name)
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", name, err)
		}
		m, updated, err := pub.Publish(ctx, s, f)
		f.Close()
		if errors.Is(err, bundle.ErrInvalid) {
			return fmt.Errorf("%s: %s; nothing was published", name, err)
		}
		if err != nil {
			return err
		}
		verb := "published"
		if updated {
			verb = "updated"
		}
		fmt.Fprintf(e.stdout, "%s /documents/%s (%d pages)\n", verb, m.Slug, len(m.Pages))
	}
	return nil
}
