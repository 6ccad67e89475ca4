package workstation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confide/internal/newsroom"
)

// ErrTampered means a response's signature did not verify.
var ErrTampered = errors.New("workstation: the newsroom's answer failed signature verification: something between you and the newsroom changed it")

// Client talks to one newsroom.
type Client struct {
	base      string
	http      *http.Client
	Token     string
	ServerKey ed25519.PublicKey
}

// NewClient makes a client for the newsroom at base.
func NewClient(base string, key ed25519.PublicKey) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("workstation: %q is not a newsroom URL", base)
	}
	return &Client{base: u.String(), http: &http.Client{Timeout: 0}, ServerKey: key}, nil
}

// APIError is an error the newsroom reported (and signed).
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("workstation: the newsroom said (%d): %s", e.Status, e.Message)
}

// hashingReader hashes what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// call sends a request and streams the body to sink, then verifies the
// signature trailer. Nothing read may be trusted until call returns nil.
func (c *Client) call(ctx context.Context, method, path string, body any, sink io.Writer) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, fmt.Errorf("workstation: %w", err)
	}
	nb := make([]byte, 24)
	rand.Read(nb)
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	req.Header.Set(newsroom.NonceHeader, nonce)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("workstation: %w", err)
	}
	defer resp.Body.Close()
	hr := &hashingReader{r: resp.Body, h: sha512.New()}
	// An error answer, or one nobody asked a body for, is small; a server
	// that sends an endless one must not fill the journalist's memory.
	var errBody bytes.Buffer
	dst, src := sink, io.Reader(hr)
	if resp.StatusCode >= 400 || dst == nil {
		dst, src = &errBody, io.LimitReader(hr, maxSmallAnswer+1)
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("workstation: reading the answer: %w", err)
	}
	if dst == &errBody && n > maxSmallAnswer {
		return resp.StatusCode, errors.New("workstation: the newsroom's answer is larger than expected")
	}
	sig, err := base64.StdEncoding.DecodeString(resp.Trailer.Get(newsroom.SignatureHeader))
	msg := newsroom.SignedMessage(nonce, method, req.URL.RequestURI(), resp.StatusCode, hr.h.Sum(nil))
	if err != nil || len(c.ServerKey) != ed25519.PublicKeySize || !ed25519.Verify(c.ServerKey, msg, sig) {
		return resp.StatusCode, ErrTampered
	}
	if resp.StatusCode >= 400 {
		var e struct{ Error string }
		json.Unmarshal(errBody.Bytes(), &e)
		return resp.StatusCode, &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	return resp.StatusCode, nil
}

// maxSmallAnswer bounds what is read of an error answer.
const maxSmallAnswer = 1 << 20

// callJSON calls and decodes a verified JSON answer into out.
func (c *Client) callJSON(ctx context.Context, method, path string, body, out any) error {
	var buf bytes.Buffer
	if _, err := c.call(ctx, method, path, body, &buf); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		return fmt.Errorf("workstation: the newsroom's answer is not the JSON expected: %w", err)
	}
	return nil
}

// FetchKey asks the newsroom for its signing key (trust on first use).
func (c *Client) FetchKey(ctx context.Context) (ed25519.PublicKey, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/key", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	defer resp.Body.Close()
	var k struct {
		PublicKey string `json:"public_key"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&k); err != nil {
		return nil, fmt.Errorf("workstation: no signing key from the newsroom: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("workstation: the newsroom's signing key is malformed")
	}
	return b, nil
}

// Login exchanges passphrase and code for a token.
func (c *Client) Login(ctx context.Context, name, pass, code string) (time.Time, error) {
	var tok struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
	}
	err := c.callJSON(ctx, "POST", "/api/v1/token", map[string]string{"name": name, "passphrase": pass, "code": code}, &tok)
	if err != nil {
		return time.Time{}, err
	}
	c.Token = tok.Token
	return tok.Expires, nil
}

// Sync fetches one page of changes after the cursors. withSources false
// skips the source list, for the continuation pages of one sync.
func (c *Client) Sync(ctx context.Context, itemsAfter, tombsAfter int64, withSources bool) (newsroom.SyncResponse, error) {
	var r newsroom.SyncResponse
	path := fmt.Sprintf("/api/v1/sync?items_after=%d&tombs_after=%d", itemsAfter, tombsAfter)
	if !withSources {
		path += "&sources=0"
	}
	err := c.callJSON(ctx, "GET", path, nil, &r)
	return r, err
}

// Download streams an item's ciphertext to w. The caller must discard w's
// content if Download returns an error.
func (c *Client) Download(ctx context.Context, itemID string, w io.Writer) error {
	_, err := c.call(ctx, "GET", "/api/v1/items/"+url.PathEscape(itemID), nil, w)
	return err
}

// Reply uploads a reply encrypted here.
func (c *Client) Reply(ctx context.Context, sourceID string, ciphertext, manifest []byte) error {
	return c.callJSON(ctx, "POST", "/api/v1/sources/"+url.PathEscape(sourceID)+"/replies",
		map[string][]byte{"ciphertext": ciphertext, "manifest": manifest}, nil)
}
