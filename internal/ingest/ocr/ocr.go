// Package ocr reads text from page images with Debian's tesseract and
// parses its TSV output into words with boxes and confidences.
//
// Contract: every tesseract process runs in a slot of package tool (so the
// whole process runs at most one per core), with OMP_THREAD_LIMIT=1, the
// languages asked for (checked against the installed ones, never passed
// unchecked to the command line), a fixed resolution, and a deadline of
// Options.Timeout per page. Images are handed over on standard input or as
// a path the caller owns; this package writes no files of its own.
package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"confide/internal/ingest/tool"
)

// Word is one recognised word, its box in pixels and tesseract's
// confidence in it (0–100).
type Word struct {
	Text                     string
	Left, Top, Width, Height int
	Conf                     float64
	Block, Par, Line         int
}

// Page is what one page image yielded.
type Page struct {
	Number     int // 1-based, as tesseract counts pages of a multi-page TIFF
	Text       string
	Words      []Word
	Confidence float64 // mean word confidence, 0 with no words
	Low        bool    // Confidence below Options.LowConfidence
}

// Options configures a run.
type Options struct {
	Lang          string        // tesseract languages, "rus+eng" if empty
	DPI           int           // resolution the image was made at, 300 if 0
	Timeout       time.Duration // per page, 2 minutes if 0
	LowConfidence float64       // pages under this mean are flagged Low; 60 if 0
	TmpDir        string        // the caller's folder, tesseract's TMPDIR
}

// ErrTimeout means tesseract ran past its deadline.
var ErrTimeout = errors.New("ocr: timed out")

var langRe = regexp.MustCompile(`^[a-z][a-z_]*(\+[a-z][a-z_]*)*$`)

// Languages lists the installed tesseract languages, asked once. Like a
// version query, this quick question runs outside the slots: it may be
// asked by a caller that already holds one.
var Languages = sync.OnceValues(func() ([]string, error) {
	var out bytes.Buffer
	if err := tool.RunHeld(context.Background(), tool.Cmd{Name: "tesseract", Args: []string{"--list-langs"}, Stdout: &out}); err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	var langs []string
	for _, l := range strings.Split(out.String(), "\n")[1:] {
		if l = strings.TrimSpace(l); l != "" {
			langs = append(langs, l)
		}
	}
	return langs, nil
})

// CheckLang returns a human error unless every language of lang (as in
// "rus+eng") is installed.
func CheckLang(lang string) error {
	if !langRe.MatchString(lang) {
		return fmt.Errorf("ocr: %q is not a tesseract language list such as rus+eng", lang)
	}
	have, err := Languages()
	if err != nil {
		return err
	}
	for _, l := range strings.Split(lang, "+") {
		found := false
		for _, h := range have {
			found = found || h == l
		}
		if !found {
			return fmt.Errorf("ocr: language %q is not installed (installed: %s)", l, strings.Join(have, ", "))
		}
	}
	return nil
}

// Version is tesseract's name and version for the chain of custody, e.g.
// "tesseract 5.3.0".
func Version() string {
	return "tesseract " + tool.Version("tesseract", "--version")
}

