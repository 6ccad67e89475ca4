// Package searchtest is the contract suite of search.Engine: every
// implementation (the folder index, PostgreSQL) runs the same queries on the
// same small corpus and must give the same answers.
package searchtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"confide/internal/search"
	"confide/internal/search/query"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Corpus is the small archive the suite searches.
func Corpus() []search.Doc {
	return []search.Doc{
		{ID: "d1", Collection: "kgb", Type: "letter", Date: day("1985-03-11"), Tags: []string{"secret"},
			Pages: []string{"Архивы КГБ содержат письмо Горбачёву о комитете."}},
		{ID: "d2", Collection: "kgb", Type: "report", Date: day("1987-06-01"),
			Pages: []string{"Доклад комитета. Архив документов передан в Москву. Горбачев подписал приказ."}},
		{ID: "d3", Collection: "kgb", Type: "report", Date: day("1987-07-01"), Tags: []string{"translation"},
			Pages: []string{"Report of the committee: the archives of the KGB were moved to Moscow."}},
		{ID: "d4", Collection: "party", Type: "letter", Date: day("1991-08-19"),
			Pages: []string{"Письма из архива партии. Писем было много, одно письмо не дошло."}},
		{ID: "d5", Collection: "party", Type: "memo",
			Pages: []string{"Memo: the archivist reports letters missing from the archive."}},
		{ID: "d6", Collection: "party", Type: "report", Date: day("1979-12-25"),
			Pages: []string{"Первая страница без совпадений.", "Вторая страница: совершенно секретный доклад о шпионах & <агентах>."}},
		{ID: "d7", Collection: "misc", Type: "protocol", Date: day("1962-10-27"),
			Pages: []string{"Protocol of interrogation / Протокол допроса агента."}},
	}
}

// Open returns a new, empty engine for one test.
type Open func(t *testing.T) search.Engine

func load(t *testing.T, open Open, docs []search.Doc) search.Engine {
	t.Helper()
	e := open(t)
	for _, d := range docs {
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Commit(); err != nil {
		t.Fatal(err)
	}
	return e
}

// Search parses q and runs it, failing the test on any error.
func Search(t *testing.T, s search.Searcher, q string, req search.Request) *search.Result {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	req.Query = n
	res, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func ids(res *search.Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// Run runs the whole suite.
func Run(t *testing.T, open Open) {
	t.Run("Queries", func(t *testing.T) { testQueries(t, open) })
	t.Run("Ranking", func(t *testing.T) { testRanking(t, open) })
	t.Run("Highlights", func(t *testing.T) { testHighlights(t, open) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, open) })
	t.Run("DeleteReplace", func(t *testing.T) { testDeleteReplace(t, open) })
	t.Run("DeepPaging", func(t *testing.T) { testDeepPaging(t, open) })
}

func testQueries(t *testing.T, open Open) {
	e := load(t, open, Corpus())
	defer e.Close()
	for q, want := range map[string]string{
		`архив`:                        "d1 d2 d4",
		`архивы`:                       "d1 d2 d4",
		`АРХИВОВ`:                      "d1 d2 d4",
		`=архивы`:                      "d1",
		`Горбачёв`:                     "d1 d2",
		`горбачева`:                    "d1 d2",
		`письмо`:                       "d1 d4",
		`писем`:                        "d1 d4",
		`archive`:                      "d3 d5",
		`archives`:                     "d3 d5",
		`"архив документов"`:           "d2",
		`"документов архив"`:           "",
		`"архивов документа"`:          "d2",
		`комитет Москва`:               "d2",
		`архив OR archive`:             "d1 d2 d3 d4 d5",
		`архив -партии`:                "d1 d2",
		`архив -(партия OR КГБ)`:       "d2",
		`арх*`:                         "d1 d2 d4",
		`archiv*`:                      "d3 d5",
		`collection:party`:             "d4 d5 d6",
		`collection:party архив`:       "d4",
		`lang:en`:                      "d3 d5",
		`lang:ru агент`:                "d6 d7",
		`type:report`:                  "d2 d3 d6",
		`tag:secret`:                   "d1",
		`date:1987`:                    "d2 d3",
		`date:1980..1990 комитет`:      "d1 d2",
		`date:..1979-12-25`:            "d6 d7",
		`date:1979-12-26..`:            "d1 d2 d3 d4",
		`агент`:                        "d6 d7",
		`protocol протокол`:            "d7",
		`(архив OR archive) date:1987`: "d2 d3",
		`шпион секретный`:              "d6",
		`несуществующееслово`:          "",
		`архив несуществующееслово`:      "",
		`несуществующееслово OR archive`: "d3 d5",
		`collection:nothing`: "",
		`"совершенно секретный" collection:party`: "d6",
	} {
		res := Search(t, e, q, search.Request{Limit: 50})
		got := strings.Join(sorted(ids(res)), " ")
		if got != want {
			t.Errorf("%s: got [%s], want [%s]", q, got, want)
		}
		if res.Total < len(res.Hits) {
			t.Errorf("%s: total %d below %d hits", q, res.Total, len(res.Hits))
		}
	}
	res := Search(t, e, `d1`, search.Request{})
	if len(res.Hits) != 0 {
		t.Errorf("an ID is not a word of the text: %v", ids(res))
	}
	res = Search(t, e, `=архивы`, search.Request{})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", ids(res))
	}
	h := res.Hits[0]
	if h.Collection != "kgb" || h.Lang != "ru" || h.Type != "letter" || !h.Date.Equal(day("1985-03-11")) {
		t.Errorf("hit fields %+v", h)
	}
	if res := Search(t, e, `memo`, search.Request{}); len(res.Hits) != 1 || !res.Hits[0].Date.IsZero() || res.Hits[0].Lang != "en" {
		t.Errorf("undated English memo: %+v", res.Hits)
	}
}

func testRanking(t *testing.T, open Open) {
	filler := strings.Repeat("текст ", 40)
	e := load(t, open, []search.Doc{
		{ID: "far", Pages: []string{"совершенно " + filler + " секретный " + filler}},
		{ID: "near", Pages: []string{filler + " совершенно секретный " + filler}},
		{ID: "other", Pages: []string{"архив КГБ " + filler}},
		{ID: "exact", Pages: []string{"архивы КГБ " + filler}},
	})
	defer e.Close()
	if got := ids(Search(t, e, `"совершенно секретный"`, search.Request{})); !slices.Equal(got, []string{"near"}) {
		t.Errorf("phrase: %v", got)
	}
	for q, first := range map[string]string{
		`совершенно секретный`: "near",
		`секретный совершенно`: "near",
		`архивы`: "exact",
		`архив`:  "other",
	} {
		res := Search(t, e, q, search.Request{})
		if len(res.Hits) < 2 || res.Hits[0].ID != first || res.Hits[0].Score <= res.Hits[1].Score {
			var got []string
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%s %.3f", h.ID, h.Score))
			}
			t.Errorf("%s: %v, want %s first and strictly ahead", q, got, first)
		}
	}
}

