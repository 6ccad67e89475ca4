package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"slices"
	"strings"
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

	// Pages go to the batch by source language: an engine call is one pair.
	type group struct {
		from, by string
		all      int // the group's pages, translated by this engine or not
		pages    []archive.PageText
	}
	var groups []*group
	byLang := map[string]*group{}
	skipped, total := 0, 0
	srcOf := func(p archive.PageText) string {
		if s := translate.Canon(p.Lang); s != "" {
			return s
		}
		return fromLang
	}
	// by "" matches no translation: every page of the collection not in LANG.
	all, _, err := a.Untranslated(ctx, *collection, fromLang, lang, "")
	if err != nil {
		return err
	}
	for _, p := range all {
		src := srcOf(p)
		if byLang[src] == nil {
			byLang[src] = &group{from: src, by: machineBy(eng, src, lang)}
			groups = append(groups, byLang[src])
		}
		byLang[src].all++
	}
	// A page is skipped when this engine version already translated it;
	// the version depends on the pair, so each source language asks apart.
	for _, g := range groups {
		pages, _, err := a.Untranslated(ctx, *collection, fromLang, lang, g.by)
		if err != nil {
			return err
		}
		for _, p := range pages {
			if srcOf(p) == g.from {
				g.pages = append(g.pages, p)
			}
		}
		skipped += g.all - len(g.pages)
		total += len(g.pages)
	}

	m := newTranslateMeter(e.stderr, total)
	var failures []string
	var done []archive.PageText
	docs := map[string]bool{}
	var docList []string
	var runErr error
	for _, g := range groups {
		if len(g.pages) == 0 {
			continue
		}
		if g.from == "" || !translate.Offers(eng, g.from, lang) {
			why := fmt.Sprintf("%s offers no %s→%s", eng.Name(), g.from, lang)
			if g.from == "" {
				why = "the page's language is unknown: give --from LANG"
			}
			for _, p := range g.pages {
				m.page(p, why)
				failures = append(failures, fmt.Sprintf("%s page %d: %s", p.Path, p.Page, why))
			}
			continue
		}
		key := map[string]archive.PageText{}
		for _, p := range g.pages {
			key[p.Key()] = p
		}
		var storeErr error
		b := translate.Batch{Engine: eng, From: g.from, To: lang, Total: len(g.pages), OnResult: func(r translate.Result) {
			p := key[r.ID]
			if storeErr != nil {
				return
			}
			if r.Err == nil {
				// A page the engine finished is kept even when the run is
				// being interrupted.
				if _, err := a.AddTranslation(context.WithoutCancel(ctx), p.DocID, p.Page, lang, r.Translation.Text(), g.by, true, archive.Draft); err != nil {
					storeErr = err
					return
				}
			}
			if r.Err != nil {
				m.page(p, r.Err.Error())
				failures = append(failures, fmt.Sprintf("%s page %d: %v", p.Path, p.Page, r.Err))
				return
			}
			m.page(p, "")
			done = append(done, p)
			if !docs[p.DocID] {
				docs[p.DocID] = true
				docList = append(docList, p.DocID)
			}
		}}
		_, err := b.Run(ctx, slicePages(g.pages))
		if storeErr != nil {
			runErr = storeErr
			break
		}
		if err != nil {
			runErr = err
			break
		}
	}
	m.end()
	// What was stored is indexed and recorded even after an interruption,
	// so a second run goes on from there.
	if len(docList) > 0 {
		if err := a.IndexTranslations(context.WithoutCancel(ctx), docList, lang); err != nil {
			return err
		}
		if err := a.RecordTranslated(context.WithoutCancel(ctx), done, fmt.Sprintf("machine-translated to %s by %s%s, stored as drafts", lang, engineName(eng, groupsFrom(done), lang), where)); err != nil {
			return err
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return errors.New("interrupted; run the same command again to go on where it stopped")
		}
		return runErr
	}
	fmt.Fprintf(e.stdout, "%s: translated %d pages to %s with %s; %d already translated by it, %d failed\n",
		*collection, len(done), lang, engineName(eng, groupsFrom(done), lang), skipped, len(failures))
	for _, fl := range failures {
		fmt.Fprintf(e.stdout, "  failed: %s\n", fl)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d pages of %s could not be translated (listed above); run the same command again to retry them", len(failures), *collection)
	}
	return nil
}

// groupsFrom is the source language of the first page done, for naming the
// engine's version ("" when nothing was done).
func groupsFrom(done []archive.PageText) string {
	if len(done) == 0 {
		return ""
	}
	return translate.Canon(done[0].Lang)
}

// engineName is the engine and its version for a pair, as custody shows it.
func engineName(eng translate.Engine, from, to string) string {
	v := eng.Version()
	if pv, ok := eng.(translate.PairVersioner); ok && from != "" {
		v = pv.VersionFor(from, to)
	}
	return strings.TrimSpace(eng.Name() + " " + v)
}

// machineBy is who made a machine draft: the engine and the version of it
// (and of its language data) for the pair, so that a page is translated
// again only by another version.
func machineBy(eng translate.Engine, from, to string) string {
	return "machine: " + engineName(eng, from, to)
}

func slicePages(pages []archive.PageText) iter.Seq[translate.Source] {
	return func(yield func(translate.Source) bool) {
		for _, p := range pages {
			if !yield(translate.Source{ID: p.Key(), Text: p.Text}) {
				return
			}
		}
	}
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
