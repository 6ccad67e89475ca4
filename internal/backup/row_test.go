package backup

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"unicode/utf8"

	"confide/internal/store"
)

// FuzzRowRoundTrip: any row a dump can hold (int64, UTF-8 text, bytes,
// NULL) comes back from a snapshot line exactly, and nothing else is
// accepted in its place.
func FuzzRowRoundTrip(f *testing.F) {
	f.Add(int64(0), "", []byte{}, false)
	f.Add(int64(-1<<63), "Протокол <b>&\x1f", []byte{0, 0xff}, true)
	f.Add(int64(1<<53+1), "\u2028", []byte(nil), false)
	f.Fuzz(func(t *testing.T, n int64, s string, b []byte, null bool) {
		cols := []store.Column{{Name: "n", Kind: store.KindInt}, {Name: "s", Kind: store.KindText}, {Name: "b", Kind: store.KindBytes}, {Name: "z", Kind: store.KindText}}
		if b == nil {
			b = []byte{}
		}
		row := []any{n, s, b, nil}
		if !null {
			row[3] = "x"
		}
		var buf bytes.Buffer
		if err := rowEncoder(&buf).Encode(row); err != nil {
			t.Fatal(err)
		}
		if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
			t.Fatalf("a row is not one line: %q", buf.Bytes())
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &raw); err != nil || len(raw) != len(cols) {
			t.Fatalf("%q: %v", buf.Bytes(), err)
		}
		got := make([]any, len(raw))
		for i := range raw {
			v, err := decodeValue(cols[i], raw[i])
			if err != nil {
				t.Fatalf("column %s: %v", cols[i].Name, err)
			}
			got[i] = v
		}
		if !utf8.ValidString(s) {
			// A dump refuses such text (store.normalise) rather than let
			// JSON change it; here it must at least not come back as is.
			if got[1] == s {
				t.Fatal("invalid UTF-8 came back unchanged through JSON")
			}
			got[1], row[1] = nil, nil
		}
		if !reflect.DeepEqual(got, row) {
			t.Fatalf("row %#v came back as %#v", row, got)
		}
		// A value of the wrong kind is refused, not converted.
		if _, err := decodeValue(store.Column{Name: "n", Kind: store.KindInt}, raw[1]); err == nil {
			t.Fatal("text decoded as an int")
		}
		if _, err := decodeValue(store.Column{Name: "s", Kind: store.KindText}, raw[0]); err == nil {
			t.Fatal("an int decoded as text")
		}
	})
}

// FuzzRealRoundTrip: a real column's value (an OCR confidence) comes back
// from a snapshot line bit for bit, and text is not taken in its place.
func FuzzRealRoundTrip(f *testing.F) {
	f.Add(0.0)
	f.Add(87.33333333333333)
	f.Add(-1e-300)
	f.Add(5e-324)
	f.Fuzz(func(t *testing.T, v float64) {
		c := store.Column{Name: "confidence", Kind: store.KindReal}
		var buf bytes.Buffer
		err := rowEncoder(&buf).Encode([]any{v})
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// JSON has no such number: the dump fails rather than change it.
			if err == nil {
				t.Fatalf("%v was encoded as %q", v, buf.Bytes())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &raw); err != nil || len(raw) != 1 {
			t.Fatalf("%q: %v", buf.Bytes(), err)
		}
		got, err := decodeValue(c, raw[0])
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := got.(float64); !ok || math.Float64bits(g) != math.Float64bits(v) && !(g == 0 && v == 0) {
			t.Fatalf("%v came back as %#v", v, got)
		}
		if _, err := decodeValue(c, json.RawMessage(`"87.5"`)); err == nil {
			t.Fatal("text decoded as a real")
		}
	})
}