func testHighlights(t *testing.T, open Open) {
	e := load(t, open, Corpus())
	defer e.Close()
	res := Search(t, e, `доклад шпион`, search.Request{Highlights: true})
	if len(res.Hits) != 1 || len(res.Hits[0].Snippets) != 1 {
		t.Fatalf("hits %+v", res.Hits)
	}
	sn := res.Hits[0].Snippets[0]
	if sn.Page != 2 {
		t.Errorf("snippet from page %d, want 2", sn.Page)
	}
	html := string(sn.HTML)
	for _, want := range []string{"<mark>доклад</mark>", "<mark>шпионах</mark>", "&amp;", "&lt;агентах&gt;"} {
		if !strings.Contains(html, want) {
			t.Errorf("snippet %q lacks %q", html, want)
		}
	}
	if strings.Contains(html, "<mark>секретный</mark>") || strings.Contains(html, "<агентах>") {
		t.Errorf("snippet %q marks a word not searched for or leaves text unescaped", html)
	}
	res = Search(t, e, `архив`, search.Request{Highlights: true, Limit: 1})
	if len(res.Hits) != 1 || res.Hits[0].Snippets[0].Page != 0 || !strings.Contains(string(res.Hits[0].Snippets[0].HTML), "<mark>") {
		t.Errorf("single-page hit %+v", res.Hits)
	}
	res = Search(t, e, `архив`, search.Request{})
	if len(res.Hits) == 0 || res.Hits[0].Snippets != nil {
		t.Errorf("snippets built though not asked for")
	}
}

func testFacets(t *testing.T, open Open) {
	e := load(t, open, Corpus())
	defer e.Close()
	res := Search(t, e, `архив OR archive OR агент`, search.Request{Facets: true, Limit: 1})
	f := res.Facets
	if f == nil || res.Total != 7 || !res.TotalExact || len(res.Hits) != 1 {
		t.Fatalf("total %d exact %v facets %+v", res.Total, res.TotalExact, f)
	}
	want := fmt.Sprint(map[string]int{"kgb": 3, "party": 3, "misc": 1}, map[string]int{"ru": 5, "en": 2},
		map[string]int{"letter": 2, "report": 3, "memo": 1, "protocol": 1}, map[int]int{1985: 1, 1987: 2, 1991: 1, 1979: 1, 1962: 1})
	if got := fmt.Sprint(f.Collection, f.Lang, f.Type, f.Year); got != want {
		t.Errorf("facets %s, want %s", got, want)
	}
}

