package web

import "testing"

func TestSize(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 0, "0 B"},
		{"en", 1023, "1023 B"},
		{"en", 1536, "1.5 KiB"},
		{"en", 100 << 20, "100.0 MiB"},
		{"en", 5 << 29, "2.5 GiB"},
		{"en", 3 << 40, "3072.0 GiB"},
		{"ru", 0, "0 Б"},
		{"ru", 1536, "1,5 КБ"},
		{"ru", 100 << 20, "100,0 МБ"},
		{"ru", 5 << 29, "2,5 ГБ"},
		{"xx", 1536, "1.5 KiB"},
	} {
		if got := Size(c.lang, c.n); got != c.want {
			t.Errorf("Size(%q, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
