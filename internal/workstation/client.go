package workstation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confide/internal/api"
)

// ErrTampered means a response's signature did not verify.
var ErrTampered = errors.New("workstation: the newsroom's answer failed signature verification: something between you and the newsroom changed it")

// ErrKeyChanged means the newsroom answered with a key other than the one
// pinned or given; nothing secret was sent.
var ErrKeyChanged = errors.New("workstation: the newsroom's API key is not the one pinned for it")

// Client talks to one newsroom.
type Client struct {
	base      string
	http      *http.Client
	Token     string
	ServerKey ed25519.PublicKey
	// Progress, when set, follows Pull's downloads.
	Progress Progress
}

// NormalizeURL is the form a newsroom's address is pinned under: scheme
// and host in lower case, no default port, no trailing slash, so one
// newsroom is never two first uses.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("workstation: %q is not a newsroom URL such as https://newsroom.example.org", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// NewClient makes a client for the newsroom at base.
func NewClient(base string, key ed25519.PublicKey) (*Client, error) {
	n, err := NormalizeURL(base)
	if err != nil {
		return nil, err
	}
	return &Client{base: n, http: &http.Client{Timeout: 0}, ServerKey: key}, nil
}

// APIError is an error the newsroom reported (and signed).
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("workstation: the newsroom said (%d): %s", e.Status, e.Message)
}

// Bounds of what is buffered from the newsroom: an error answer, and any
// JSON answer (a sync page; the newsroom caps those at 64 MiB too).
const (
	maxSmallAnswer = 1 << 20
	maxJSONAnswer  = 64 << 20
)

// newNonce returns a fresh random nonce; the signature covers it, so an
// answer recorded earlier cannot answer this request.
func newNonce() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Verify checks a Confide-Signature header against key for one exchange.
func Verify(key ed25519.PublicKey, sigHeader, nonce, method, uri string, requestSHA256 []byte, status int, responseSHA256 []byte) bool {
	sig, err := base64.StdEncoding.Strict().DecodeString(sigHeader)
	if err != nil || len(key) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(key, api.SignedMessage(nonce, method, uri, requestSHA256, status, responseSHA256), sig)
}

// exchange is one request in flight, with what its signature must cover.
type exchange struct {
	req    *http.Request
	nonce  string
	reqSum [sha256.Size]byte
	resp   *http.Response
}

func (c *Client) send(ctx context.Context, method, path string, body any) (*exchange, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	x := &exchange{req: req, nonce: newNonce(), reqSum: sha256.Sum256(b)}
	req.Header.Set(api.NonceHeader, x.nonce)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if x.resp, err = c.http.Do(req); err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	return x, nil
}

// verified reports whether the answer's signature covers responseSHA256.
func (c *Client) verified(x *exchange, responseSHA256 []byte) bool {
	return Verify(c.ServerKey, x.resp.Header.Get(api.SignatureHeader), x.nonce, x.req.Method, x.req.URL.RequestURI(),
		x.reqSum[:], x.resp.StatusCode, responseSHA256)
}

// readSigned reads a whole bounded answer and verifies it. Nothing in it
// may be trusted unless it returns nil; a signed error answer becomes an
// *APIError.
func (c *Client) readSigned(x *exchange) ([]byte, error) {
	limit := int64(maxJSONAnswer)
	if x.resp.StatusCode >= 400 {
		limit = maxSmallAnswer
	}
	b, err := io.ReadAll(io.LimitReader(x.resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("workstation: reading the answer: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, errors.New("workstation: the newsroom's answer is larger than expected")
	}
	sum := sha256.Sum256(b)
	if !c.verified(x, sum[:]) {
		return nil, ErrTampered
	}
	if x.resp.StatusCode >= 400 {
		var e api.Error
		json.Unmarshal(b, &e)
		return nil, &APIError{Status: x.resp.StatusCode, Message: e.Error}
	}
	return b, nil
}

// callJSON calls and decodes a verified JSON answer into out.
func (c *Client) callJSON(ctx context.Context, method, path string, body, out any) error {
	x, err := c.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer x.resp.Body.Close()
	b, err := c.readSigned(x)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("workstation: the newsroom's answer is not the JSON expected: %w", err)
	}
	return nil
}

// FetchKey asks the newsroom for its signing key, signed by that key over
// a fresh nonce. With want set, the answer must be signed by want, or
// ErrKeyChanged (a different key) or ErrTampered is returned; without it
// (trust on first use), the key must at least sign its own answer.
func (c *Client) FetchKey(ctx context.Context, want ed25519.PublicKey) (ed25519.PublicKey, error) {
	x, err := c.send(ctx, "GET", "/api/v1/key", nil)
	if err != nil {
		return nil, err
	}
	defer x.resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(x.resp.Body, 4096))
	if err != nil {
		return nil, fmt.Errorf("workstation: reading the newsroom's key: %w", err)
	}
	var k api.KeyResponse
	if err := json.Unmarshal(b, &k); err != nil || x.resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("workstation: no signing key from the newsroom (%d)", x.resp.StatusCode)
	}
	got, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(got) != ed25519.PublicKeySize {
		return nil, errors.New("workstation: the newsroom's signing key is malformed")
	}
	if want != nil && !bytes.Equal(want, got) {
		return got, ErrKeyChanged
	}
	sum := sha256.Sum256(b)
	saved := c.ServerKey
	c.ServerKey = got
	ok := c.verified(x, sum[:])
	c.ServerKey = saved
	if !ok {
		return nil, ErrTampered
	}
	return got, nil
}

