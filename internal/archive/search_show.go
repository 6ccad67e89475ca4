package archive

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"confide/internal/search/query"
)

// perPage is how many hits a search page shows.
const perPage = 20

type searchData struct {
	User   User
	Query  string
	Error  string // why the query could not be read
	Total  int
	Exact  bool // Total is exact, not a lower bound
	Hits   []ResultHit
	Facets []facetGroup
	Pages  []pageLink
	Prev   string
	Next   string
	From   int // the first hit's number on this page
}

type facetGroup struct {
	Name  string // the query's field, which names the group (archive.facet.*)
	Items []facetItem
}

type facetItem struct {
	Value string
	Count int
	URL   string
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
}

// searchShow runs a query in the engine's syntax (words, "phrases", OR,
// -not, field:value) within the collections the user reads, with facets as
// links that narrow the query and page links to any depth. Each search is
// audited.
func (s *Server) searchShow(w http.ResponseWriter, r *http.Request, u User) {
	q := r.URL.Query().Get("q")
	d := searchData{User: u, Query: q}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	if q == "" {
		s.render.Render(w, http.StatusOK, "search", s.page(w, r, "archive.nav.search", d))
		return
	}
	res, err := s.a.SearchPage(r.Context(), SearchRequest{Query: q, Collections: readable(u), Offset: (page - 1) * perPage, Limit: perPage, Facets: true})
	var perr *query.Error
	if errors.As(err, &perr) {
		d.Error = perr.Error()
		s.render.Render(w, http.StatusBadRequest, "search", s.page(w, r, "archive.nav.search", d))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "search", q)
	d.Total, d.Exact, d.Hits, d.From = res.Total, res.Exact, res.Hits, (page-1)*perPage+1
	link := func(q string, p int) string {
		u := "/search?q=" + url.QueryEscape(q)
		if p > 1 {
			u += "&page=" + strconv.Itoa(p)
		}
		return u
	}
	if f := res.Facets; f != nil {
		years := map[string]int{}
		for y, n := range f.Year {
			years[strconv.Itoa(y)] = n
		}
		for _, g := range []struct {
			field  string
			counts map[string]int
		}{{"collection", f.Collection}, {"lang", f.Lang}, {"type", f.Type}, {"date", years}} {
			fg := facetGroup{Name: g.field}
			for v, n := range g.counts {
				if g.field == "collection" && !u.Reads(v) {
					continue
				}
				fg.Items = append(fg.Items, facetItem{Value: v, Count: n, URL: link(q+" "+g.field+":"+quoteValue(v), 1)})
			}
			slices.SortFunc(fg.Items, func(a, b facetItem) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value)) })
			if len(fg.Items) > 0 {
				d.Facets = append(d.Facets, fg)
			}
		}
	}
	last := (d.Total + perPage - 1) / perPage
	if !d.Exact && len(d.Hits) == perPage {
		// A lower bound: there may be more past this full page.
		last = max(last, page+1)
	}
	if page > 1 {
		d.Prev = link(q, page-1)
	}
	if page < last {
		d.Next = link(q, page+1)
	}
	// The first and last pages and a window around this one: any depth is
	// a link away, and the list stays short.
	for p := 1; p <= last; p++ {
		if p == 1 || p == last || (p >= page-3 && p <= page+3) {
			d.Pages = append(d.Pages, pageLink{Number: p, URL: link(q, p), Current: p == page})
		} else if p < page-3 {
			p = page - 4
		} else {
			p = last - 1
		}
	}
	s.render.Render(w, http.StatusOK, "search", s.page(w, r, "archive.search.title", d, q))
}

// quoteValue writes a facet value so the query parser reads it back whole.
func quoteValue(v string) string {
	for _, c := range v {
		if c == ' ' || c == '"' || c == ':' || c == '(' || c == ')' {
			return strconv.Quote(v)
		}
	}
	return v
}