func (o Options) withDefaults() Options {
	if o.Lang == "" {
		o.Lang = "rus+eng"
	}
	if o.DPI <= 0 {
		o.DPI = 300
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.LowConfidence <= 0 {
		o.LowConfidence = 60
	}
	return o
}

// Image is what to recognise: a file the caller owns, or a stream of one
// PNG or JPEG image.
type Image struct {
	Path  string
	R     io.Reader
	Pages int // pages in the file, for the deadline; 1 if 0
	// Held is set by a caller that already holds a tool slot, e.g. for
	// the pipeline pdftoppm | tesseract.
	Held bool
}

// Recognize runs tesseract on img and returns its pages.
func Recognize(ctx context.Context, o Options, img Image) ([]Page, error) {
	o = o.withDefaults()
	if err := CheckLang(o.Lang); err != nil {
		return nil, err
	}
	pages := max(img.Pages, 1)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(pages)*o.Timeout)
	defer cancel()
	in := "stdin"
	if img.Path != "" {
		// tesseract runs in the caller's folder, so a relative path would
		// name another file.
		abs, err := filepath.Abs(img.Path)
		if err != nil {
			return nil, fmt.Errorf("ocr: %w", err)
		}
		in = abs
	}
	var out bytes.Buffer
	c := tool.Cmd{
		Name:   "tesseract",
		Args:   []string{in, "stdout", "-l", o.Lang, "--dpi", strconv.Itoa(o.DPI), "tsv"},
		Stdin:  img.R,
		Stdout: &out,
		TmpDir: o.TmpDir,
	}
	if img.Path != "" {
		c.Stdin = nil
	}
	run := tool.Run
	if img.Held {
		run = tool.RunHeld
	}
	if err := run(ctx, c); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, ErrTimeout
		}
		return nil, fmt.Errorf("ocr: %w", err)
	}
	return ParseTSV(&out, o.LowConfidence)
}

// ParseTSV reads tesseract's TSV output: one row per page, block,
// paragraph, line and word; words are level 5. Lines of a paragraph are
// joined by newlines, paragraphs by blank lines. Pages with no words come
// back too, empty, so page numbers stay true.
func ParseTSV(r io.Reader, low float64) ([]Page, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var pages []Page
	var text strings.Builder
	var sum float64
	var lastBlock, lastPar, lastLine int
	finish := func() {
		if len(pages) == 0 {
			return
		}
		p := &pages[len(pages)-1]
		p.Text = text.String()
		if len(p.Words) > 0 {
			p.Confidence = sum / float64(len(p.Words))
			p.Low = p.Confidence < low
		}
		text.Reset()
		sum = 0
	}
	row := 0
	for sc.Scan() {
		row++
		line := sc.Text()
		if row == 1 && strings.HasPrefix(line, "level\t") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 12)
		if len(f) < 11 {
			return nil, fmt.Errorf("ocr: TSV row %d has %d columns, want 12", row, len(f))
		}
		var n [10]int
		for i := range n {
			v, err := strconv.Atoi(f[i])
			if err != nil || v < 0 {
				return nil, fmt.Errorf("ocr: TSV row %d: column %d is %q, not a count", row, i+1, f[i])
			}
			n[i] = v
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil || conf > 100 || conf < -1 {
			return nil, fmt.Errorf("ocr: TSV row %d: confidence %q", row, f[10])
		}
		level, page := n[0], n[1]
		if page < 1 {
			return nil, fmt.Errorf("ocr: TSV row %d: page %d", row, page)
		}
		if len(pages) == 0 || pages[len(pages)-1].Number != page {
			if len(pages) > 0 && page < pages[len(pages)-1].Number {
				return nil, fmt.Errorf("ocr: TSV row %d: page %d after page %d", row, page, pages[len(pages)-1].Number)
			}
			finish()
			pages = append(pages, Page{Number: page})
			lastBlock, lastPar, lastLine = -1, -1, -1
		}
		word := ""
		if len(f) == 12 {
			word = strings.TrimSpace(f[11])
		}
		if level != 5 || word == "" || conf < 0 {
			continue
		}
		w := Word{Text: word, Left: n[6], Top: n[7], Width: n[8], Height: n[9], Conf: conf, Block: n[2], Par: n[3], Line: n[4]}
		p := &pages[len(pages)-1]
		switch {
		case len(p.Words) == 0:
		case w.Block != lastBlock || w.Par != lastPar:
			text.WriteString("\n\n")
		case w.Line != lastLine:
			text.WriteString("\n")
		default:
			text.WriteString(" ")
		}
		text.WriteString(word)
		lastBlock, lastPar, lastLine = w.Block, w.Par, w.Line
		p.Words = append(p.Words, w)
		sum += conf
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ocr: reading TSV: %w", err)
	}
	finish()
	return pages, nil
}
