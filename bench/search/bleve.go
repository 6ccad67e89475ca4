package main

import (
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"confide/bench/search/corpus"
)

// bleveEngine indexes Russian text in field ru (analyser "ru": snowball
// stems) and English in en (analyser "en"), scored with BM25.
type bleveEngine struct {
	dir string
	idx bleve.Index
}

type bleveDoc struct {
	RU, EN     string
	Collection string
	Lang       string
	Type       string
	Date       time.Time
	Year       float64
}

func newBleve(dir string) (engine, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	dm := bleve.NewDocumentMapping()
	for field, analyzer := range map[string]string{"RU": "ru", "EN": "en"} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = true
		f.IncludeTermVectors = true // for highlights
		dm.AddFieldMappingsAt(field, f)
	}
	for _, field := range []string{"Collection", "Lang", "Type"} {
		f := bleve.NewKeywordFieldMapping()
		dm.AddFieldMappingsAt(field, f)
	}
	dm.AddFieldMappingsAt("Date", bleve.NewDateTimeFieldMapping())
	dm.AddFieldMappingsAt("Year", bleve.NewNumericFieldMapping())
	m.DefaultMapping = dm
	idx, err := bleve.New(dir+"/index", mapping.IndexMapping(m))
	if err != nil {
		return nil, err
	}
	return &bleveEngine{dir: dir, idx: idx}, nil
}

func (b *bleveEngine) index(docs func(yield func(corpus.Doc) bool)) error {
	batch := b.idx.NewBatch()
	for d := range docs {
		bd := bleveDoc{Collection: d.Collection, Lang: d.Lang, Type: d.Type, Date: d.Date, Year: float64(d.Date.Year())}
		if d.Lang == "ru" {
			bd.RU = d.Text
		} else {
			bd.EN = d.Text
		}
		if err := batch.Index(d.ID, bd); err != nil {
			return err
		}
		if batch.Size() >= 1000 {
			if err := b.idx.Batch(batch); err != nil {
				return err
			}
			batch = b.idx.NewBatch()
		}
	}
	return b.idx.Batch(batch)
}

func (b *bleveEngine) search(q Query) (int, error) {
	field := "EN"
	if q.Lang == "ru" {
		field = "RU"
	}
	var words []query.Query
	if q.Phrase {
		p := bleve.NewMatchPhraseQuery(q.Words[0] + " " + q.Words[1])
		p.SetField(field)
		words = append(words, p)
	} else {
		for _, w := range q.Words {
			m := bleve.NewMatchQuery(w)
			m.SetField(field)
			words = append(words, m)
		}
	}
	var qq query.Query = bleve.NewConjunctionQuery(words...)
	req := bleve.NewSearchRequestOptions(qq, 20, 0, false)
	if q.Filter {
		c := bleve.NewTermQuery("c01")
		c.SetField("Collection")
		from, to := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1970, 12, 31, 0, 0, 0, 0, time.UTC)
		dr := bleve.NewDateRangeQuery(from, to)
		dr.SetField("Date")
		req = bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(qq, c, dr), 20, 0, false)
		for _, f := range []string{"Collection", "Lang", "Type"} {
			req.AddFacet(f, bleve.NewFacetRequest(f, 50))
		}
		years := bleve.NewFacetRequest("Year", 60)
		for y := 1945; y < 1995; y++ {
			lo, hi := float64(y), float64(y+1)
			years.AddNumericRange(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), &lo, &hi)
		}
		req.AddFacet("Year", years)
	}
	req.Highlight = bleve.NewHighlightWithStyle("html")
	req.Highlight.AddField(field)
	res, err := b.idx.Search(req)
	if err != nil {
		return 0, err
	}
	return int(res.Total), nil
}

func (b *bleveEngine) size() int64  { return dirSize(b.dir) }
func (b *bleveEngine) close() error { return b.idx.Close() }
