package seal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"
)

// PassphraseWords is the length of generated journalist passphrases:
// 7 EFF words, about 90 bits, like a codename.
const PassphraseWords = 7

// NewPassphrase returns a fresh diceware passphrase.
func NewPassphrase() string { return NewCodename() }

// HashPassphrase returns an Argon2id PHC string for a passphrase.
func HashPassphrase(pass string, p Params) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pass), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrBadHash reports a stored hash this package cannot read.
var ErrBadHash = errors.New("seal: unreadable passphrase hash")

// VerifyPassphrase checks a passphrase against a PHC string in constant time.
func VerifyPassphrase(pass, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return false, ErrBadHash
	}
	var p Params
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &threads); err != nil || threads == 0 || threads > 255 || p.Time == 0 || p.MemoryKiB > 1<<18 || p.Time > 16 || p.MemoryKiB < 8*threads {
		return false, ErrBadHash
	}
	// Only the spelling HashPassphrase writes: Sscanf alone lets "p=1junk"
	// or "m= 64" through, and a stored hash that is not ours is an error.
	if fmt.Sprintf("m=%d,t=%d,p=%d", p.MemoryKiB, p.Time, threads) != parts[3] {
		return false, ErrBadHash
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	// The decoder skips newlines, so the canonical form is checked too.
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || b64.EncodeToString(salt) != parts[4] || b64.EncodeToString(want) != parts[5] {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pass), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// TOTPPeriod is the RFC 6238 time step.
const TOTPPeriod = 30

// NewTOTP makes a TOTP secret and its otpauth:// provisioning URI.
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("seal: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// TOTPURI rebuilds the provisioning URI for an existing secret.
func TOTPURI(issuer, account, secret string) string {
	k, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=6&algorithm=SHA1",
		escape(issuer), escape(account), secret, escape(issuer), TOTPPeriod))
	if err != nil {
		return ""
	}
	return k.URL()
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "%", "%25"), " ", "%20")
}

// TOTPStep returns the time-step at which code is valid for secret, allowing
// one step of clock skew either way. The caller must refuse a step it has
// already accepted, so that no code works twice.
func TOTPStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / TOTPPeriod
	for _, d := range []int64{0, -1, 1} {
		at := time.Unix((step+d)*TOTPPeriod, 0)
		want, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// TOTPCode returns the code for secret at t (for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
