package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"confide/internal/archive"
	"confide/internal/translate"

	"golang.org/x/term"
)

func (e *env) archiveTranslate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive translate", flag.ContinueOnError)
	var f archiveFlags
	f.register(fs)
	collection := fs.String("collection", "", "the collection to translate")
	to := fs.String("to", "", "the language to translate into, e.g. en")
	from := fs.String("from", "", "translate only pages in this language (and pages of unknown language, as this one)")
	engine := fs.String("engine", "apertium", "apertium, or the URL of a LibreTranslate-compatible server the newsroom runs")
	apiKey := fs.String("api-key", "", "the LibreTranslate server's API key, if it needs one")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("archive translate takes no arguments (got %q)", pos[0])
	}
	if *collection == "" || *to == "" {
		return usagef("archive translate needs --collection NAME and --to LANG")
	}
	lang, fromLang := translate.Canon(*to), translate.Canon(*from)
	var eng translate.Engine
	where := ""
	if *engine == "apertium" {
		if eng, err = translate.NewApertium(ctx); err != nil {
			return err
		}
	} else {
		l, err := translate.NewLibre(ctx, *engine, translate.LibreOptions{APIKey: *apiKey})
		if err != nil {
			return err
		}
		eng, where = l, " at "+l.URL()
	}
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()

	var m *translateMeter
	rep, runErr := a.MachineTranslate(ctx, archive.MachineRun{Engine: eng, Collection: *collection, From: fromLang, To: lang, Where: where,
		OnStart: func(total, _ int) { m = newTranslateMeter(e.stderr, total) },
		OnPage:  func(p archive.PageText, why string) { m.page(p, why) }})
	if m != nil {
		m.end()
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return errors.New("interrupted; run the same command again to go on where it stopped")
		}
		return runErr
	}
	fmt.Fprintf(e.stdout, "%s: translated %d pages to %s with %s; %d already translated by it, %d failed\n",
		*collection, rep.Done, lang, rep.Engine, rep.Skipped, len(rep.Failures))
	for _, fl := range rep.Failures {
		fmt.Fprintf(e.stdout, "  failed: %s\n", fl)
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d pages of %s could not be translated (listed above); run the same command again to retry them", len(rep.Failures), *collection)
	}
	return nil
}

// translateMeter reports a translation run as ingestMeter reports an
// ingest: one line redrawn on a terminal, else a line per page.
type translateMeter struct {
	w            io.Writer
	tty          bool
	total, pages int
	failures     int
	start, last  time.Time
}

func newTranslateMeter(w io.Writer, total int) *translateMeter {
	f, ok := w.(*os.File)
	return &translateMeter{w: w, tty: ok && term.IsTerminal(int(f.Fd())), total: total, start: time.Now()}
}

// page is called once per page; why is "" for a page translated.
func (m *translateMeter) page(p archive.PageText, why string) {
	m.pages++
	if why != "" {
		m.failures++
	}
	if !m.tty {
		if why != "" {
			fmt.Fprintf(m.w, "failed %s page %d: %s\n", p.Path, p.Page, why)
		} else {
			fmt.Fprintf(m.w, "translated %s page %d (%d/%d)\n", p.Path, p.Page, m.pages, m.total)
		}
		return
	}
	if time.Since(m.last) < 100*time.Millisecond && m.pages != m.total {
		return
	}
	m.last = time.Now()
	fmt.Fprintf(m.w, "\r\033[K%s", m.line())
}

func (m *translateMeter) line() string {
	el := time.Since(m.start)
	rate := float64(m.pages) / max(el.Minutes(), 1e-6)
	s := fmt.Sprintf("%d/%d pages", m.pages, m.total)
	if m.total > 0 {
		s += fmt.Sprintf(" (%d%%)", 100*m.pages/m.total)
	}
	s += fmt.Sprintf(", %.0f pages/min", rate)
	if m.total > m.pages && rate > 0 {
		s += ", ETA " + (time.Duration(float64(m.total-m.pages)/rate*60) * time.Second).Round(time.Second).String()
	}
	return s + fmt.Sprintf(", %d failed", m.failures)
}

func (m *translateMeter) end() {
	if m.tty && m.pages > 0 {
		fmt.Fprintf(m.w, "\r\033[K%s\n", m.line())
	}
}

// printTranslations prints a document's translations after its pages:
// the latest version of each page, machine drafts said to be machine
// output, and how many versions there are.
func (e *env) printTranslations(d *archive.Document) {
	for _, lang := range slices.Sorted(maps.Keys(d.Translations)) {
		pages := d.Translations[lang]
		for _, n := range slices.Sorted(maps.Keys(pages)) {
			vs := pages[n]
			v := vs[len(vs)-1]
			kind := "translation"
			if v.Machine {
				kind = "machine translation"
			}
			fmt.Fprintf(e.stdout, "\n--- page %d, %s into %s (%s, %s, %s; version %d of %d) ---\n%s\n", n, kind, lang, v.By, v.State, v.At, v.Version, len(vs), v.Text)
		}
	}
}
