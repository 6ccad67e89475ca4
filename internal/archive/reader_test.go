package archive

import (
	"strings"
	"testing"
)

// Side by side keeps every paragraph of both sides, pairs i with i, marks
// a note's words in its own paragraph even across a line break, and
// escapes the text around the marks.
func TestSideBySide(t *testing.T) {
	orig := "Первый <b>абзац</b>.\n\nВторой абзац: дело\nномер семь."
	tr := "First paragraph.\n\nSecond paragraph.\n\nA third the original lacks."
	s := strings.Index(orig, "дело")
	notes := []Note{{ID: 7, Page: 1, Start: s, End: s + len("дело\nномер")}, {ID: 8, Page: 2, Start: 0, End: 4}, {ID: 9, Page: 1, Lost: true}}
	rows := sideBySide(orig, tr, notes, 1)
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	if rows[0].Original != "Первый &lt;b&gt;абзац&lt;/b&gt;." || rows[0].Translation != "First paragraph." {
		t.Fatalf("row 1: %+v", rows[0])
	}
	if rows[1].Original != `Второй абзац: <mark id="anchor-7"><a href="#note-7">дело номер</a></mark> семь.` {
		t.Fatalf("row 2: %q", rows[1].Original)
	}
	if rows[2].Original != "" || rows[2].Translation != "A third the original lacks." || rows[2].N != 3 {
		t.Fatalf("row 3: %+v", rows[2])
	}
	// More original than translation: the rest stands alone.
	if rows := sideBySide(orig, "Only one.", nil, 1); len(rows) != 2 || rows[1].Translation != "" || !strings.HasPrefix(string(rows[1].Original), "Второй") {
		t.Fatalf("fewer translated: %+v", rows)
	}
	// In the plain text: marks where the notes are, overlaps left out,
	// everything else escaped.
	got := marked("a <x> b c", []span{{6, 7, 2}, {0, 1, 1}, {0, 3, 3}})
	if got != `<mark id="anchor-1"><a href="#note-1">a</a></mark> &lt;x&gt; <mark id="anchor-2"><a href="#note-2">b</a></mark> c` {
		t.Fatalf("marked: %q", got)
	}
}
