package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"confide/internal/ingest"
	"confide/internal/search"
	"confide/internal/search/query"
)

// CollectionStatus is a collection's ingest state.
type CollectionStatus struct {
	Name     string       `json:"name"`
	OCRLang  string       `json:"ocr_lang"`
	Queued   int          `json:"queued"`
	Running  int          `json:"running"`
	Done     int          `json:"done"`
	Failed   int          `json:"failed"`
	Docs     int          `json:"documents"`
	Pages    int          `json:"pages"`
	Failures []DocFailure `json:"failures"` // every file or member that could not be read
	// LowConfidence lists OCRed pages whose confidence is low, for review.
	LowConfidence []PageRef `json:"low_confidence"`
}

// PageRef names a page of a document.
type PageRef struct {
	ID         string  `json:"id"`
	Path       string  `json:"path"`
	Page       int     `json:"page"`
	Confidence float64 `json:"confidence"`
}

// Status returns every collection's state, by name.
func (a *Archive) Status(ctx context.Context) ([]CollectionStatus, error) {
	rows, err := a.db.sql.QueryContext(ctx, `SELECT c.name, c.ocr_lang,
		COALESCE(SUM(CASE WHEN e.state = 'queued' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.state = 'running' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.state = 'failed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(e.docs), 0), COALESCE(SUM(e.pages), 0)
		FROM archive_collections c LEFT JOIN archive_entries e ON e.collection = c.name
		GROUP BY c.name, c.ocr_lang ORDER BY c.name`)
	if err != nil {
		return nil, fmt.Errorf("archive: status: %w", err)
	}
	var out []CollectionStatus
	for rows.Next() {
		var s CollectionStatus
		if err := rows.Scan(&s.Name, &s.OCRLang, &s.Queued, &s.Running, &s.Done, &s.Failed, &s.Docs, &s.Pages); err != nil {
			rows.Close()
			return nil, fmt.Errorf("archive: status: %w", err)
		}
		s.Failures, s.LowConfidence = []DocFailure{}, []PageRef{}
		out = append(out, s)
	}
	rows.Close()
	for i := range out {
		s := &out[i]
		// An entry that failed as a whole, and every document that failed
		// inside one that did not.
		err := a.each(ctx, statusFailures, []any{s.Name, s.Name}, func(r *sql.Rows) error {
			var f DocFailure
			if err := r.Scan(&f.Path, &f.Reason, &f.Kind); err != nil {
				return err
			}
			s.Failures = append(s.Failures, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = a.each(ctx, statusLowPages, []any{s.Name}, func(r *sql.Rows) error {
			var p PageRef
			if err := r.Scan(&p.ID, &p.Path, &p.Page, &p.Confidence); err != nil {
				return err
			}
			s.LowConfidence = append(s.LowConfidence, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// The status's lists of a collection: the entries that failed as a whole
// and every document that failed inside one that did not; the pages of low
// OCR confidence. Each walks a partial index (archive_documents_failed,
// archive_pages_low), not the documents or pages.
const (
	statusFailures = `SELECT e.path, e.reason, COALESCE((SELECT r.fail_kind FROM archive_documents r WHERE r.entry_id = e.id AND r.seq = 1 AND r.fail_reason = e.reason), '')
		FROM archive_entries e WHERE e.collection = ? AND e.state = 'failed'
		UNION ALL SELECT d.path, d.fail_reason, d.fail_kind FROM archive_documents d JOIN archive_entries e ON e.id = d.entry_id
		WHERE e.collection = ? AND e.state <> 'failed' AND d.fail_reason <> '' ORDER BY 1`
	statusLowPages = `SELECT d.id, d.path, p.number, p.confidence FROM archive_pages p JOIN archive_documents d ON d.id = p.doc_id
		JOIN archive_entries e ON e.id = d.entry_id WHERE e.collection = ? AND p.low = 1 ORDER BY d.path, p.number`
)

func (a *Archive) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := a.db.sql.QueryContext(ctx, a.db.q(q), args...)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// Results is a page of search hits, as `archive search --json` prints it.
type Results struct {
	Total int         `json:"total"`
	Hits  []ResultHit `json:"hits"`
	// Facets are counted when asked for (the web zone's search page).
	Facets *search.Facets `json:"-"`
	// Exact says Total is exact, not a lower bound.
	Exact bool `json:"-"`
}

// ResultHit is one matching document.
type ResultHit struct {
	ID         string          `json:"id"`
	Collection string          `json:"collection"`
	Path       string          `json:"path"`
	Page       int             `json:"page,omitempty"` // the first matching page, when the document has pages
	Language   string          `json:"language"`
	Score      float64         `json:"score"`
	Snippets   []template.HTML `json:"snippets"` // HTML-escaped, matches in <mark>
	// Matched says which text matched: "original", "translation:en"
	// for a document found through its translation into English, or
	// "notes" for one found through its notes.
	Matched string `json:"matched"`
	// Machine says the translation that matched is machine output (the
	// latest version of the hit's page).
	Machine bool `json:"machine,omitempty"`
}

// MatchedLang is the language of the translation that matched ("en" of
// "translation:en"), or "" when the original or the notes did.
func (h ResultHit) MatchedLang() string {
	lang, _ := strings.CutPrefix(h.Matched, "translation:")
	if lang == h.Matched {
		return ""
	}
	return lang
}

// Search runs a query in the engine's syntax, within a collection when
// one is given.
func (a *Archive) Search(ctx context.Context, q, collection string, limit int) (*Results, error) {
	var in []string
	if collection != "" {
		in = []string{collection}
	}
	return a.SearchPage(ctx, SearchRequest{Query: q, Collections: in, Limit: limit})
}

// SearchRequest is a page of a search: the query in the engine's syntax,
// the collections it may look in (nil: all), and which hits.
type SearchRequest struct {
	Query       string
	Collections []string
	Offset      int
	Limit       int
	Facets      bool
}

// SearchPage runs a search; with Facets the results count hits by
// collection, language, type and year.
func (a *Archive) SearchPage(ctx context.Context, sr SearchRequest) (*Results, error) {
	if a.eng == nil {
		return nil, errors.New("archive: opened for its rows only: no index to search")
	}
	n, err := query.Parse(sr.Query)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if sr.Collections != nil {
		if len(sr.Collections) == 0 {
			// Nothing granted: nothing to find.
			return &Results{Hits: []ResultHit{}}, nil
		}
		var in query.Or
		for _, c := range sr.Collections {
			in.Nodes = append(in.Nodes, query.Field{Name: "collection", Value: c})
		}
		var within query.Node = in
		if len(in.Nodes) == 1 {
			within = in.Nodes[0]
		}
		n = query.And{Nodes: []query.Node{n, within}}
	}
	req := search.Request{Query: n, Offset: sr.Offset, Limit: sr.Limit, Highlights: true, Facets: sr.Facets}
	if err := req.Check(); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	res, err := a.eng.Search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	out := &Results{Total: res.Total, Hits: []ResultHit{}, Facets: res.Facets, Exact: res.TotalExact}
	seen := map[string]bool{}
	for _, h := range res.Hits {
		hit := ResultHit{ID: h.ID, Collection: h.Collection, Language: h.Lang, Score: h.Score, Snippets: []template.HTML{}, Matched: "original"}
		if id, ok := strings.CutSuffix(h.ID, "#notes"); ok {
			// The notes' search document stands for the document.
			hit.ID, hit.Matched = id, "notes"
		} else if id, lang, ok := splitTranslationID(h.ID); ok {
			// A translation's search document stands for its original.
			hit.ID, hit.Matched = id, "translation:"+lang
		}
		if seen[hit.ID] {
			// Found by the original and by a translation: the better
			// scored hit, which came first, stands for both.
			out.Total--
			continue
		}
		seen[hit.ID] = true
		var pages int
		var lang string
		err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT d.path, d.lang, (SELECT COUNT(*) FROM archive_pages p WHERE p.doc_id = d.id) FROM archive_documents d WHERE d.id = ?`), hit.ID).Scan(&hit.Path, &lang, &pages)
		if hit.Matched != "original" {
			hit.Language = lang // the original's, not the translation's
		}
		if errors.Is(err, sql.ErrNoRows) {
			// Indexed by a run that was killed before its rows were
			// replaced: the next run of that entry takes it out.
			out.Total--
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		for _, s := range h.Snippets {
			if hit.Page == 0 && s.Page > 0 {
				hit.Page = s.Page
			}
			hit.Snippets = append(hit.Snippets, s.HTML)
		}
		if hit.Page == 0 && pages > 0 {
			hit.Page = 1
		}
		if lang, ok := strings.CutPrefix(hit.Matched, "translation:"); ok {
			// Machine output is labelled wherever it shows, a snippet too.
			var machine int
			err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT machine FROM archive_translations WHERE doc_id = ? AND lang = ? AND page = ? ORDER BY version DESC LIMIT 1`), hit.ID, lang, max(hit.Page, 1)).Scan(&machine)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("archive: %w", err)
			}
			hit.Machine = machine == 1
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// Document is a stored document, as `archive show` prints it.
type Document struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Path       string            `json:"path"`
	Parent     string            `json:"parent,omitempty"`
	Type       string            `json:"type"`
	Language   string            `json:"language"`
	Size       int64             `json:"size"`
	SHA256     string            `json:"sha256,omitempty"`
	Fields     map[string]string `json:"fields"`
	Steps      []ingest.Step     `json:"steps"`
	Warnings   []string          `json:"warnings"`
	Failure    string            `json:"failure,omitempty"`
	// FailureKind is the failure's ingest.Kind.
	FailureKind string  `json:"failure_kind,omitempty"`
	Pages       []Page  `json:"pages"`
	Children    []Child `json:"children"`
	// Translations are every version of each page's translations, by
	// language and page number, oldest first.
	Translations map[string]map[int][]TranslationVersion `json:"translations,omitempty"`
	entry        int64
}

// Page is a page of a stored document.
type Page struct {
	Number        int     `json:"number"`
	Text          string  `json:"text"`
	Language      string  `json:"language"`
	OCR           bool    `json:"ocr"`
	Confidence    float64 `json:"confidence,omitempty"`
	LowConfidence bool    `json:"low_confidence,omitempty"`
}

// Child is a document inside another.
type Child struct {
	ID   string `json:"id"`
	Path string `json:"path"`
	Type string `json:"type"`
}

// Show returns a document with its pages and children.
func (a *Archive) Show(ctx context.Context, id string) (*Document, error) {
	d, err := a.doc(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Pages, d.Children = []Page{}, []Child{}
	err = a.each(ctx, `SELECT number, text, lang, ocr, confidence, low FROM archive_pages WHERE doc_id = ? ORDER BY number`, []any{id}, func(r *sql.Rows) error {
		var p Page
		var ocr, low int
		if err := r.Scan(&p.Number, &p.Text, &p.Language, &ocr, &p.Confidence, &low); err != nil {
			return err
		}
		p.OCR, p.LowConfidence = ocr == 1, low == 1
		d.Pages = append(d.Pages, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.Translations, err = a.allTranslations(ctx, id); err != nil {
		return nil, err
	}
	err = a.each(ctx, `SELECT id, path, type FROM archive_documents WHERE parent_id = ? ORDER BY seq`, []any{id}, func(r *sql.Rows) error {
		var c Child
		if err := r.Scan(&c.ID, &c.Path, &c.Type); err != nil {
			return err
		}
		d.Children = append(d.Children, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (a *Archive) doc(ctx context.Context, id string) (*Document, error) {
	var d Document
	var fields, steps, warnings string
	err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT d.id, e.collection, d.path, d.parent_id, d.type, d.lang, d.size, d.sha256, d.fields, d.steps, d.warnings, d.fail_reason, d.fail_kind, d.entry_id
		FROM archive_documents d JOIN archive_entries e ON e.id = d.entry_id WHERE d.id = ?`), id).
		Scan(&d.ID, &d.Collection, &d.Path, &d.Parent, &d.Type, &d.Language, &d.Size, &d.SHA256, &fields, &steps, &warnings, &d.Failure, &d.FailureKind, &d.entry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no document %q (IDs are printed by archive search)", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	json.Unmarshal([]byte(fields), &d.Fields)
	json.Unmarshal([]byte(steps), &d.Steps)
	json.Unmarshal([]byte(warnings), &d.Warnings)
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	if d.Steps == nil {
		d.Steps = []ingest.Step{}
	}
	if d.Warnings == nil {
		d.Warnings = []string{}
	}
	return &d, nil
}

// Custody is a document's whole trail: the events of the file it came
// from (queued, where from, each processing run) and the chain of
// documents from that file down to it, each with its tools.
type Custody struct {
	Original string        `json:"original"` // the original's SHA-256
	Size     int64         `json:"size"`
	Stored   string        `json:"stored"` // where the original is, in the data folder
	Events   []Event       `json:"events"`
	Chain    []CustodyLink `json:"chain"` // the outermost document first
	// Redactions are the redacted copies made of this document, passed,
	// failed or running; Exports the bundles written of it.
	Redactions []*Redaction   `json:"redactions"`
	Exports    []ExportRecord `json:"exports"`
}

// Event is one custody event of an ingested file.
type Event struct {
	At     string          `json:"at"` // UTC, to the second
	Who    string          `json:"who"`
	Action string          `json:"action"`
	Origin json.RawMessage `json:"origin"` // where it came from: {} or a workstation pull's record
}

// CustodyLink is one document of the chain.
type CustodyLink struct {
	ID     string        `json:"id"`
	Path   string        `json:"path"`
	SHA256 string        `json:"sha256,omitempty"`
	Size   int64         `json:"size"`
	Steps  []ingest.Step `json:"steps"`
}

// Custody returns a document's trail.
func (a *Archive) Custody(ctx context.Context, id string) (*Custody, error) {
	d, err := a.doc(ctx, id)
	if err != nil {
		return nil, err
	}
	var c Custody
	if err := a.db.sql.QueryRowContext(ctx, a.db.q(`SELECT o.sha256, o.size FROM archive_entries e JOIN archive_originals o ON o.sha256 = e.sha256 WHERE e.id = ?`), d.entry).Scan(&c.Original, &c.Size); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	c.Stored = "originals/" + c.Original[:2] + "/" + c.Original
	err = a.each(ctx, `SELECT at, who, action, origin FROM archive_events WHERE entry_id = ? ORDER BY id`, []any{d.entry}, func(r *sql.Rows) error {
		var e Event
		var origin string
		if err := r.Scan(&e.At, &e.Who, &e.Action, &origin); err != nil {
			return err
		}
		e.Origin = json.RawMessage(origin)
		c.Events = append(c.Events, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.Redactions, err = a.Redactions(ctx, d.ID); err != nil {
		return nil, err
	}
	if c.Exports, err = a.Exports(ctx, d.ID); err != nil {
		return nil, err
	}
	if c.Redactions == nil {
		c.Redactions = []*Redaction{}
	}
	if c.Exports == nil {
		c.Exports = []ExportRecord{}
	}
	for cur := d; ; {
		c.Chain = append([]CustodyLink{{ID: cur.ID, Path: cur.Path, SHA256: cur.SHA256, Size: cur.Size, Steps: cur.Steps}}, c.Chain...)
		if cur.Parent == "" || len(c.Chain) > 64 {
			break
		}
		if cur, err = a.doc(ctx, cur.Parent); err != nil {
			return nil, err
		}
	}
	return &c, nil
}
