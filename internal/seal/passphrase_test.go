package seal

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPassphraseHash(t *testing.T) {
	p := Params{Time: 1, MemoryKiB: 64, Threads: 1}
	pass := NewPassphrase()
	if len(strings.Fields(pass)) != PassphraseWords {
		t.Fatalf("passphrase %q", pass)
	}
	h := HashPassphrase(pass, p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, pass) {
		t.Fatalf("hash %q", h)
	}
	if ok, err := VerifyPassphrase(pass, h); !ok || err != nil {
		t.Fatal("right passphrase refused", err)
	}
	if ok, _ := VerifyPassphrase(pass+"x", h); ok {
		t.Fatal("wrong passphrase accepted")
	}
	if h2 := HashPassphrase(pass, p); h2 == h {
		t.Fatal("salt not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=64,t=1,p=0$AAAA$AAAA", "$bcrypt$x", "$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := VerifyPassphrase("x", bad); err != ErrBadHash {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// RFC 6238 appendix B, SHA-1: the secret is "12345678901234567890"; at
// T=59 the 8-digit code is 94287082, so the 6-digit one is 287082.
func TestTOTPRFC6238Vector(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	code, err := TOTPCode(secret, time.Unix(59, 0))
	if err != nil || code != "287082" {
		t.Fatalf("%s %v", code, err)
	}
	step, ok := TOTPStep(secret, "287082", time.Unix(59, 0))
	if !ok || step != 1 {
		t.Fatalf("step %d %v", step, ok)
	}
	// One step of skew either way, and no more.
	if _, ok := TOTPStep(secret, "287082", time.Unix(59+30, 0)); !ok {
		t.Fatal("one step late refused")
	}
	if _, ok := TOTPStep(secret, "287082", time.Unix(59+90, 0)); ok {
		t.Fatal("three steps late accepted")
	}
	if _, ok := TOTPStep(secret, "28708", time.Unix(59, 0)); ok {
		t.Fatal("short code accepted")
	}
	s, uri, err := NewTOTP("Confide", "ann")
	if err != nil || !strings.HasPrefix(uri, "otpauth://totp/Confide:ann?") || !strings.Contains(uri, "secret="+s) {
		t.Fatalf("%s %s %v", s, uri, err)
	}
	if again := TOTPURI("Confide", "ann", s); !strings.Contains(again, "secret="+s) {
		t.Fatalf("rebuilt uri %s", again)
	}
}

// FuzzVerifyPassphrase checks what a verifier must promise: a hash made
// from a passphrase verifies it and refuses any other; a string that is
// not a canonical argon2id PHC string is an error, never a match; and an
// error never comes with a match.
func FuzzVerifyPassphrase(f *testing.F) {
	cheap := Params{Time: 1, MemoryKiB: 8, Threads: 1}
	good := HashPassphrase("pass", cheap)
	f.Add("pass", good)
	f.Add("x", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("pass", strings.Replace(good, "p=1$", "p=1junk$", 1))
	f.Add("pass", strings.Replace(good, "m=8", "m= 8", 1))
	f.Add("pass", strings.Replace(good, "m=8", "m=08", 1))
	f.Add("0", "$argon2id$v=19$m=8,t=1,p=1$00000000000$00000000\n000000000000000") // the decoder skips newlines
	f.Fuzz(func(t *testing.T, pass, phc string) {
		ok, err := VerifyPassphrase(pass, phc)
		if ok && err != nil {
			t.Fatalf("a match with an error: %v", err)
		}
		if ok && !canonicalPHC(phc) {
			t.Fatalf("malformed %q verified %q", phc, pass)
		}
		if !canonicalPHC(phc) && err != ErrBadHash {
			t.Fatalf("malformed %q: error %v", phc, err)
		}
		// The round trip, at the cheapest cost the verifier accepts.
		h := HashPassphrase(pass, cheap)
		if ok, err := VerifyPassphrase(pass, h); !ok || err != nil {
			t.Fatalf("%q refused by its own hash: %v", pass, err)
		}
		if ok, _ := VerifyPassphrase(pass+"x", h); ok {
			t.Fatalf("%q+x accepted by the hash of %q", pass, pass)
		}
	})
}

// canonicalPHC is the one spelling of an argon2id hash that HashPassphrase
// writes: decimal numbers without sign or leading zero, unpadded canonical
// base64, nothing more.
func canonicalPHC(phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return false
	}
	var m, tm, p uint64
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); n != 3 || err != nil || fmt.Sprintf("m=%d,t=%d,p=%d", m, tm, p) != parts[3] {
		return false
	}
	b64 := base64.RawStdEncoding.Strict()
	for _, part := range parts[4:] {
		b, err := b64.DecodeString(part)
		if err != nil || b64.EncodeToString(b) != part {
			return false
		}
	}
	return true
}
