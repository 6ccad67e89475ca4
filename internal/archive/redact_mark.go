package archive

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"confide/internal/redact"
)

// maxMarks bounds a draft: terms and boxes each.
const maxMarks = 200

// redactMark changes the user's pending marks on a document and goes back
// to the redaction page. A click on the page image (at.x, at.y, in the CSS
// pixels the page fixed; atm or ats for its smaller sizes) sets a box's first corner, the next click on the
// same page its opposite one; the other buttons add a term, add the words
// checked (neighbours on a line make one term), or remove a term, a box,
// the pending corner or everything.
func (s *Server) redactMark(w http.ResponseWriter, r *http.Request, u User) {
	d, m, ok := s.draft(w, r, u)
	if !ok {
		return
	}
	n, _ := strconv.Atoi(r.PostFormValue("page"))
	n = min(max(n, 1), max(len(d.Pages), 1))
	addTerm := func(t string) {
		t = strings.Join(strings.Fields(t), " ")
		if t != "" && len(m.Terms) < maxMarks && !slices.Contains(m.Terms, t) && len([]rune(t)) <= 200 {
			m.Terms = append(m.Terms, t)
		}
	}
	// The image button clicked names the size its click's pixels are in.
	var view string
	x, y := 0, 0
	for _, z := range canvasSizes {
		vx, errX := strconv.Atoi(r.PostFormValue(z.Name + ".x"))
		vy, errY := strconv.Atoi(r.PostFormValue(z.Name + ".y"))
		if errX == nil && errY == nil {
			view, x, y = z.Name, vx, vy
			break
		}
	}
	switch {
	case view != "":
		c, err := s.a.pageCanvas(r.Context(), d, n)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		var px, py float64
		for _, v := range c.views() {
			if v.Name == view {
				px, py = c.click(v, x, y)
			}
		}
		if k := m.Corner; k != nil && k.Page == n {
			b := redact.Box{Page: n, X0: min(k.X0, px), Y0: min(k.Y0, py), X1: max(k.X0, px), Y1: max(k.Y0, py)}
			if len(m.Boxes) < maxMarks && b.X1 > b.X0 && b.Y1 > b.Y0 {
				m.Boxes = append(m.Boxes, b)
			}
			m.Corner = nil
		} else {
			m.Corner = &redact.Box{Page: n, X0: px, Y0: py, X1: px, Y1: py}
		}
	case r.PostFormValue("do") == "term":
		for _, t := range strings.Split(r.PostFormValue("term"), "\n") {
			addTerm(t)
		}
	case r.PostFormValue("do") == "words":
		if n <= len(d.Pages) {
			for _, t := range chosenTerms(d.Pages[n-1].Text, r.PostForm["word"]) {
				addTerm(t)
			}
		}
	case r.PostFormValue("remove-term") != "":
		if i, err := strconv.Atoi(r.PostFormValue("remove-term")); err == nil && i >= 0 && i < len(m.Terms) {
			m.Terms = slices.Delete(m.Terms, i, i+1)
		}
	case r.PostFormValue("remove-box") != "":
		if i, err := strconv.Atoi(r.PostFormValue("remove-box")); err == nil && i >= 0 && i < len(m.Boxes) {
			m.Boxes = slices.Delete(m.Boxes, i, i+1)
		}
	case r.PostFormValue("do") == "uncorner":
		m.Corner = nil
	case r.PostFormValue("do") == "clear":
		m = Marks{}
	}
	if err := s.a.SaveDraft(r.Context(), d.ID, u.ID, m); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+d.ID+"/redact?page="+strconv.Itoa(n)+"#marks", http.StatusSeeOther)
}

// draft reads a form posted from a document's redaction page and the
// user's marks on that document; if it fails it has answered.
func (s *Server) draft(w http.ResponseWriter, r *http.Request, u User) (*Document, Marks, bool) {
	if !s.form(w, r, "/documents/"+r.PathValue("id")+"/redact") {
		return nil, Marks{}, false
	}
	d, ok := s.redactable(w, r, u, "redaction refused")
	if !ok {
		return nil, Marks{}, false
	}
	m, err := s.a.Draft(r.Context(), d.ID, u.ID)
	if err != nil {
		s.internal(w, r, err)
		return nil, Marks{}, false
	}
	return d, m, true
}
