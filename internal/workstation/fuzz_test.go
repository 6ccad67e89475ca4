package workstation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"confide/internal/api"
)

// FuzzParseSync: whatever the newsroom's (verified) sync answer holds,
// what ParseSync accepts is what Pull relies on: items strictly after the
// cursor and in order, well-formed hashes, cursors that never move back;
// and it reads back the same after a round trip.
func FuzzParseSync(f *testing.F) {
	f.Add([]byte(`{"sources":[],"items":[{"id":"a","seq":3,"sha256":"`+base64.StdEncoding.EncodeToString(make([]byte, 32))+`"}],"deleted":[],"items_cursor":3,"tombs_cursor":0}`), int64(0), int64(0))
	f.Add([]byte(`{"items":[{"id":"a","seq":2},{"id":"b","seq":2}],"items_cursor":2}`), int64(1), int64(0))
	f.Add([]byte(`{"items":[],"items_cursor":0,"tombs_cursor":-1}`), int64(0), int64(5))
	f.Add([]byte(`{"items":[{"id":"x","seq":9,"sha256":"AAAA"}],"items_cursor":9}`), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, b []byte, itemsAfter, tombsAfter int64) {
		r, err := ParseSync(b, itemsAfter, tombsAfter)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "workstation: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		last := itemsAfter
		for _, it := range r.Items {
			if it.ID == "" || it.Seq <= last || (len(it.SHA256) != 0 && len(it.SHA256) != sha256.Size) {
				t.Fatalf("accepted a bad item %+v after seq %d", it, last)
			}
			last = it.Seq
		}
		if r.ItemsCursor < last || r.TombsCursor < tombsAfter {
			t.Fatalf("accepted cursors %d/%d moving back from %d/%d", r.ItemsCursor, r.TombsCursor, last, tombsAfter)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseSync(again, itemsAfter, tombsAfter)
		if err != nil || !reflect.DeepEqual(normalise(r), normalise(r2)) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, r, r2)
		}
	})
}

// normalise makes empty and missing slices compare equal.
func normalise(r api.SyncResponse) api.SyncResponse {
	b, _ := json.Marshal(r)
	var out api.SyncResponse
	json.Unmarshal(b, &out)
	for i := range out.Items {
		if len(out.Items[i].SHA256) == 0 {
			out.Items[i].SHA256 = nil
		}
		if len(out.Items[i].Manifest) == 0 {
			out.Items[i].Manifest = nil
		}
	}
	return out
}

// FuzzVerify: a signature verifies for the exchange it was made for, and
// for no other: changing the nonce, the request, either body or the status
// makes it fail, and so does any other signature header.
func FuzzVerify(f *testing.F) {
	b, err := os.ReadFile("../newsroom/testdata/signed-messages.json")
	if err != nil {
		f.Fatal(err)
	}
	var v struct {
		Seed    string
		Vectors []struct {
			Nonce, Method, URI string
			RequestBody        string `json:"request_body"`
			Status             int
			ResponseBody       string `json:"response_body"`
			Signature          string
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		f.Fatal(err)
	}
	seed, _ := hex.DecodeString(v.Seed)
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	for _, x := range v.Vectors {
		f.Add(x.Nonce, x.Method, x.URI, []byte(x.RequestBody), x.Status, []byte(x.ResponseBody), uint8(0), x.Signature)
		f.Add(x.Nonce, x.Method, x.URI, []byte(x.RequestBody), x.Status, []byte(x.ResponseBody), uint8(3), "")
	}
	f.Fuzz(func(t *testing.T, nonce, method, uri string, reqBody []byte, status int, respBody []byte, field uint8, other string) {
		if !api.ValidNonce(nonce) || method == "" || strings.ContainsAny(method+uri, " \n") {
			return // the client never makes such a request
		}
		req, resp := sha256.Sum256(reqBody), sha256.Sum256(respBody)
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, api.SignedMessage(nonce, method, uri, req[:], status, resp[:])))
		if !Verify(pub, sig, nonce, method, uri, req[:], status, resp[:]) {
			t.Fatal("a genuine signature failed")
		}
		if other != sig && Verify(pub, other, nonce, method, uri, req[:], status, resp[:]) {
			t.Fatalf("another signature header %q verified", other)
		}
		// One field changed, as a proxy or a replay would change it.
		n2, m2, u2, r2, s2, b2 := nonce, method, uri, req, status, resp
		switch field % 6 {
		case 0:
			n2 = nonce[1:] + nonce[:1]
		case 1:
			m2 = method + "X"
		case 2:
			u2 = uri + "x"
		case 3:
			r2 = sha256.Sum256(append(reqBody, 0))
		case 4:
			s2 = status + 1
		case 5:
			b2 = sha256.Sum256(append(respBody, 0))
		}
		if n2 == nonce && field%6 == 0 {
			return // a rotation that changes nothing
		}
		if Verify(pub, sig, n2, m2, u2, r2[:], s2, b2[:]) {
			t.Fatalf("the signature verified with field %d changed", field%6)
		}
	})
}
