package api

import (
	"strconv"
	"testing"
)

// FuzzParseOffset: an offset is accepted exactly when it is the canonical
// decimal form of a non-negative int64, and then it reads as that number.
func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"0", "7", "700000", "9223372036854775807", "9223372036854775808", "", "+5", "-0", "-1", "007", " 5", "5 ", "0x10", "1e3", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseOffset(s)
		v, perr := strconv.ParseInt(s, 10, 64)
		canonical := perr == nil && v >= 0 && strconv.FormatInt(v, 10) == s
		if canonical != (err == nil) {
			t.Fatalf("%q: accepted %v, but canonical %v", s, err == nil, canonical)
		}
		if err == nil && n != v {
			t.Fatalf("%q read as %d", s, n)
		}
		if err != nil && (err != ErrOffset || n != 0) {
			t.Fatalf("%q: %d %v", s, n, err)
		}
	})
}
