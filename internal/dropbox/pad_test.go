package dropbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"confide/internal/seal"
	"confide/internal/source"
	"confide/internal/store/storetest"

	"filippo.io/age"
)

// sealedSize is what age makes of n bytes for these recipients: without
// padding, the size the disk used to give away.
func sealedSize(t *testing.T, n int, rs ...age.Recipient) int64 {
	t.Helper()
	var buf bytes.Buffer
	w, err := seal.Encrypt(&buf, rs)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, n))
	w.Close()
	return int64(buf.Len())
}

// TestStoredSizesArePadded: what a seized disk and database show of a
// submission's sizes, on the web path and the API path, is the padded size
// only (the 40-byte message and 123,457-byte file): the plaintext is
// padded with zeros inside the encryption, and the manifest, padded too,
// holds the exact size the journalist's tools cut at.
func TestStoredSizesArePadded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, true)
		ctx := context.Background()
		br := f.browser()
		br.newSource()
		message := strings.Repeat("m", 40)
		file := make([]byte, 123_457)
		rand.Read(file)
		near := make([]byte, 123_457+700) // a different file of nearly the same size
		rand.Read(near)
		p := br.submit(br.Get("/inbox").CSRF(t), message, filePart{"a.pdf", file}, filePart{strings.Repeat("long name ", 30) + ".pdf", near})
		if !delivered(p) {
			t.Fatalf("submit: %d %s", p.Status, p.Body)
		}

		// The same through the API.
		c, _ := source.New(f.ts.URL, "")
		c.MinParams = fastParams // this test server derives cheaply
		params, err := c.Params(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := source.Derive(seal.NewCodename(), params)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Register(ctx, keys); err != nil {
			t.Fatal(err)
		}
		fid, err := c.Upload(ctx, "file", "b.pdf", "application/pdf", "", bytes.NewReader(file), int64(len(file)), 50_000)
		if err != nil {
			t.Fatal(err)
		}
		mid, err := c.Upload(ctx, "message", "", "text/plain", "", strings.NewReader(message), 40, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Submit(ctx, []string{mid, fid}); err != nil {
			t.Fatal(err)
		}

		var sids []string
		rows, _ := f.store.SQL().Query(`SELECT id FROM sources ORDER BY id`)
		for rows.Next() {
			var id string
			rows.Scan(&id)
			sids = append(sids, id)
		}
		rows.Close()
		var all []opened
		for _, id := range sids {
			all = append(all, f.openAll(id)...)
		}
		if len(all) != 5 {
			t.Fatalf("%d items stored", len(all))
		}
		rcpt := f.journo.Recipient()
		sizes := map[string]int64{}
		for _, o := range all {
			fh, err := f.blobs.Open(o.item.Blob)
			if err != nil {
				t.Fatal(err)
			}
			info, _ := fh.Stat()
			fh.Close()
			n := o.manifest.Size
			want := sealedSize(t, int(seal.PaddedLen(n)), rcpt)
			if info.Size() != want || o.item.Size != want {
				t.Errorf("%d bytes of %s: %d on disk, %d in items.size, want the padded %d (unpadded: %d)", n, o.manifest.Kind, info.Size(), o.item.Size, want, sealedSize(t, int(n), rcpt))
			}
			var buf bytes.Buffer
			f.blobs.Copy(&buf, o.item.Blob)
			if plain, err := seal.OpenBytes(buf.Bytes(), 1<<30, f.journo); err != nil || int64(len(plain)) != seal.PaddedLen(n) {
				t.Errorf("%d bytes decrypt to %d, not to their padded length %d (%v)", n, len(plain), seal.PaddedLen(n), err)
			}
			sizes[o.manifest.Name] = info.Size()
			if len(o.item.Manifest) != len(all[0].item.Manifest) {
				t.Errorf("manifests of %d and %d bytes: the name's length shows", len(o.item.Manifest), len(all[0].item.Manifest))
			}
		}
		longName := strings.Repeat("long name ", 30) + ".pdf"
		want := map[string][]byte{"": []byte(message), "a.pdf": file, "b.pdf": file, longName: near}
		for _, o := range all {
			if !bytes.Equal(o.content, want[o.manifest.Name]) {
				t.Fatalf("padding changed what the journalist gets of %q", o.manifest.Name)
			}
		}
		if sizes["a.pdf"] != sizes[longName] || sizes["a.pdf"] != sizes["b.pdf"] {
			t.Errorf("files of 123,457 and 124,157 bytes are stored as %d, %d and %d bytes", sizes["a.pdf"], sizes["b.pdf"], sizes[longName])
		}
	})
}
