// Package sample is the demo's trove: a small fictional Soviet-era archive
// (fond 114 of the town of Ensk, partly translated) in every format the
// archive ingests — plain text in UTF-8, Windows-1251, KOI8-R and CP866,
// HTML, Markdown, a PDF with a text layer, a DOCX, a tar.gz, a zip with a
// KOI8-R member name, an email with an attachment, an mbox, and one scanned
// typewritten page for OCR. gen.sh made it with real tools; it is embedded
// in the binary, so `confide demo` needs none of them.
//
// Contract: Queue and Translate only add, and are idempotent (the archive
// queues a path once, and Translate adds the one human translation only to
// a page that has none), so a second demo start doubles nothing and an
// interrupted first one is completed. The trove's files are written only
// into the archive's own temporary folder, and removed before Queue
// returns. Every text in it was written for Confide.
package sample

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"confide/internal/archive"
)

//go:embed trove
var trove embed.FS

// Collection is the name of the demo's collection.
const Collection = "sample"

// OCRLang is the collection's OCR languages.
const OCRLang = "rus+eng"

// origin marks the custody record of every sample file: it came with the
// program, not from a source.
const origin = `{"sample":"the demo's sample trove, embedded in confide"}`

// Files lists the trove's paths, as the collection names them.
func Files() []string {
	var out []string
	fs.WalkDir(trove, "trove", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// Queue makes the collection (if new) and queues the trove's files in it;
// it returns how many were queued now (0 once they all were). Processing is
// the caller's: a.Work.
func Queue(ctx context.Context, a *archive.Archive) (int, error) {
	if err := a.SetCollection(ctx, Collection, OCRLang); err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp(a.TmpDir(), "sample-")
	if err != nil {
		return 0, fmt.Errorf("sample: %w", err)
	}
	defer os.RemoveAll(dir)
	var items []archive.Item
	for _, p := range Files() {
		b, err := trove.ReadFile(p)
		if err != nil {
			return 0, fmt.Errorf("sample: %w", err)
		}
		file := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return 0, fmt.Errorf("sample: %w", err)
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return 0, fmt.Errorf("sample: %w", err)
		}
		items = append(items, archive.Item{File: file, Path: path.Clean(p), Origin: origin})
	}
	return a.Enqueue(ctx, Collection, items, func(archive.QueueNote) {})
}

// The trove's one translated document, and its translation.
const (
	translated  = "trove/fond-114/opis-1/spravka-1991.txt"
	translation = "trove/translations/spravka-1991-en.txt"
	translator  = "user: the sample's translator"
)

// Translate records the trove's English translation of the 1991
// certificate as a reviewed human translation of its page, once, and
// indexes it, so that an English search finds the Russian original. It
// reports whether it added it; call it after the trove was processed.
func Translate(ctx context.Context, a *archive.Archive) (bool, error) {
	id := archive.DocID(Collection, translated)
	have, err := a.Translations(ctx, id, "en")
	if err != nil {
		return false, err
	}
	if len(have[1]) > 0 {
		return false, nil
	}
	b, err := trove.ReadFile(translation)
	if err != nil {
		return false, fmt.Errorf("sample: %w", err)
	}
	if _, err := a.AddTranslation(ctx, id, 1, "en", strings.TrimSpace(string(b)), translator, false, archive.Reviewed); err != nil {
		return false, err
	}
	if err := a.IndexTranslations(ctx, []string{id}, "en"); err != nil {
		return false, err
	}
	return true, a.RecordEvent(ctx, id, "English translation of page 1 added from "+translation+" (human, reviewed)")
}
