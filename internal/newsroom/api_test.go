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
	"strings"
	"testing"
	"time"

	"confide/internal/mailtest"
	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/store/storetest"
)

// apiCall makes a signed-API request and verifies the signature header
// itself, over the nonce, the request, the body it sent and the answer.
func (f *fixture) apiCall(method, path, token string, body any) (int, []byte, bool) {
	f.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, bytes.NewReader(b))
	nonce := "nonce-" + store.NewID()
	req.Header.Set(api.NonceHeader, nonce)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if len(resp.Trailer) != 0 {
		f.t.Fatalf("%s %s: a trailer, which proxies drop: %v", method, path, resp.Trailer)
	}
	sig, _ := base64.StdEncoding.DecodeString(resp.Header.Get(api.SignatureHeader))
	reqSum, sum := sha256.Sum256(b), sha256.Sum256(got)
	ok := ed25519.Verify(f.srv.PublicKey(), api.SignedMessage(nonce, method, req.URL.RequestURI(), reqSum[:], resp.StatusCode, sum[:]), sig)
	return resp.StatusCode, got, ok
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		// The second factor is not set up yet: a wrong code confirms nothing,
		// a valid one proves the authenticator works and confirms it.
		if st, _, ok := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": ann.pass, "code": "000000"}); st != http.StatusUnauthorized || !ok {
			t.Fatalf("wrong code before setup: %d", st)
		}
		if j, _ := f.store.JournalistByID(context.Background(), ann.j.ID); j.TOTPConfirmed {
			t.Fatal("a wrong code confirmed the second factor")
		}
		code := f.code(ann)
		st, body, ok := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": ann.pass, "code": code})
		if st != 200 || !ok {
			t.Fatalf("token before web setup: %d %s", st, body)
		}
		if j, _ := f.store.JournalistByID(context.Background(), ann.j.ID); !j.TOTPConfirmed {
			t.Fatal("a valid code on the API left the second factor unconfirmed")
		}
		var tok api.TokenResponse
		json.Unmarshal(body, &tok)
		if st, _, ok := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": ann.pass, "code": code}); st != http.StatusUnauthorized || !ok {
			t.Fatalf("replayed code: %d", st)
		}
		src, srcID := f.source("brave otter", "a message", "a file")
		st, body, ok = f.apiCall("GET", "/api/v1/sync?items_after=0&tombs_after=0", tok.Token, nil)
		var sync api.SyncResponse
		json.Unmarshal(body, &sync)
		if st != 200 || !ok || len(sync.Sources) != 1 || len(sync.Items) != 2 || sync.Sources[0].Unread != 2 || len(sync.Recipients) != 1 {
			t.Fatalf("sync: %d %+v", st, sync)
		}
		st, ct, ok := f.apiCall("GET", "/api/v1/items/"+sync.Items[1].ID, tok.Token, nil)
		if got, err := seal.OpenBytes(ct, 1<<20, ann.id); st != 200 || !ok || err != nil || string(got) != "a file" {
			t.Fatalf("download: %d %v %v", st, ok, err)
		}
		// The signed sync names the download's hash, so a workstation can
		// tell this item's ciphertext from any other valid age file.
		if sum := sha256.Sum256(ct); !bytes.Equal(sync.Items[1].SHA256, sum[:]) || bytes.Equal(sync.Items[0].SHA256, sum[:]) {
			t.Fatalf("sync hash %x, download hash %x", sync.Items[1].SHA256, sum)
		}
		if it, _ := f.store.ItemByID(context.Background(), sync.Items[1].ID); !bytes.Equal(it.SHA256, sync.Items[1].SHA256) {
			t.Fatalf("the hash was not kept: %x", it.SHA256)
		}
		// The key endpoint is signed over the nonce too, by the key it gives.
		if st, kb, ok := f.apiCall("GET", "/api/v1/key", "", nil); st != 200 || !ok || !strings.Contains(string(kb), base64.StdEncoding.EncodeToString(f.srv.PublicKey())) {
			t.Fatalf("key: %d %v %s", st, ok, kb)
		}
		if m, err := seal.OpenManifest(sync.Items[1].Manifest, ann.id); err != nil || m.Name != "doc.txt" {
			t.Fatalf("manifest %+v %v", m, err)
		}
		// Both items came in one submission, and the sync names it, so a
		// pulled file's custody can say which submission it was part of.
		stored, _ := f.store.ItemByID(context.Background(), sync.Items[0].ID)
		if stored.SubmissionID == "" || sync.Items[0].SubmissionID != stored.SubmissionID || sync.Items[1].SubmissionID != stored.SubmissionID ||
			!strings.Contains(string(body), `"submission_id":"`+stored.SubmissionID+`"`) {
			t.Fatalf("sync submission IDs %q %q, stored %q", sync.Items[0].SubmissionID, sync.Items[1].SubmissionID, stored.SubmissionID)
		}
		// Incremental: nothing new after the cursor.
		_, body, _ = f.apiCall("GET", "/api/v1/sync?items_after="+itoa(int(sync.ItemsCursor))+"&tombs_after=0", tok.Token, nil)
		var again api.SyncResponse
		json.Unmarshal(body, &again)
		if len(again.Items) != 0 {
			t.Fatalf("incremental sync returned %d items", len(again.Items))
		}
		// A reply made on the workstation: only age files are accepted.
		if st, _, _ := f.apiCall("POST", "/api/v1/sources/"+src.ID+"/replies", tok.Token, map[string][]byte{"ciphertext": []byte("plaintext!"), "manifest": []byte("x")}); st != http.StatusBadRequest {
			t.Fatalf("plaintext reply accepted: %d", st)
		}
		rcpts, _ := seal.ParseRecipients([]string{src.Recipient, ann.id.Recipient().String()})
		rct, _ := seal.SealBytes([]byte("from the workstation"), rcpts)
		rm, _ := seal.SealManifest(seal.Manifest{Kind: store.KindReply}, rcpts)
		if st, _, ok := f.apiCall("POST", "/api/v1/sources/"+src.ID+"/replies", tok.Token, map[string][]byte{"ciphertext": rct, "manifest": rm}); st != http.StatusCreated || !ok {
			t.Fatalf("reply: %d", st)
		}
		// A reply is in no submission: the sync says none.
		_, body, _ = f.apiCall("GET", "/api/v1/sync?items_after="+itoa(int(sync.ItemsCursor))+"&tombs_after=0", tok.Token, nil)
		var withReply api.SyncResponse
		json.Unmarshal(body, &withReply)
		if len(withReply.Items) != 1 || withReply.Items[0].Kind != store.KindReply || withReply.Items[0].SubmissionID != "" {
			t.Fatalf("sync after a reply: %+v", withReply.Items)
		}
		replies, _ := f.store.Items(context.Background(), src.ID, store.KindReply)
		var buf bytes.Buffer
		f.blobs.Copy(&buf, replies[0].Blob)
		if got, _ := seal.OpenBytes(buf.Bytes(), 1<<20, srcID); string(got) != "from the workstation" {
			t.Fatal("the source cannot read the workstation's reply")
		}
		// Star, seen, delete.
		f.apiCall("POST", "/api/v1/sources/"+src.ID+"/star", tok.Token, map[string]bool{"starred": true})
		f.apiCall("POST", "/api/v1/items/"+sync.Items[0].ID+"/seen", tok.Token, nil)
		rows, _ := f.store.ListSources(context.Background(), store.SourceQuery{JournalistID: ann.j.ID})
		if !rows[0].Starred || rows[0].Unread != 1 {
			t.Fatalf("after star and seen: %+v", rows[0])
		}
		if st, _, _ := f.apiCall("DELETE", "/api/v1/items/"+sync.Items[1].ID, tok.Token, nil); st != 200 {
			t.Fatalf("delete item: %d", st)
		}
		_, body, _ = f.apiCall("GET", "/api/v1/sync?items_after="+itoa(int(sync.ItemsCursor))+"&tombs_after=0", tok.Token, nil)
		json.Unmarshal(body, &again)
		if len(again.Deleted) != 1 || again.Deleted[0] != sync.Items[1].ID || len(again.Items) != 1 {
			t.Fatalf("deletion not synced: %+v", again)
		}
		if st, _, _ := f.apiCall("DELETE", "/api/v1/sources/"+src.ID, tok.Token, nil); st != 200 {
			t.Fatalf("delete source: %d", st)
		}
		// Errors are signed too, and the token expires.
		if st, _, ok := f.apiCall("GET", "/api/v1/items/nope", tok.Token, nil); st != http.StatusNotFound || !ok {
			t.Fatalf("missing item: %d signed %v", st, ok)
		}
		f.clock.Advance(61 * time.Minute)
		if st, _, ok := f.apiCall("GET", "/api/v1/sync", tok.Token, nil); st != http.StatusUnauthorized || !ok {
			t.Fatalf("expired token: %d", st)
		}
		// Without a nonce nothing is answered.
		req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/sync", nil)
		if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("no nonce: %d", resp.StatusCode)
		}
	})
}

