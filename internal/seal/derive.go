package seal

import (
	"crypto/sha256"
	"errors"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters.
type Params struct {
	Time      uint32 // passes
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultParams is RFC 9106's second recommended option: t=3, 64 MiB, p=4.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// SaltSize is the size of the per-instance salt.
const SaltSize = 16

// SourceKeys are what a codename opens. They live only as long as the request
// that carries the codename.
type SourceKeys struct {
	// LoginKey proves knowledge of the codename; the server stores only its
	// SHA-256 (LoginHash), so a copied database cannot be replayed to log in.
	LoginKey [32]byte
	// Identity is the source's age identity; replies are encrypted to its
	// recipient and nothing else stored can open them.
	Identity *age.X25519Identity
}

// LoginHash is the value stored to look a source up.
func (k *SourceKeys) LoginHash() []byte { return LoginHash(k.LoginKey[:]) }

// LoginHash hashes a login key for storage.
func LoginHash(loginKey []byte) []byte {
	h := sha256.Sum256(loginKey)
	return h[:]
}

// Derive runs Argon2id over a normalised codename. It costs p.MemoryKiB of
// memory while it runs; callers on a server must bound how many run at once.
func Derive(codename string, salt []byte, p Params) (*SourceKeys, error) {
	if len(salt) < 8 {
		return nil, errors.New("seal: salt too short")
	}
	if p.Time == 0 || p.MemoryKiB < 8*uint32(p.Threads) || p.Threads == 0 {
		return nil, errors.New("seal: invalid Argon2id parameters")
	}
	out := argon2.IDKey([]byte(codename), salt, p.Time, p.MemoryKiB, p.Threads, 64)
	k := &SourceKeys{}
	copy(k.LoginKey[:], out[:32])
	id, err := IdentityFromScalar(out[32:])
	if err != nil {
		return nil, err
	}
	k.Identity = id
	clear(out)
	return k, nil
}

// IdentityFromScalar makes an age X25519 identity from 32 secret bytes, via its
// standard AGE-SECRET-KEY-1 encoding (age keeps its scalar constructor private).
func IdentityFromScalar(scalar []byte) (*age.X25519Identity, error) {
	if len(scalar) != 32 {
		return nil, errors.New("seal: an X25519 scalar is 32 bytes")
	}
	s := strings.ToUpper(bech32Encode("age-secret-key-", scalar))
	id, err := age.ParseX25519Identity(s)
	if err != nil {
		return nil, errors.New("seal: could not encode identity")
	}
	return id, nil
}
