package archive

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"confide/internal/translate"
	"confide/internal/web"
)

// readerRow is one row of the side-by-side view: a paragraph of the
// original (its notes' words marked) and the translation's paragraph of
// the same number; either is empty where one side has fewer.
type readerRow struct {
	N           int
	Original    template.HTML
	Translation string
}

// span is a stretch of text to mark, for the note id.
type span struct {
	start, end int
	id         int64
}

// marked is text, HTML-escaped, with each span in <mark>; a span that
// overlaps an earlier one is left out (its note still is in the margin).
func marked(text string, spans []span) template.HTML {
	// By start, then the older note first, so that which of two
	// overlapping notes is marked does not change from view to view.
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].id < spans[j].id
	})
	var b strings.Builder
	at := 0
	for _, s := range spans {
		if s.start < at || s.end > len(text) || s.start >= s.end {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[at:s.start]))
		b.WriteString(`<mark id="anchor-` + strconv.FormatInt(s.id, 10) + `"><a href="#note-` + strconv.FormatInt(s.id, 10) + `">`)
		b.WriteString(template.HTMLEscapeString(text[s.start:s.end]))
		b.WriteString(`</a></mark>`)
		at = s.end
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String())
}

// pageMarks are the spans of a page's notes whose words were found.
func pageMarks(notes []Note, page int) []span {
	var out []span
	for _, n := range notes {
		if n.Page == page && !n.Lost {
			out = append(out, span{n.Start, n.End, n.ID})
		}
	}
	return out
}

// sideBySide pairs the original's paragraphs with the translation's, i
// with i (a translation is made paragraph by paragraph), keeping every
// paragraph of both sides; the notes' words are marked in the original's.
func sideBySide(original, translation string, notes []Note, page int) []readerRow {
	paras := translate.Split(original)
	marks := make([][]span, len(paras))
	for _, s := range pageMarks(notes, page) {
		// The paragraph the span starts in: Split counts a paragraph
		// still open at the cut as one, so a sentinel letter joins it.
		i := len(translate.Split(original[:s.start]+"x")) - 1
		if i < 0 || i >= len(paras) {
			continue
		}
		// Split joined the paragraph's lines: find the words again in it.
		if m := quotePattern(original[s.start:s.end]).FindStringIndex(paras[i]); m != nil {
			marks[i] = append(marks[i], span{m[0], m[1], s.id})
		}
	}
	rows := translate.Align(paras, translate.Split(translation))
	out := make([]readerRow, len(rows))
	for i, r := range rows {
		out[i] = readerRow{N: r.N, Translation: r.Translation}
		if i < len(paras) {
			out[i].Original = marked(r.Original, marks[i])
		}
	}
	return out
}

// stateLabel says in lang what a version is: a machine draft, a human
// draft, or reviewed by whom and on which day.
func stateLabel(cat *web.Catalog, lang string, v TranslationVersion) string {
	kind := cat.T(lang, "archive.tr.human")
	if v.Machine {
		kind = cat.T(lang, "archive.tr.machine")
	}
	if v.State == Reviewed {
		if v.ReviewedBy != "" {
			return cat.T(lang, "archive.tr.reviewedby", kind, v.ReviewedBy, day(v.ReviewedAt))
		}
		return cat.T(lang, "archive.tr.reviewed", kind)
	}
	if v.Machine {
		return cat.T(lang, "archive.tr.machinedraft")
	}
	return cat.T(lang, "archive.tr.humandraft")
}

// day is the date part of an RFC 3339 time.
func day(at string) string {
	if len(at) >= 10 {
		return at[:10]
	}
	return at
}

// maker is who made a version, for display: "user: ann" is "ann".
func maker(v TranslationVersion) string {
	if name, ok := strings.CutPrefix(v.By, "user: "); ok {
		return name
	}
	return v.By
}
