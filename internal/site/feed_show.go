package site

import (
	"encoding/xml"
	"net/http"
	"time"

	"confide/internal/store"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	// Lang is the story's language, as xml:lang: a feed mixes languages.
	Lang      string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Link      atomLink   `xml:"link"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Author    atomAuthor `xml:"author"`
	Summary   string     `xml:"summary"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

// feedShow is an Atom feed of the latest stories.
func (s *Server) feedShow(w http.ResponseWriter, r *http.Request) {
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now(), Limit: 50})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	base := s.baseURL(r)
	f := atomFeed{Title: s.render.Cat.T("en", "zone.site"), ID: base + "/", Links: []atomLink{{Href: base + "/feed.atom", Rel: "self"}, {Href: base + "/"}}}
	updated := time.Unix(0, 0).UTC()
	for _, st := range stories {
		u := base + "/stories/" + st.Slug
		f.Entries = append(f.Entries, atomEntry{Lang: st.Lang, Title: st.Title, ID: u, Link: atomLink{Href: u}, Published: st.Published.Format(time.RFC3339),
			Updated: st.Updated.Format(time.RFC3339), Author: atomAuthor{Name: st.Author.Name}, Summary: st.Standfirst})
		if st.Updated.After(updated) {
			updated = st.Updated
		}
	}
	f.Updated = updated.Format(time.RFC3339)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(f)
}
