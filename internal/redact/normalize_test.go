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