func testDeleteReplace(t *testing.T, open Open) {
	e := load(t, open, Corpus())
	defer e.Close()
	if err := e.Delete("d2"); err != nil {
		t.Fatal(err)
	}
	if got := ids(Search(t, e, `архив`, search.Request{})); len(got) != 3 {
		t.Errorf("delete visible before commit: %v", got)
	}
	d4 := Corpus()[3]
	d4.Pages = []string{"Новый текст без того слова."}
	if err := e.Add(d4); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("no-such-id"); err != nil {
		t.Errorf("deleting a missing ID: %v", err)
	}
	if err := e.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sorted(ids(Search(t, e, `архив`, search.Request{}))); !slices.Equal(got, []string{"d1"}) {
		t.Errorf("after deleting d2 and replacing d4: %v", got)
	}
	if got := ids(Search(t, e, `новый текст`, search.Request{})); !slices.Equal(got, []string{"d4"}) {
		t.Errorf("replacement not found: %v", got)
	}
	// Add then delete in one batch, and replace twice in one batch.
	e.Add(search.Doc{ID: "tmp", Pages: []string{"временный документ"}})
	e.Delete("tmp")
	e.Add(search.Doc{ID: "twice", Pages: []string{"черновая версия"}})
	e.Add(search.Doc{ID: "twice", Pages: []string{"вторая версия"}})
	if err := e.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := ids(Search(t, e, `временный`, search.Request{})); len(got) != 0 {
		t.Errorf("deleted in the same batch: %v", got)
	}
	if got := ids(Search(t, e, `версия`, search.Request{})); !slices.Equal(got, []string{"twice"}) {
		t.Errorf("replaced in the same batch: %v", got)
	}
	if got := ids(Search(t, e, `черновая`, search.Request{})); len(got) != 0 {
		t.Errorf("first version still found: %v", got)
	}
	// Many uncommitted adds, then replacing and deleting some of them in
	// the same batch: engines that write batches out before the commit
	// must find the earlier copies wherever they went.
	for i := range 12 {
		e.Add(search.Doc{ID: fmt.Sprint("b", i), Pages: []string{"старый вариант"}})
	}
	for i := range 12 {
		switch {
		case i%3 == 0:
			e.Delete(fmt.Sprint("b", i))
		case i%3 == 1:
			e.Add(search.Doc{ID: fmt.Sprint("b", i), Pages: []string{"новый вариант"}})
		}
	}
	if err := e.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sorted(ids(Search(t, e, `вариант`, search.Request{Limit: 50}))); !slices.Equal(got, []string{"b1", "b10", "b11", "b2", "b4", "b5", "b7", "b8"}) {
		t.Errorf("after replacing and deleting in one batch: %v", got)
	}
	if got := sorted(ids(Search(t, e, `старый`, search.Request{Limit: 50}))); !slices.Equal(got, []string{"b11", "b2", "b5", "b8"}) {
		t.Errorf("old versions: %v", got)
	}
}

func testDeepPaging(t *testing.T, open Open) {
	var docs []search.Doc
	for i := range 450 {
		docs = append(docs, search.Doc{ID: fmt.Sprintf("p%03d", i),
			Pages: []string{strings.Repeat("архив ", 1+i%7) + strings.Repeat("слово ", i%11)}})
	}
	e := load(t, open, docs)
	defer e.Close()
	all := Search(t, e, `архив`, search.Request{Limit: 1000, Facets: true})
	if len(all.Hits) != 450 || all.Total != 450 {
		t.Fatalf("%d hits, total %d", len(all.Hits), all.Total)
	}
	var paged []string
	for off := 0; off < 460; off += 20 {
		res := Search(t, e, `архив`, search.Request{Offset: off, Limit: 20})
		paged = append(paged, ids(res)...)
	}
	if !slices.Equal(paged, ids(all)) {
		t.Errorf("pages do not add up to the whole list")
	}
	for _, bad := range []search.Request{{Offset: -1}, {Limit: search.MaxLimit + 1}, {Offset: search.MaxDepth}} {
		n, _ := query.Parse("архив")
		bad.Query = n
		if _, err := e.Search(context.Background(), bad); err == nil {
			t.Errorf("offset %d limit %d accepted", bad.Offset, bad.Limit)
		}
	}
	for i := 1; i < len(all.Hits); i++ {
		if all.Hits[i].Score > all.Hits[i-1].Score {
			t.Fatalf("hit %d scores above hit %d", i, i-1)
		}
	}
}
