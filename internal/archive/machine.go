package archive

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"confide/internal/translate"
)

// MachineRun is a machine translation of a collection's pages: `archive
// translate` and the web zone's batches both run one.
type MachineRun struct {
	Engine     translate.Engine
	Collection string
	From, To   string // canonical codes; From "" takes each page's own
	Where      string // where the engine is (" at URL"), for custody
	// Who started the run, for custody: a web batch's user; "" is the
	// archive's operator (Config.Who), as for the command line.
	Who string
	// OnStart is told how many pages will be translated and how many this
	// engine version already did, before the first.
	OnStart func(total, skipped int)
	// OnPage is called once per page: why is "" for a page translated and
	// stored, else why it was not.
	OnPage func(p PageText, why string)
}

// MachineReport is what a run did.
type MachineReport struct {
	Done, Skipped int
	Failures      []string // "PATH page N: why"
	Engine        string   // the engine and its version, as custody names it
}

// MachineTranslate translates every page of the collection not in To and
// not already translated into it by this engine version, storing each as
// a machine draft as soon as the engine gives it back: a run stopped
// (ctx cancelled, a crash) keeps every page finished, and the next run
// goes on from there. What was stored is indexed and written to custody
// even when the run is interrupted; the error is then ctx's.
func (a *Archive) MachineTranslate(ctx context.Context, r MachineRun) (MachineReport, error) {
	eng, lang := r.Engine, r.To
	// Pages go to the batch by source language: an engine call is one pair.
	type group struct {
		from, by string
		all      int // the group's pages, translated by this engine or not
		pages    []PageText
	}
	var groups []*group
	byLang := map[string]*group{}
	var rep MachineReport
	total := 0
	srcOf := func(p PageText) string {
		if s := translate.Canon(p.Lang); s != "" {
			return s
		}
		return r.From
	}
	// by "" matches no translation: every page of the collection not in LANG.
	all, _, err := a.Untranslated(ctx, r.Collection, r.From, lang, "")
	if err != nil {
		return rep, err
	}
	for _, p := range all {
		src := srcOf(p)
		if byLang[src] == nil {
			byLang[src] = &group{from: src, by: MachineBy(eng, src, lang)}
			groups = append(groups, byLang[src])
		}
		byLang[src].all++
	}
	// A page is skipped when this engine version already translated it;
	// the version depends on the pair, so each source language asks apart.
	for _, g := range groups {
		pages, _, err := a.Untranslated(ctx, r.Collection, r.From, lang, g.by)
		if err != nil {
			return rep, err
		}
		for _, p := range pages {
			if srcOf(p) == g.from {
				g.pages = append(g.pages, p)
			}
		}
		rep.Skipped += g.all - len(g.pages)
		total += len(g.pages)
	}
	if r.OnStart != nil {
		r.OnStart(total, rep.Skipped)
	}
	onPage := func(p PageText, why string) {
		if r.OnPage != nil {
			r.OnPage(p, why)
		}
		if why != "" {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s page %d: %s", p.Path, p.Page, why))
		}
	}
	var done []PageText
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
				onPage(p, why)
			}
			continue
		}
		key := map[string]PageText{}
		for _, p := range g.pages {
			key[p.Key()] = p
		}
		var storeErr error
		b := translate.Batch{Engine: eng, From: g.from, To: lang, Total: len(g.pages), OnResult: func(res translate.Result) {
			p := key[res.ID]
			if storeErr != nil {
				return
			}
			if res.Err != nil {
				onPage(p, res.Err.Error())
				return
			}
			// A page the engine finished is kept even when the run is
			// being interrupted.
			if _, err := a.AddTranslation(context.WithoutCancel(ctx), p.DocID, p.Page, lang, res.Translation.Text(), g.by, true, Draft); err != nil {
				storeErr = err
				return
			}
			onPage(p, "")
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
	rep.Done = len(done)
	from := ""
	if len(done) > 0 {
		from = translate.Canon(done[0].Lang)
	}
	rep.Engine = EngineName(eng, from, lang)
	// What was stored is indexed and recorded even after an interruption,
	// so a second run goes on from there.
	if len(docList) > 0 {
		if err := a.IndexTranslations(context.WithoutCancel(ctx), docList, lang); err != nil {
			return rep, err
		}
		if err := a.RecordTranslated(context.WithoutCancel(ctx), done, r.Who, fmt.Sprintf("machine-translated to %s by %s%s, stored as drafts", lang, rep.Engine, r.Where)); err != nil {
			return rep, err
		}
	}
	return rep, runErr
}

// EngineName is the engine and its version for a pair, as custody shows it.
func EngineName(eng translate.Engine, from, to string) string {
	v := eng.Version()
	if pv, ok := eng.(translate.PairVersioner); ok && from != "" {
		v = pv.VersionFor(from, to)
	}
	return strings.TrimSpace(eng.Name() + " " + v)
}

// MachineBy is who made a machine draft: the engine and the version of it
// (and of its language data) for the pair, so that a page is translated
// again only by another version.
func MachineBy(eng translate.Engine, from, to string) string {
	return "machine: " + EngineName(eng, from, to)
}

func slicePages(pages []PageText) iter.Seq[translate.Source] {
	return func(yield func(translate.Source) bool) {
		for _, p := range pages {
			if !yield(translate.Source{ID: p.Key(), Text: p.Text}) {
				return
			}
		}
	}
}