func TestRetentionDeletesOnlyInactive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.person("ann", false)
		old, _ := f.source("old otter", "old message")
		fresh, _ := f.source("new heron", "new message")
		ctx := context.Background()
		oldItems, _ := f.store.Items(ctx, old.ID)
		// Make "old otter" inactive for 40 days.
		f.store.SQL().Exec(rebind(b.Name, `UPDATE sources SET active_day = ? WHERE id = ?`), int64(store.Today()-40), old.ID)
		n, err := f.srv.Retain(ctx, 30)
		if err != nil || n != 1 {
			t.Fatalf("retained %d %v", n, err)
		}
		if _, err := f.store.SourceByID(ctx, old.ID); err == nil {
			t.Fatal("inactive source kept")
		}
		if _, err := f.blobs.Open(oldItems[0].Blob); err == nil {
			t.Fatal("inactive source's file kept")
		}
		if _, err := f.store.SourceByID(ctx, fresh.ID); err != nil {
			t.Fatal("active source deleted")
		}
		if n, _ := f.srv.Retain(ctx, 30); n != 0 {
			t.Fatal("second run deleted more")
		}
	})
}

func rebind(backend, q string) string {
	if backend != "postgres" {
		return q
	}
	n := 0
	var sb strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			sb.WriteString("$" + itoa(n))
			continue
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func TestDigestOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.person("ann", false)
		sink := mailtest.Start(t)
		d := Digest{SMTP: sink.Addr(), From: "confide@newsroom.example", To: []string{"desk@newsroom.example"}}
		f.source("brave otter", "one", "two")
		f.source("quiet heron", "three")
		if err := f.srv.SendDigest(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		// Nothing new: the digest is still sent, saying zero.
		if err := f.srv.SendDigest(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		msgs := sink.Messages()
		if len(msgs) != 2 || !strings.Contains(msgs[0], "\n\n2 new submissions since the last digest.") || !strings.Contains(msgs[1], "\n\n0 new submissions since the last digest.") {
			t.Fatalf("messages: %q", msgs)
		}
		for _, m := range msgs {
			if strings.Contains(m, "otter") || strings.Contains(m, "heron") || strings.Contains(m, "three") {
				t.Fatalf("the digest names a source or content: %q", m)
			}
		}
		if err := (Digest{}).Check(); err == nil {
			t.Fatal("an empty digest configuration passed")
		}
	})
}