// Login exchanges passphrase and code for a token. Call it only once the
// key is verified (FetchKey): the credentials go out with this request.
func (c *Client) Login(ctx context.Context, name, pass, code string) (time.Time, error) {
	var tok api.TokenResponse
	err := c.callJSON(ctx, "POST", "/api/v1/token", api.TokenRequest{Name: name, Passphrase: pass, Code: code}, &tok)
	if err != nil {
		return time.Time{}, err
	}
	c.Token = tok.Token
	return tok.Expires, nil
}

// Sync fetches one page of changes after the cursors. withSources false
// skips the source list, for the continuation pages of one sync.
func (c *Client) Sync(ctx context.Context, itemsAfter, tombsAfter int64, withSources bool) (api.SyncResponse, error) {
	path := fmt.Sprintf("/api/v1/sync?items_after=%d&tombs_after=%d", itemsAfter, tombsAfter)
	if !withSources {
		path += "&sources=0"
	}
	x, err := c.send(ctx, "GET", path, nil)
	if err != nil {
		return api.SyncResponse{}, err
	}
	defer x.resp.Body.Close()
	b, err := c.readSigned(x)
	if err != nil {
		return api.SyncResponse{}, err
	}
	return ParseSync(b, itemsAfter, tombsAfter)
}

// ParseSync decodes a verified sync answer and checks what Pull relies
// on: items in order after the cursor, each with a ciphertext hash, and
// cursors that never move back.
func ParseSync(b []byte, itemsAfter, tombsAfter int64) (api.SyncResponse, error) {
	var r api.SyncResponse
	bad := func(why string) (api.SyncResponse, error) {
		return api.SyncResponse{}, fmt.Errorf("workstation: the newsroom's sync answer is not usable: %s", why)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return bad(err.Error())
	}
	last := itemsAfter
	for _, it := range r.Items {
		if it.ID == "" || it.Seq <= last {
			return bad("items are out of order")
		}
		if len(it.SHA256) != 0 && len(it.SHA256) != sha256.Size {
			return bad("an item's hash is malformed")
		}
		last = it.Seq
	}
	if r.ItemsCursor < last || r.TombsCursor < tombsAfter {
		return bad("a cursor moved back")
	}
	return r, nil
}

// Download streams an item's ciphertext to w and checks it is the
// ciphertext whose SHA-256 the signed sync listed. The caller must discard
// w's content if Download returns an error.
func (c *Client) Download(ctx context.Context, itemID string, want []byte, w io.Writer) error {
	if len(want) != sha256.Size {
		return fmt.Errorf("workstation: the newsroom gave no hash for item %s: it cannot be checked, so it is not pulled", itemID)
	}
	x, err := c.send(ctx, "GET", "/api/v1/items/"+url.PathEscape(itemID), nil)
	if err != nil {
		return err
	}
	defer x.resp.Body.Close()
	if x.resp.StatusCode != http.StatusOK {
		_, err := c.readSigned(x)
		if err == nil {
			err = fmt.Errorf("workstation: unexpected answer %d to a download", x.resp.StatusCode)
		}
		return err
	}
	// The signature covers the hash the sync gave: checked before a byte is
	// read, so an answer for another item or an older one stops here.
	if !c.verified(x, want) {
		return ErrTampered
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), x.resp.Body); err != nil {
		return fmt.Errorf("workstation: downloading item %s: %w", itemID, err)
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return fmt.Errorf("workstation: item %s's download is not the ciphertext the signed sync listed: it was changed or cut short on the way (%w)", itemID, ErrTampered)
	}
	return nil
}

// Reply uploads a reply encrypted here. The newsroom signs the hash of the
// body it received, so a reply changed on the way is reported, not silent.
func (c *Client) Reply(ctx context.Context, sourceID string, ciphertext, manifest []byte) error {
	return c.callJSON(ctx, "POST", "/api/v1/sources/"+url.PathEscape(sourceID)+"/replies",
		api.ReplyUpload{Ciphertext: ciphertext, Manifest: manifest}, nil)
}
