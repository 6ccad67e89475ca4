package redact

import (
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	cases := []struct {
		text, term string
		want       int
	}{
		{"Михаил Горбачёв встретился", "Горбачёв", 1},
		{"с семьёй Горбачева в Москве", "Горбачёв", 0},
		{"ГОРБАЧЕВ, и горбачёв.", "Горбачёв", 2},
		{"письмо Горба-\nчёву и Горба-\nчёв", "Горбачёв", 1},
		{"a Горба- чёв in one line", "Горбачёв", 1},
		{"OCR read Горбaчёв with a Latin a", "Горбачёв", 1},
		{"Ivan\nPetrov signed", "Ivan Petrov", 1},
		{"Ivanovich Petrov", "Ivan Petrov", 0},
		{"«Горбачёв»", "горбачев", 1},
	}
	for _, c := range cases {
		got := len(find(tokenize(textWords(c.text)), termPattern(c.term)))
		if got != c.want {
			t.Errorf("%q in %q: %d matches, want %d", c.term, c.text, got, c.want)
		}
	}
}

func TestFindCoversTheTokens(t *testing.T) {
	toks := tokenize([]word{{"Михаил", 0, 0}, {"Горба-", 1, 0}, {"чёв", 2, 1}, {"встретился", 3, 1}})
	hits := find(toks, termPattern("Горбачёв"))
	if len(hits) != 1 {
		t.Fatalf("%d hits, want 1", len(hits))
	}
	var boxes []int
	for _, i := range hits[0] {
		boxes = append(boxes, toks[i].boxes...)
	}
	if len(boxes) != 2 || boxes[0] != 1 || boxes[1] != 2 {
		t.Errorf("boxes %v, want both halves [1 2]", boxes)
	}
}

func TestPatternsOfRefusesEmptyTerm(t *testing.T) {
	if _, err := patternsOf([]string{"Горбачёв", " -- "}); err == nil || !strings.Contains(err.Error(), "no letters") {
		t.Errorf("err = %v, want a refusal of the punctuation-only term", err)
	}
}

// FuzzFind: any word of a text, taken as a term, is found in it, and a
// term is never found in a text that lacks its letters.
func FuzzFind(f *testing.F) {
	f.Add("Михаил Горбачёв встретился", 1)
	f.Add("письмо Горба-\nчёву и ГОРБАЧЕВ", 2)
	f.Add("«Ivan» Petrov-Vodkin", 0)
	f.Fuzz(func(t *testing.T, text string, pick int) {
		ws := textWords(text)
		if len(ws) == 0 {
			return
		}
		if pick < 0 {
			pick = -pick
		}
		i := pick % len(ws)
		w := ws[i]
		// A word hyphenated at its line's end is joined to the next one.
		if hyphenated(w.text) || (i > 0 && hyphenated(ws[i-1].text) && ws[i-1].line != w.line) {
			return
		}
		ps := pieces(w.text)
		if len(ps) == 0 {
			return
		}
		term := strings.Join(ps, " ")
		if len(find(tokenize(ws), termPattern(term))) == 0 {
			t.Fatalf("the word %q (term %q) is not found in %q", w.text, term, text)
		}
		rest := strings.ReplaceAll(text, w.text, " ")
		var all strings.Builder
		for _, tk := range tokenize(textWords(rest)) {
			all.WriteString(tk.text)
		}
		if !strings.Contains(all.String(), termPattern(term)) && len(find(tokenize(textWords(rest)), termPattern(term))) > 0 {
			t.Fatalf("%q found in %q, which lacks its letters", term, rest)
		}
	})
}
