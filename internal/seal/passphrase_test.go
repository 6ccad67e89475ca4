package seal

import (
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

func FuzzVerifyPassphrase(f *testing.F) {
	f.Add("pass", HashPassphrase("pass", Params{Time: 1, MemoryKiB: 64, Threads: 1}))
	f.Add("x", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, pass, phc string) {
		VerifyPassphrase(pass, phc) // must not panic, nor allocate unbounded memory
	})
}
