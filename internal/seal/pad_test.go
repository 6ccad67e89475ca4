package seal

import (
	"bytes"
	"crypto/rand"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

func TestPaddedLen(t *testing.T) {
	prev := int64(0)
	for n := int64(0); n < 1<<31; n += 1 + n/997 {
		p := PaddedLen(n)
		if p < n || p < padFloor {
			t.Fatalf("PaddedLen(%d) = %d", n, p)
		}
		if p < prev {
			t.Fatalf("PaddedLen(%d) = %d is below PaddedLen of a smaller length, %d", n, p, prev)
		}
		if p > padFloor && p > n+n*12/100 {
			t.Fatalf("PaddedLen(%d) = %d costs more than PADMÉ's 12 %%", n, p)
		}
		prev = p
	}
	// The examples: a 40-byte message and a 123,457-byte file now
	// share their length with many others.
	if PaddedLen(40) != PaddedLen(1) || PaddedLen(40) != PaddedLen(4000) {
		t.Error("short messages are told apart by length")
	}
	same := 0
	for n := int64(123_457 - 4096); n < 123_457+4096; n++ {
		if PaddedLen(n) == PaddedLen(123_457) {
			same++
		}
	}
	if same < 2000 {
		t.Errorf("123,457 bytes pad to %d, which only %d lengths share", PaddedLen(123_457), same)
	}
	// Few lengths per doubling: log log n bits, not log n.
	distinct := map[int64]bool{}
	for n := int64(1 << 20); n < 2<<20; n++ {
		distinct[PaddedLen(n)] = true
	}
	if len(distinct) > 33 {
		t.Errorf("%d distinct padded lengths between 1 and 2 MiB", len(distinct))
	}
}

// TestPadStreams: Pad brings a stream to PaddedLen with zeros, so that the
// sealed size depends on the padded length alone.
func TestPadStreams(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	rs := []age.Recipient{id.Recipient()}
	seal := func(plain []byte) []byte {
		var buf bytes.Buffer
		w, _ := Encrypt(&buf, rs)
		w.Write(plain)
		if err := Pad(w, int64(len(plain))); err != nil {
			t.Fatal(err)
		}
		w.Close()
		return buf.Bytes()
	}
	for _, size := range []int{0, 1, 40, 64<<10 + 1, 123_457, 3 << 20} {
		plain := make([]byte, size)
		rand.Read(plain)
		sealed := seal(plain)
		other := seal(make([]byte, PaddedLen(int64(size))))
		if len(sealed) != len(other) {
			t.Errorf("%d bytes seal to %d, %d bytes (their padded length) to %d", size, len(sealed), PaddedLen(int64(size)), len(other))
		}
		r, err := Decrypt(bytes.NewReader(sealed), id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		if int64(len(got)) != PaddedLen(int64(size)) || !bytes.Equal(got[:size], plain) || len(bytes.Trim(got[size:], "\x00")) != 0 {
			t.Fatalf("%d bytes: %d back, not the plaintext and zeros", size, len(got))
		}
	}
}

// TestSealedValuesArePadded: replies and manifests come out padded, a
// manifest's length no longer follows its name's, and both still open to
// exactly what was sealed.
func TestSealedValuesArePadded(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	rs := []age.Recipient{id.Recipient()}
	m := Manifest{Kind: "file", Name: "a", Size: 1, Time: time.Unix(0, 0).UTC()}
	short, _ := SealManifest(m, rs)
	long, _ := SealManifest(Manifest{Kind: "file", Name: strings.Repeat("n", 900), Size: 123_457}, rs)
	if len(short) != len(long) {
		t.Errorf("manifests of a 1- and a 900-byte name seal to %d and %d bytes", len(short), len(long))
	}
	if got, err := OpenManifest(short, id); err != nil || got != m {
		t.Errorf("the padded manifest opens as %+v, %v", got, err)
	}
	var sizes []int
	for _, text := range []string{"ok", strings.Repeat("r", 3000)} {
		ct, mf, err := SealReply(text, time.Unix(0, 0).UTC(), rs)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(ct))
		got, err := OpenReply(bytes.NewReader(ct), 1<<20, id)
		if err != nil || got != text {
			t.Errorf("the padded reply opens as %d bytes, %v", len(got), err)
		}
		if m, err := OpenManifest(mf, id); err != nil || m.Size != int64(len(text)) {
			t.Errorf("the reply's manifest says %d bytes, %v", m.Size, err)
		}
	}
	if sizes[0] != sizes[1] {
		t.Errorf("replies of 2 and 3,000 bytes seal to %d and %d bytes", sizes[0], sizes[1])
	}
	// A reply over the limit is refused, padding or not.
	ct, _, _ := SealReply(strings.Repeat("x", 5000), time.Unix(0, 0).UTC(), rs)
	if _, err := OpenReply(bytes.NewReader(ct), 4096, id); err == nil {
		t.Error("a reply over the limit opened")
	}
}
