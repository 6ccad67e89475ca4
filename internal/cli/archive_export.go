package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"confide/internal/archive"
)

func (e *env) archiveExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive export", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	pages := fs.String("pages", "", "the pages to export, N or FROM-TO (all when unset)")
	excerpt := fs.String("excerpt", "", "quoted words a story cites, exactly as the page's text has them")
	page := fs.Int("page", 0, "the page of --excerpt (the first exported page when unset)")
	excerptTr := fs.String("excerpt-translation", "", "the excerpt's translation (the aligned paragraph of --lang's translation when unset)")
	rid := fs.String("redaction", "", "publish this verified redacted copy (archive redact and the web's redaction page print its ID)")
	unredacted := fs.Bool("unredacted", false, "publish the original's pages, not redacted")
	lang := fs.String("lang", "", "carry the pages' translation into this language")
	var masks multiFlag
	fs.Var(&masks, "mask", "more words to mask in the translation (a redacted name as the other language spells it; repeat for more)")
	checked := fs.Bool("translation-checked", false, "confirm that --lang's translation holds nothing the copy's boxes hide (required with a copy that has boxes)")
	slug := fs.String("slug", "", "the document's name in its public URL, [a-z0-9-] (from the file's name when unset)")
	title := fs.String("title", "", "the document's public title (the file's name when unset)")
	out := fs.String("out", "", "the bundle to write (confide document publish reads it)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("archive export needs one document ID (archive search prints them)")
	}
	if *out == "" {
		return usagef("archive export needs --out FILE")
	}
	if (*rid == "") == !*unredacted {
		return usagef("archive export needs --redaction ID (a verified redacted copy) or --unredacted")
	}
	req := archive.ExportRequest{DocID: pos[0], RedactionID: *rid, Unredacted: *unredacted, Quote: *excerpt, QuotePage: *page,
		QuoteTranslation: *excerptTr, Lang: *lang, Mask: masks, Slug: *slug, Title: *title, TranslationChecked: *checked}
	if *pages != "" {
		if req.From, req.To, err = archive.ParsePages(*pages); err != nil {
			return usagef("--pages %q: %v", *pages, err)
		}
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("%s exists already; give another --out (nothing is overwritten)", *out)
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	req.Who = a.Who()
	var rec *archive.ExportRecord
	sum, err := writeOut(*out, func(w io.Writer) error {
		var err error
		rec, err = a.Export(ctx, req, w)
		return err
	})
	if err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	what, pg := rec.Source(), rec.PageRange()
	if rec.RedactionID == "" {
		what += ", unredacted"
	}
	fmt.Fprintf(e.stdout, "wrote %s: bundle %q of %s, pages %s\n  bundle sha256 %s\n  published PDF sha256 %s\n  original sha256 %s\n  export %s (archive custody lists it)\n",
		*out, rec.Slug, what, pg, sum, orNone(rec.PDF), rec.Original, rec.ID)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none: an image is published as its page)"
	}
	return s
}
