package archive

import (
	"encoding/hex"
	"encoding/json"
	"testing"
)

// A custody record is accepted only with an item and a 32-byte hex hash,
// and what is accepted reads back the same after a round trip.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"item":"i1","ciphertext_sha256":"` + "ab" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd" + `"}`))
	f.Add([]byte(`{"item":"","ciphertext_sha256":""}`))
	f.Add([]byte(`{"item":"x","ciphertext_sha256":"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSidecar(b)
		if err != nil {
			return
		}
		if sum, err := hex.DecodeString(s.CiphertextSHA256); err != nil || len(sum) != 32 || s.Item == "" {
			t.Fatalf("accepted %+v", s)
		}
		again, _ := json.Marshal(s)
		s2, err := parseSidecar(again)
		if err != nil || s2 != s {
			t.Fatalf("round trip: %+v → %+v, %v", s, s2, err)
		}
	})
}
