package corpus

import "testing"

func TestGenerate(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d Russian, %d English sentences", len(s.RU), len(s.EN))
	g := NewGenerator(s, 1)
	a, b := g.Next(), g.Next()
	if a.Lang != "ru" || b.Lang != "en" || len(a.Text) < 2000 || len(a.Text) > 2600 {
		t.Fatalf("%+v %+v", a, b)
	}
	t.Log(a.Text[:600])
	t.Log(b.Text[:600])
	if NewGenerator(s, 1).Next().Text != a.Text {
		t.Fatal("not deterministic")
	}
}
