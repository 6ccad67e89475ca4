package newsroom

import (
	"bytes"
	"confide/internal/api"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"confide/internal/store"
	"confide/internal/store/storetest"
	"confide/internal/web"
)

// FuzzAPIBodies posts arbitrary bodies to the API endpoints that read
// JSON. Whatever arrives: no 5xx, every answer signed over the body as
// received and JSON, an error answer says something, a token only for the
// right passphrase, and a reply stored only when it is an age file.
func FuzzAPIBodies(f *testing.F) {
	fx := newFixture(f, storetest.Backends()[0])
	ann := fx.person("ann", false)
	fx.store.ConfirmTOTP(context.Background(), ann.j.ID)
	src, _ := fx.source("brave otter", "hello")
	tok, hash := web.NewToken()
	if err := fx.store.CreateSession(context.Background(), store.Session{TokenHash: hash, JournalistID: ann.j.ID, Kind: kindAPI, Expires: fx.clock.Now().Add(24 * time.Hour)}); err != nil {
		f.Fatal(err)
	}
	paths := []string{"/api/v1/token", "/api/v1/sources/" + src.ID + "/star", "/api/v1/sources/" + src.ID + "/replies"}
	f.Add(uint8(0), []byte(`{"name":"ann","passphrase":"x","code":"123456"}`))
	f.Add(uint8(0), []byte(`{"name":"ann","passphrase":"x","code":"1","extra":1}`))
	f.Add(uint8(1), []byte(`{"starred":true}`))
	f.Add(uint8(1), []byte(`{"starred":"yes"} {}`))
	f.Add(uint8(2), []byte(`{"ciphertext":"YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==","manifest":"YWdlLWVuY3J5cHRpb24ub3JnL3YxCg=="}`))
	f.Add(uint8(2), []byte(`{"ciphertext":"cGxhaW4=","manifest":"cGxhaW4="}`))
	f.Add(uint8(2), []byte(`[`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		before, _ := fx.store.Items(context.Background(), src.ID, store.KindReply)
		req, _ := http.NewRequest("POST", fx.ts.URL+path, bytes.NewReader(body))
		nonce := "fuzz-nonce-" + store.NewID()
		req.Header.Set(api.NonceHeader, nonce)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: %d %s", path, body, resp.StatusCode, got)
		}
		sig, _ := base64.StdEncoding.DecodeString(resp.Header.Get(api.SignatureHeader))
		reqSum, sum := sha256.Sum256(body), sha256.Sum256(got)
		if !ed25519.Verify(fx.srv.PublicKey(), api.SignedMessage(nonce, "POST", req.URL.RequestURI(), reqSum[:], resp.StatusCode, sum[:]), sig) {
			t.Fatalf("%s %q: answer not signed over what was sent", path, body)
		}
		var ans map[string]any
		if err := json.Unmarshal(got, &ans); err != nil {
			t.Fatalf("%s: answer is not JSON: %q", path, got)
		}
		if msg, _ := ans["error"].(string); resp.StatusCode >= 400 && msg == "" {
			t.Fatalf("%s: %d with no human error: %q", path, resp.StatusCode, got)
		}
		if path == paths[0] && resp.StatusCode == http.StatusOK {
			t.Fatalf("a token for %q", body)
		}
		after, _ := fx.store.Items(context.Background(), src.ID, store.KindReply)
		if stored := len(after) - len(before); stored != 0 {
			var b bytes.Buffer
			fx.blobs.Copy(&b, after[len(after)-1].Blob)
			if stored != 1 || resp.StatusCode != http.StatusCreated || !bytes.HasPrefix(b.Bytes(), []byte("age-encryption.org/v1\n")) {
				t.Fatalf("%q stored %d replies (%d), first bytes %q", body, stored, resp.StatusCode, b.Bytes()[:min(b.Len(), 30)])
			}
		}
	})
}
