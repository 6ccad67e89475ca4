package seal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Padding hides a plaintext's exact length. It must be inside the
// encryption: anything outside it (say, in the age header, which is
// cleartext) is measured and subtracted, and the payload's length gives the
// plaintext's to the byte. So the plaintext itself is padded, with zero
// bytes (files, messages, replies) or spaces (manifests, which stay valid
// JSON), and the exact length travels in the sealed manifest. Stock
// `age -d` therefore shows the padding after a file; `head -c SIZE` with the
// manifest's size cuts it off (docs/USAGE.md), as the workstation does.
const padFloor = 4 << 10

// PaddedLen is the length a plaintext of n bytes is padded to: PADMÉ (at
// most 12 % more, leaking O(log log n) bits of the length), and at least
// 4 KiB, so every short message, reply and manifest looks alike.
func PaddedLen(n int64) int64 {
	l := max(n, padFloor)
	e := bits.Len64(uint64(l)) - 1 // floor(log2 l)
	s := bits.Len64(uint64(e))     // floor(log2 e) + 1
	step := int64(1) << max(e-s, 0)
	return (l + step - 1) / step * step
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Pad writes to w, an encryption that has had n bytes of plaintext, the
// zero bytes that bring it to PaddedLen(n). Memory is age's chunk, whatever
// the padding's length.
func Pad(w io.Writer, n int64) error {
	if _, err := io.CopyN(w, zeros{}, PaddedLen(n)-n); err != nil {
		return fmt.Errorf("seal: pad: %w", err)
	}
	return nil
}

// padded returns b with zero bytes (or spaces, for JSON) up to PaddedLen.
func padded(b []byte, with byte) []byte {
	out := make([]byte, PaddedLen(int64(len(b))))
	copy(out, b)
	if with != 0 {
		for i := len(b); i < len(out); i++ {
			out[i] = with
		}
	}
	return out
}

// OpenReply decrypts a reply of at most max bytes (sealed by SealReply, so
// padded) and cuts its padding off.
func OpenReply(r io.Reader, max int64, identities ...Identity) (string, error) {
	b, err := OpenReader(r, PaddedLen(max), identities...)
	if err != nil {
		return "", err
	}
	b = bytes.TrimRight(b, "\x00")
	if int64(len(b)) > max {
		return "", errors.New("seal: sealed value too large")
	}
	return string(b), nil
}
