package site

import (
	"encoding/xml"
	"net/http"

	"confide/internal/store"
)

type urlset struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []smURL  `xml:"url"`
}

type smURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

func (s *Server) sitemapShow(w http.ResponseWriter, r *http.Request) {
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now()})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	base := s.baseURL(r)
	u := urlset{URLs: []smURL{{Loc: base + "/"}, {Loc: base + "/dropbox"}}}
	seen := map[string]bool{}
	for _, st := range stories {
		u.URLs = append(u.URLs, smURL{Loc: base + "/stories/" + st.Slug, LastMod: st.Updated.Format("2006-01-02")})
		if !seen[st.Author.Slug] {
			seen[st.Author.Slug] = true
			u.URLs = append(u.URLs, smURL{Loc: base + "/authors/" + st.Author.Slug})
		}
	}
	if s.cfg.Published != nil {
		docs, err := s.cfg.Store.Documents(r.Context())
		if err != nil {
			s.internal(w, r, err)
			return
		}
		for _, d := range docs {
			u.URLs = append(u.URLs, smURL{Loc: base + "/documents/" + d.Slug, LastMod: d.Updated.Time().Format("2006-01-02")})
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(u)
}
