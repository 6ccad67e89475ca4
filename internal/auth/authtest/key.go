package authtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Key is a software security key (a FIDO2 authenticator with an ES256
// key, attestation "none"), for tests that run the WebAuthn ceremonies
// without a browser: it answers the options a zone serves with the JSON the
// zone's script would post. A copy of a Key is a clone of it: same
// credential, its own signature counter.
type Key struct {
	priv *ecdsa.PrivateKey
	id   []byte
	// user is the account's handle, learnt at registration.
	user []byte
	// Counter is the signature counter, which each assertion first raises.
	Counter uint32
}

// NewKey makes a key with a fresh credential.
func NewKey() *Key {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &Key{priv: priv, id: id}
}

// Clone is another authenticator holding the same credential and counter.
func (k *Key) Clone() *Key { c := *k; return &c }

// Impostor is a key that claims k's credential ID but holds another
// private key, so its signatures do not verify.
func (k *Key) Impostor() *Key {
	o := NewKey()
	o.id, o.user, o.Counter = k.id, k.user, k.Counter
	return o
}

// ID is the credential's ID as the zone stores it (base64url).
func (k *Key) ID() string { return b64(k.id) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unb64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// options is what the keys read of a zone's creation or request options.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func clientData(kind, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// flags of authenticator data: user present, user verified, attested
// credential data included.
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

func authData(rpID string, flags byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	b := append(h[:], flags)
	return binary.BigEndian.AppendUint32(b, counter)
}

// Register answers a zone's creation options (as served, JSON) for a page
// on origin with the registration body the zone's script posts.
func (k *Key) Register(origin string, creation []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(creation, &o); err != nil || o.PublicKey.Challenge == "" {
		return nil, fmt.Errorf("authtest: not creation options: %v %s", err, creation)
	}
	user, err := unb64(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("authtest: user ID: %w", err)
	}
	k.user = user
	pub, err := k.priv.PublicKey.ECDH()
	if err != nil {
		return nil, err
	}
	raw := pub.Bytes() // 0x04 || X || Y
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:]})
	if err != nil {
		return nil, err
	}
	ad := authData(o.PublicKey.RP.ID, flagUP|flagUV|flagAT, k.Counter)
	ad = append(ad, make([]byte, 16)...) // AAGUID: none
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(k.id)))
	ad = append(append(ad, k.id...), cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]string{"attestationObject": b64(att), "clientDataJSON": b64(clientData("webauthn.create", o.PublicKey.Challenge, origin))}})
}

// Login answers a zone's request options (as served, JSON) for a page on
// origin with the assertion body the zone's script posts, counter raised.
func (k *Key) Login(origin string, request []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(request, &o); err != nil || o.PublicKey.Challenge == "" {
		return nil, fmt.Errorf("authtest: not request options: %v %s", err, request)
	}
	k.Counter++
	ad := authData(o.PublicKey.RPID, flagUP|flagUV, k.Counter)
	cd := clientData("webauthn.get", o.PublicKey.Challenge, origin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]string{"authenticatorData": b64(ad), "clientDataJSON": b64(cd), "signature": b64(sig), "userHandle": b64(k.user)}})
}
