package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// Golden vectors. The login hashes were checked against Debian's argon2 CLI:
//
//	echo -n CODENAME | argon2 confide-golden-salt -id -t 3 -m 16 -p 4 -l 64 -r
//
// then SHA-256 of the first 32 bytes; the recipients against age-keygen -y.
var goldenDerive = []struct {
	codename  string
	salt      string
	params    Params
	loginHash string
	recipient string
	identity  string
}{
	{
		codename:  "abacus abdomen abdominal zoom zone zipper yo-yo",
		salt:      "confide-golden-salt",
		params:    DefaultParams,
		loginHash: "8f1341d14681d181cc64a2c08b6c681f1a5c45fcfe49a9f7dbd98d7302d97972",
		recipient: "age18tstxvt0vffvwdn0klwpq33nk0xfmr25zxjxhq6jfdt9h5g5ta7sx386fk",
		identity:  "AGE-SECRET-KEY-1PSN74WDMSNMPX38Q0Z2R7UFQTEV36J0FJCD980C53DVG8R89J2HQUPKPMG",
	},
	{
		codename:  "abacus abdomen abdominal zoom zone zipper yo-yo",
		salt:      "confide-golden-salt",
		params:    Params{Time: 1, MemoryKiB: 64, Threads: 1},
		loginHash: "5d37a06e6932af3b4c9c4d3b3d1ed980a533cb5711e1eec096be245b7903172b",
		recipient: "age16mvfjy7pn5aww2jul3djzk4pgpz2ska983k7g30crwefzt5u0ucs9339ut",
	},
}

func TestDeriveGolden(t *testing.T) {
	for _, g := range goldenDerive {
		k, err := Derive(g.codename, []byte(g.salt), g.params)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(k.LoginHash()); got != g.loginHash {
			t.Errorf("login hash %s, want %s", got, g.loginHash)
		}
		if got := k.Identity.Recipient().String(); got != g.recipient {
			t.Errorf("recipient %s, want %s", got, g.recipient)
		}
		if g.identity != "" && k.Identity.String() != g.identity {
			t.Errorf("identity %s, want %s", k.Identity.String(), g.identity)
		}
	}
}

func TestDeriveSeparatesSaltsAndCodenames(t *testing.T) {
	p := Params{Time: 1, MemoryKiB: 64, Threads: 1}
	a, _ := Derive("a b c d e f g", []byte("salt-one"), p)
	b, _ := Derive("a b c d e f g", []byte("salt-two"), p)
	c, _ := Derive("a b c d e f h", []byte("salt-one"), p)
	if bytes.Equal(a.LoginHash(), b.LoginHash()) || bytes.Equal(a.LoginHash(), c.LoginHash()) {
		t.Fatal("different salts or codenames gave the same login hash")
	}
	if bytes.Equal(a.LoginKey[:], a.LoginHash()) {
		t.Fatal("the stored hash must not equal the login key")
	}
	if _, err := Derive("x", []byte("short"), p); err == nil {
		t.Fatal("a short salt was accepted")
	}
	if _, err := Derive("x", []byte("long enough"), Params{}); err == nil {
		t.Fatal("zero parameters were accepted")
	}
}

