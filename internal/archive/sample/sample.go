// Package sample is the demo's trove: a small fictional Soviet-era archive
// (fond 114 of the town of Ensk, partly translated) in every format the
// archive ingests — plain text in UTF-8, Windows-1251, KOI8-R and CP866,
// HTML, Markdown, a PDF with a text layer, a DOCX, a tar.gz, a zip with a
// KOI8-R member name, an email with an attachment, an mbox, and one scanned
// typewritten page for OCR. gen.sh made it with real tools; it is embedded
// in the binary, so `confide demo` needs none of them.
//
// Contract: Queue only adds; it is idempotent (the archive queues a path
// once, so a second demo start doubles nothing and an interrupted first
// one is completed). The trove's files are written only into the archive's
// own temporary folder, and removed before Queue returns. Every text in it
// was written for Confide.
package sample

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

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
