package redact

import "testing"

func TestMaskText(t *testing.T) {
	for _, c := range []struct {
		text  string
		terms []string
		want  string
		n     int
	}{
		{"Gorbachev met Ivan Petrov, then Petrova.", []string{"Ivan Petrov"}, "Gorbachev met ████ ███████ then Petrova.", 1},
		{"Письмо подписал М. С. Горба-\nчёв и отправил.", []string{"Горбачев"}, "Письмо подписал М. С. ██████\n███ и отправил.", 1},
		{"ГОРБАЧЁВ и Горбачева", []string{"горбачев"}, "████████ и Горбачева", 1},
		{"nothing here", []string{"Petrov"}, "nothing here", 0},
		{"Petrov. Petrov!", []string{"petrov", "Ivan"}, "███████ ███████", 2},
	} {
		got, n, err := Mask(c.text, c.terms)
		if err != nil || got != c.want || n != c.n {
			t.Errorf("Mask(%q, %q) = %q, %d, %v; want %q, %d", c.text, c.terms, got, n, err, c.want, c.n)
		}
		found, err := Found(c.text, c.terms)
		if err != nil || (len(found) > 0) != (c.n > 0) {
			t.Errorf("Found(%q, %q) = %q, %v", c.text, c.terms, found, err)
		}
		if f, _ := Found(got, c.terms); len(f) != 0 {
			t.Errorf("the masked %q still holds %q", got, f)
		}
	}
	if _, _, err := Mask("x", []string{"--"}); err == nil {
		t.Error("a term without letters was accepted")
	}
}
