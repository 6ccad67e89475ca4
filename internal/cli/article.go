package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"confide/internal/store"
	"confide/internal/story"
)

// article publishes stories from Markdown files with YAML front matter.
func (e *env) article(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "publish" {
		return usagef("usage: confide article publish [--data DIR | --db DSN] FILE.md")
	}
	var sf storeFlags
	fs := flag.NewFlagSet("article publish", flag.ContinueOnError)
	sf.register(fs)
	files, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("usage: confide article publish [--data DIR | --db DSN] FILE.md")
	}
	s, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", name, err)
		}
		st, err := story.Parse(bytes.NewReader(b), time.Now())
		if err == nil && st.State != store.StoryDraft {
			// A draft may cite a document not yet published; readers see no draft.
			// Lines above the body, so an error names the file's line.
			text := strings.ReplaceAll(string(b), "\r\n", "\n")
			err = story.CheckCites(ctx, s, st.Body, strings.Count(text[:len(text)-len(st.Body)], "\n"))
		}
		if errors.Is(err, story.ErrFormat) {
			return fmt.Errorf("%s: %s", name, err)
		}
		if err != nil {
			return err
		}
		verb := "published"
		if _, err := s.StoryBySlug(ctx, st.Slug); err == nil {
			verb = "updated"
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := s.SaveStory(ctx, st); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s /stories/%s (%s)\n", verb, st.Slug, st.State)
	}
	return nil
}