func TestIdentityFromScalarGolden(t *testing.T) {
	id, err := IdentityFromScalar(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := id.String(), "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ8H00W3"; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if _, err := IdentityFromScalar(make([]byte, 31)); err == nil {
		t.Fatal("a 31-byte scalar was accepted")
	}
}

func TestCodename(t *testing.T) {
	if len(codenameWords) != 7776 || len(adjectives) != 1296 || len(nouns) != 7776 {
		t.Fatalf("word lists: %d %d %d", len(codenameWords), len(adjectives), len(nouns))
	}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		c := NewCodename()
		if seen[c] {
			t.Fatal("codename repeated")
		}
		seen[c] = true
		n, err := NormalizeCodename("  " + strings.ToUpper(c) + "\n")
		if err != nil || n != c {
			t.Fatalf("normalise %q: %q %v", c, n, err)
		}
		typed := strings.ReplaceAll(c, " ", " \t  ")
		if n, err := NormalizeCodename(typed); err != nil || n != c {
			t.Fatalf("tabs and double spaces in %q: %q %v", typed, n, err)
		}
	}
	for _, bad := range []string{"", "abacus", "abacus abacus abacus abacus abacus abacus notaword",
		"abacus abacus abacus abacus abacus abacus abacus abacus", "../../etc/passwd"} {
		if _, err := NormalizeCodename(bad); err != ErrCodenameFormat {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := NewCodenameLang("de"); err == nil {
		t.Error("a codename in a language without a list")
	}
	d := strings.Fields(NewDesignation())
	if len(d) != 2 {
		t.Fatalf("designation %v", d)
	}
}

func TestRoundTripAndManifest(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	rs, err := ParseRecipients([]string{id.Recipient().String(), other.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, 200_000)
	rand.Read(plain)
	var buf bytes.Buffer
	w, err := Encrypt(&buf, rs)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	w.Close()
	for _, who := range []age.Identity{id, other} {
		r, err := Decrypt(bytes.NewReader(buf.Bytes()), who)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, plain) {
			t.Fatal("round trip changed the bytes")
		}
	}
	stranger, _ := age.GenerateX25519Identity()
	if _, err := Decrypt(bytes.NewReader(buf.Bytes()), stranger); err == nil {
		t.Fatal("a stranger decrypted")
	}
	m := Manifest{Kind: "file", Name: "пример.pdf", Size: 42, ContentType: "application/pdf", Time: time.Unix(1700000000, 0).UTC()}
	sealed, err := SealManifest(m, rs)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("pdf")) {
		t.Fatal("manifest plaintext visible")
	}
	got, err := OpenManifest(sealed, other)
	if err != nil || got != m {
		t.Fatalf("manifest %+v %v", got, err)
	}
	if _, err := Encrypt(io.Discard, nil); err != ErrNoRecipients {
		t.Fatal("encrypting to nobody was allowed")
	}
	if _, err := ParseRecipients([]string{"age1nope"}); err == nil {
		t.Fatal("bad recipient parsed")
	}
}

// TestStockAgeInterop checks both directions against Debian's age CLI: the
// stock CLI opens what we seal, and a codename-derived identity file works
// with it as is.
func TestStockAgeInterop(t *testing.T) {
	agePath, err := exec.LookPath("age")
	if err != nil {
		t.Fatal("the age CLI is required (apt-get install age): ", err)
	}
	dir := t.TempDir()
	k, err := Derive("abacus abdomen abdominal zoom zone zipper yo-yo", []byte("confide-golden-salt"), Params{Time: 1, MemoryKiB: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.txt")
	os.WriteFile(keyFile, []byte(k.Identity.String()+"\n"), 0o600)
	plain := make([]byte, 300_001)
	rand.Read(plain)
	sealed, err := SealBytes(plain, []age.Recipient{k.Identity.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	ct := filepath.Join(dir, "x.age")
	os.WriteFile(ct, sealed, 0o600)
	out, err := exec.Command(agePath, "-d", "-i", keyFile, ct).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, plain) {
		t.Fatal("stock age recovered different bytes")
	}
	// And the other way: stock age encrypts to the derived recipient, we open it.
	cmd := exec.Command(agePath, "-r", k.Identity.Recipient().String())
	cmd.Stdin = bytes.NewReader(plain)
	enc, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	back, err := OpenBytes(enc, 1<<20, k.Identity)
	if err != nil || !bytes.Equal(back, plain) {
		t.Fatal("could not open what stock age sealed", err)
	}
}

// TestRussianCodename checks the Russian list: 4,096 distinct words (12 bits
// each, so eight words give 96 bits, no fewer than the English seven's ≈ 90.5),
// disjoint from the English list, and typed back with any case, ё for е and
// any spacing; a codename mixing the lists, or of the other list's length, is
// refused.
func TestRussianCodename(t *testing.T) {
	if len(ruCodenameWords) != 4096 || len(ruCodenameIndex) != 4096 {
		t.Fatalf("Russian list: %d words, %d distinct", len(ruCodenameWords), len(ruCodenameIndex))
	}
	if ru, en := float64(RuCodenameWords)*math.Log2(4096), float64(CodenameWords)*math.Log2(float64(len(codenameWords))); ru < en {
		t.Fatalf("a Russian codename has %.1f bits, an English one %.1f", ru, en)
	}
	for _, w := range ruCodenameWords {
		if _, ok := codenameIndex[w]; ok {
			t.Fatalf("%q is in both lists", w)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		c, err := NewCodenameLang("ru")
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(c)
		if len(words) != RuCodenameWords || seen[c] {
			t.Fatalf("codename %q: %d words or repeated", c, len(words))
		}
		seen[c] = true
		for _, w := range words {
			if _, ok := ruCodenameIndex[w]; !ok {
				t.Fatalf("%q is not on the Russian list", w)
			}
		}
		typed := "  " + strings.ToUpper(strings.ReplaceAll(c, " ", "\t  ")) + "\n"
		if n, err := NormalizeCodename(typed); err != nil || n != c {
			t.Fatalf("normalise %q: %q %v", typed, n, err)
		}
	}
	// ё typed where the list has е (and Ё in capitals) is the same word.
	var withE string
	for _, w := range ruCodenameWords {
		if strings.HasPrefix(w, "е") {
			withE = w
			break
		}
	}
	if withE == "" {
		t.Fatal("no word starting with е on the Russian list")
	}
	rest := strings.Repeat(" абажур", RuCodenameWords-1)
	for _, typed := range []string{"ё" + strings.TrimPrefix(withE, "е") + rest, "Ё" + strings.ToUpper(strings.TrimPrefix(withE, "е")) + strings.ToUpper(rest)} {
		if n, err := NormalizeCodename(typed); err != nil || n != withE+rest {
			t.Fatalf("%q: %q %v; want %q", typed, n, err, withE+rest)
		}
	}
	ru := strings.Repeat("абажур ", RuCodenameWords)
	for _, bad := range []string{
		strings.Repeat("абажур ", CodenameWords),                 // seven Russian words
		strings.Repeat("абажур ", RuCodenameWords+1),             // nine
		"абажур " + strings.Repeat("abacus ", RuCodenameWords-1), // mixed, Russian first
		strings.Repeat("abacus ", CodenameWords-1) + "абажур",    // mixed, English first
		strings.Repeat("abacus ", RuCodenameWords),               // eight English words
		strings.Replace(ru, "абажур", "нетслова", 1),
	} {
		if _, err := NormalizeCodename(bad); err != ErrCodenameFormat {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzNormalizeCodename checks both directions: whatever it accepts comes
// out as seven lower-case words of the English list or eight of the Russian
// one (never a mix, never a ё), single-spaced; and a codename of either list,
// typed in any case with any white space between them (and ё for е), is
// accepted as exactly those words (so they log in again).
func FuzzNormalizeCodename(f *testing.F) {
	f.Add("abacus abdomen abdominal zoom zone zipper yo-yo")
	f.Add("  ABACUS\tabdomen abdominal zoom zone zipper yo-yo ")
	f.Add("abacus\t\tabdomen  abdominal\r\nzoom \t zone\vzipper\u00a0yo-yo")
	f.Add("\x00\xff")
	f.Add("абажур абзац абрис ЁЖ абажур абзац абрис абажур")
	f.Add("ёлка\tабзац абрис абажур абзац абрис абажур abacus")
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := NormalizeCodename(s); err == nil {
			words := strings.Split(n, " ")
			list, index := codenameWords, codenameIndex
			if len(words) == RuCodenameWords {
				list, index = ruCodenameWords, ruCodenameIndex
			} else if len(words) != CodenameWords {
				t.Fatalf("%q -> %q: not %d or %d single-spaced words", s, n, CodenameWords, RuCodenameWords)
			}
			for _, w := range words {
				if _, ok := index[w]; !ok || w != strings.ToLower(w) || strings.Contains(w, "ё") {
					t.Fatalf("%q -> %q: %q is not a lower-case word of the %d-word list", s, n, w, len(list))
				}
			}
		} else if err != ErrCodenameFormat { // the sentinel alone: it never echoes the input
			t.Fatalf("%q: error %v", s, err)
		}
		// The input also picks seven words, separators and cases.
		seps := []string{" ", "\t", "  ", "\n", "\r\n", " \t ", "\u00a0", "\v"}
		b := []byte(s)
		for len(b) < 3*CodenameWords {
			b = append(b, byte(len(b)*31+7))
		}
		for len(b) < 3*RuCodenameWords {
			b = append(b, byte(len(b)*31+7))
		}
		list, n := codenameWords, CodenameWords
		if b[1]&0x80 != 0 { // the input also picks the list
			list, n = ruCodenameWords, RuCodenameWords
		}
		want := make([]string, n)
		typed := seps[b[0]%byte(len(seps))]
		for i := range want {
			w := list[(int(b[3*i])<<8|int(b[3*i+1]))%len(list)]
			want[i] = w
			if b[3*i+2]&1 == 1 {
				w = strings.ToUpper(w)
			}
			if b[3*i+2]&0x40 != 0 { // ё typed for the list's е
				w = strings.Replace(strings.Replace(w, "е", "ё", 1), "Е", "Ё", 1)
			}
			typed += w + seps[b[3*i+2]>>1%byte(len(seps))]
		}
		got, err := NormalizeCodename(typed)
		if err != nil || got != strings.Join(want, " ") {
			t.Fatalf("%q -> %q, %v; want %q", typed, got, err, strings.Join(want, " "))
		}
	})
}

func FuzzIdentityFromScalar(f *testing.F) {
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := IdentityFromScalar(b)
		if len(b) != 32 {
			if err == nil {
				t.Fatal("wrong length accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		back, err := age.ParseX25519Identity(id.String())
		if err != nil || back.Recipient().String() != id.Recipient().String() {
			t.Fatal("bech32 round trip failed")
		}
	})
}

// FuzzOpenManifest: whatever opens is a manifest that seals and opens again
// to the same thing, and a sealed manifest with any one byte changed never
// opens (the header MAC and the payload's AEAD cover every byte, padding
// included). It must not panic or hang on anything.
func FuzzOpenManifest(f *testing.F) {
	id, _ := age.GenerateX25519Identity()
	rs := []age.Recipient{id.Recipient()}
	good, err := SealManifest(Manifest{Kind: "file", Name: "a", Size: 7, Time: time.Unix(1700000000, 0).UTC()}, rs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, uint(0), byte(1))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n---"), uint(40), byte(0x80))
	f.Fuzz(func(t *testing.T, b []byte, pos uint, flip byte) {
		if m, err := OpenManifest(b, id); err == nil {
			again, err := SealManifest(m, rs)
			if err != nil {
				t.Fatalf("%+v opened but does not seal: %v", m, err)
			}
			back, err := OpenManifest(again, id)
			want, _ := json.Marshal(m)
			got, _ := json.Marshal(back)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s sealed and opened as %s (%v)", want, got, err)
			}
		}
		if flip == 0 {
			flip = 1
		}
		tampered := bytes.Clone(good)
		tampered[pos%uint(len(tampered))] ^= flip
		if m, err := OpenManifest(tampered, id); err == nil {
			t.Fatalf("a manifest with byte %d changed opened as %+v", pos%uint(len(tampered)), m)
		}
	})
}