// Hashing items new to the server is bounded per sync page: past the
// budget the page ends early with more set, and the next page goes on
// from its cursor; once hashed, items cost nothing and come whole.
func TestSyncBoundsHashing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ann := f.person("ann", false)
		f.source("brave otter", "one", "two", "three")
		code := f.code(ann)
		_, body, _ := f.apiCall("POST", "/api/v1/token", "", map[string]string{"name": "ann", "passphrase": ann.pass, "code": code})
		var tok api.TokenResponse
		json.Unmarshal(body, &tok)
		old := syncHashBudget
		syncHashBudget = 1
		t.Cleanup(func() { syncHashBudget = old })
		var cursor int64
		pages := 0
		for more := true; more; pages++ {
			_, body, ok := f.apiCall("GET", "/api/v1/sync?items_after="+itoa(int(cursor))+"&tombs_after=0", tok.Token, nil)
			var page api.SyncResponse
			json.Unmarshal(body, &page)
			if !ok || len(page.Items) != 1 || len(page.Items[0].SHA256) != sha256.Size {
				t.Fatalf("page %d: %+v", pages, page)
			}
			cursor, more = page.ItemsCursor, page.More
		}
		if pages != 3 {
			t.Fatalf("%d pages", pages)
		}
		_, body, _ = f.apiCall("GET", "/api/v1/sync?items_after=0&tombs_after=0", tok.Token, nil)
		var all api.SyncResponse
		json.Unmarshal(body, &all)
		if len(all.Items) != 3 || all.More {
			t.Fatalf("after hashing: %d items, more %v", len(all.Items), all.More)
		}
	})
}
