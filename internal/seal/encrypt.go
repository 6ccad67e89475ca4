package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
)

// ErrNoRecipients means there is nobody to encrypt to: sealing is refused
// rather than writing anything readable.
var ErrNoRecipients = errors.New("seal: no recipients")

// ParseRecipients parses age X25519 recipient strings (age1…).
func ParseRecipients(ss []string) ([]age.Recipient, error) {
	if len(ss) == 0 {
		return nil, ErrNoRecipients
	}
	out := make([]age.Recipient, 0, len(ss))
	for _, s := range ss {
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseRecipient parses one age X25519 recipient, with a human error.
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("seal: %q is not an age X25519 recipient (age1…)", s)
	}
	return r, nil
}

// Encrypt returns a writer that encrypts to dst for every recipient. Close
// must be called to write the final chunk. Memory is one 64 KiB chunk.
func Encrypt(dst io.Writer, recipients []age.Recipient) (io.WriteCloser, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	w, err := age.Encrypt(dst, recipients...)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return w, nil
}

// Decrypt opens an age stream with any of the identities.
func Decrypt(src io.Reader, identities ...age.Identity) (io.Reader, error) {
	r, err := age.Decrypt(src, identities...)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return r, nil
}

// SealBytes encrypts a small value in memory, as it is: callers pad what
// must not show its length (SealManifest, SealReply).
func SealBytes(b []byte, recipients []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := Encrypt(&buf, recipients)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return buf.Bytes(), nil
}

// OpenBytes decrypts a small sealed value, refusing more than max bytes.
func OpenBytes(b []byte, max int64, identities ...age.Identity) ([]byte, error) {
	return OpenReader(bytes.NewReader(b), max, identities...)
}

// Manifest describes one submitted file. It is sealed separately from the
// file, so that the server holds the name, size and type only as ciphertext.
type Manifest struct {
	Kind        string    `json:"kind"` // "file", "message" or "reply"
	Name        string    `json:"name,omitempty"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type,omitempty"`
	Time        time.Time `json:"time"`
}

// SealManifest encrypts a manifest to the recipients, padded with spaces
// (still valid JSON) so that its length does not give the name's away.
func SealManifest(m Manifest, recipients []age.Recipient) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return SealBytes(padded(b, ' '), recipients)
}

// OpenManifest decrypts and parses a sealed manifest.
func OpenManifest(b []byte, identities ...age.Identity) (Manifest, error) {
	var m Manifest
	plain, err := OpenBytes(b, 64<<10, identities...)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(plain, &m); err != nil {
		return m, fmt.Errorf("seal: bad manifest: %w", err)
	}
	return m, nil
}

// Identity is anything that can open an age file.
type Identity = age.Identity

// OpenReader decrypts a small sealed value from r, refusing more than max
// bytes.
func OpenReader(r io.Reader, max int64, identities ...age.Identity) ([]byte, error) {
	dr, err := Decrypt(r, identities...)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(dr, max+1))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if int64(len(out)) > max {
		return nil, errors.New("seal: sealed value too large")
	}
	return out, nil
}

// SealReply encrypts a reply and its manifest to the recipients (the source
// and every journalist), for the newsroom and the workstation alike. The
// text is padded with zero bytes (OpenReply cuts them off, so a reply's own
// trailing NULs are not kept); the manifest has its exact size.
func SealReply(text string, day time.Time, recipients []age.Recipient) (ciphertext, manifest []byte, err error) {
	if ciphertext, err = SealBytes(padded([]byte(text), 0), recipients); err != nil {
		return nil, nil, err
	}
	manifest, err = SealManifest(Manifest{Kind: "reply", Size: int64(len(text)), Time: day}, recipients)
	return ciphertext, manifest, err
}
