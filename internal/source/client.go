// Package source is the source's command-line client for the dropbox's JSON
// API (docs/source-api.md), for archives too big or too fragile for a
// browser upload over Tor.
//
// Security contract: the codename never leaves the source's machine. The
// client fetches the instance's Argon2id parameters, derives the login key
// and reply identity itself, and sends only the login key (and, once, the
// public recipient). Replies are downloaded as ciphertext and decrypted
// locally. Uploads are resumable: a dropped circuit costs only the bytes in
// flight, and a run that gives up is continued by the same command run
// again. Nothing is kept on the source's machine between runs (no upload
// IDs: a file saying "uploading to this dropbox" is itself evidence):
// each run tags each item with ResumeTag, derived afresh from the login key
// and the item, and the dropbox finds its unfinished upload by the tag.
// With --proxy socks5://… every request goes through Tor. The wire types
// are internal/api's, shared with the dropbox; no server package is
// imported.
//
// The dropbox is not trusted with the source's machine either: its Argon2id
// parameters must be at least DefaultMinParams (a cheaper derivation would
// make the login key it receives cheap to search for the codename) and at
// most what a laptop runs; every answer is read within a bound; offsets it
// reports must be progress within what was sent; what it says is printed
// without control characters.
package source

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"confide/internal/api"
	"confide/internal/seal"
)

// Client talks to one dropbox.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
	// Retries is how many times a failed chunk is retried before giving up.
	Retries int
	// Backoff is the wait before the first retry; it doubles each time.
	Backoff time.Duration
	// MinParams is the weakest Argon2id cost Params accepts (New sets
	// DefaultMinParams): the dropbox receives the login key, so a server
	// that asked for a cheaper derivation could search for the codename.
	MinParams seal.Params
	// Progress, when set, is told how many bytes of the item Upload sends
	// have gone out: as they are read for sending, and back to the
	// dropbox's offset when a chunk is sent again.
	Progress func(sent int64)
}

// counter reports, through fn, base plus the bytes read from r.
type counter struct {
	r    io.Reader
	base int64
	fn   func(int64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.base += int64(n)
	c.fn(c.base)
	return n, err
}

// DefaultMinParams is seal.DefaultParams's cost (passes and memory); the
// number of lanes changes how fast this machine derives, not what a search
// costs, so any is accepted.
var DefaultMinParams = seal.Params{Time: seal.DefaultParams.Time, MemoryKiB: seal.DefaultParams.MemoryKiB, Threads: 1}

// The most a dropbox may ask of the source's machine: its parameters
// decide how much memory and time the derivation takes here.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	maxThreads   = 16
	maxSalt      = 64
	// maxAnswer bounds every JSON answer the client reads.
	maxAnswer = 1 << 20
)

// New makes a client for the dropbox at dropboxURL, optionally through a
// proxy such as socks5://127.0.0.1:9050.
func New(dropboxURL, proxy string) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(dropboxURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("source: %q is not a dropbox URL (http://….onion)", dropboxURL)
	}
	tr := &http.Transport{Proxy: nil, ResponseHeaderTimeout: 5 * time.Minute}
	if proxy != "" {
		pu, err := url.Parse(proxy)
		if err != nil || (pu.Scheme != "socks5" && pu.Scheme != "socks5h" && pu.Scheme != "http") {
			return nil, fmt.Errorf("source: %q is not a proxy URL (socks5://127.0.0.1:9050)", proxy)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	return &Client{base: u, http: &http.Client{Transport: tr}, Retries: 20, Backoff: time.Second, MinParams: DefaultMinParams}, nil
}

// Params are the dropbox's derivation parameters and limits.
type Params = api.Params

// APIError is an error the dropbox reported.
type APIError struct {
	Status  int
	Message string
	Offset  int64
}

func (e *APIError) Error() string {
	return fmt.Sprintf("source: the dropbox said (%d): %s", e.Status, e.Message)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, hdr map[string]string, out any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var e api.OffsetConflict // an api.Error, or one with the offset
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		return resp, &APIError{Status: resp.StatusCode, Message: printable(e.Error), Offset: e.Offset}
	}
	if out != nil {
		if w, ok := out.(io.Writer); ok {
			_, err = io.Copy(w, resp.Body)
		} else {
			lr := &io.LimitedReader{R: resp.Body, N: maxAnswer + 1}
			err = json.NewDecoder(lr).Decode(out)
			if err != nil && lr.N <= 0 {
				err = fmt.Errorf("the answer is over %d bytes", maxAnswer)
			}
		}
		if err != nil {
			return resp, fmt.Errorf("source: reading the answer: %w", err)
		}
	}
	return resp, nil
}

// printable drops control characters from what the dropbox says, which is
// shown in the source's terminal: a server must not be able to move its
// cursor or rewrite what it already printed.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

func jsonBody(v any) (io.Reader, map[string]string) {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b), map[string]string{"Content-Type": "application/json"}
}

// Params fetches the dropbox's parameters, refusing any weaker than
// c.MinParams or heavier than this machine will run.
func (c *Client) Params(ctx context.Context) (Params, error) {
	var p Params
	if _, err := c.do(ctx, "GET", "/api/v1/params", nil, nil, &p); err != nil {
		return p, err
	}
	if err := checkParams(p, c.MinParams); err != nil {
		return Params{}, err
	}
	return p, nil
}

// ErrWeakParams means the dropbox asked for a cheaper derivation than the
// client accepts: a sign of a fake or misconfigured dropbox.
var ErrWeakParams = errors.New("source: the dropbox asks for a weaker key derivation than this client accepts; it may not be the real dropbox")

// check enforces the floor min and the ceiling on what a dropbox asks for.
func checkParams(p Params, min seal.Params) error {
	if p.Time < max(min.Time, 1) || p.MemoryKiB < max(min.MemoryKiB, 8*uint32(p.Threads)) || p.Threads < max(min.Threads, 1) ||
		len(p.Salt) < seal.SaltSize {
		return ErrWeakParams
	}
	if p.Time > maxTime || p.MemoryKiB > maxMemoryKiB || p.Threads > maxThreads || len(p.Salt) > maxSalt {
		return fmt.Errorf("source: the dropbox asks for a key derivation heavier than this client runs (at most %d passes, %d MiB, %d threads)",
			maxTime, maxMemoryKiB>>10, maxThreads)
	}
	return nil
}

// Derive derives keys from a codename with the dropbox's parameters. Only
// the ceiling is checked here; Client.Params has checked the floor.
func Derive(codename string, p Params) (*seal.SourceKeys, error) {
	if err := checkParams(p, seal.Params{}); err != nil {
		return nil, err
	}
	n, err := seal.NormalizeCodename(codename)
	if err != nil {
		return nil, err
	}
	return seal.Derive(n, p.Salt, seal.Params{Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads})
}

// Register creates the source for keys and logs in.
func (c *Client) Register(ctx context.Context, keys *seal.SourceKeys) error {
	body, hdr := jsonBody(api.SourceRequest{LoginKey: keys.LoginKey[:], Recipient: keys.Identity.Recipient().String()})
	var tok api.SourceToken
	if _, err := c.do(ctx, "POST", "/api/v1/sources", body, hdr, &tok); err != nil {
		return err
	}
	c.token = tok.Token
	return nil
}

// Login logs in with keys derived from an existing codename.
func (c *Client) Login(ctx context.Context, keys *seal.SourceKeys) error {
	body, hdr := jsonBody(api.LoginRequest{LoginKey: keys.LoginKey[:]})
	var tok api.SourceToken
	if _, err := c.do(ctx, "POST", "/api/v1/login", body, hdr, &tok); err != nil {
		return err
	}
	c.token = tok.Token
	return nil
}

// ResumeTag names what an upload sends, for the dropbox to find an
// unfinished upload of the same thing when the same command runs again
// after a dropped circuit: an HMAC, under the source's login key, of the
// item's kind, name, size and SHA-256. It is computed afresh each run, so
// nothing on the source's computer records that an upload was under way,
// and the dropbox, without the login key, learns nothing from it. src is
// read once and left at its start.
func ResumeTag(keys *seal.SourceKeys, kind, name string, src io.ReadSeeker, size int64) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(src, size)); err != nil {
		return "", fmt.Errorf("source: %w", err)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("source: %w", err)
	}
	mac := hmac.New(sha256.New, keys.LoginKey[:])
	fmt.Fprintf(mac, "confide-resume-v1\n%s\n%s\n%d\n%x", kind, name, size, h.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Upload sends one item resumably and returns its upload ID. src must be
// seekable so a chunk can be sent again from where the server stands. With
// a resume tag (ResumeTag), an unfinished upload of the same item that the
// dropbox still holds is continued from where it stands.
func (c *Client) Upload(ctx context.Context, kind, name, ctype, resume string, src io.ReadSeeker, size, chunk int64) (string, error) {
	body, hdr := jsonBody(api.UploadRequest{Kind: kind, Name: name, ContentType: ctype, Resume: resume})
	var up api.Upload
	if _, err := c.do(ctx, "POST", "/api/v1/uploads", body, hdr, &up); err != nil {
		return "", err
	}
	if up.Offset < 0 || up.Offset > size {
		return "", fmt.Errorf("source: the dropbox says the upload is at byte %d of %d; stopping", up.Offset, size)
	}
	off := up.Offset
	failures := 0
	for off < size {
		n := min(chunk, size-off)
		if _, err := src.Seek(off, io.SeekStart); err != nil {
			return "", fmt.Errorf("source: %w", err)
		}
		var body io.Reader = io.LimitReader(src, n)
		if c.Progress != nil {
			c.Progress(off)
			body = &counter{r: body, base: off, fn: c.Progress}
		}
		resp, err := c.do(ctx, "PATCH", "/api/v1/uploads/"+up.ID, body,
			map[string]string{api.OffsetHeader: strconv.FormatInt(off, 10), "Content-Type": "application/offset+octet-stream"}, nil)
		if err == nil {
			// The dropbox may take less than was sent, never more, and
			// must move on: anything else would loop or skip bytes.
			now, perr := api.ParseOffset(resp.Header.Get(api.OffsetHeader))
			if perr != nil || now <= off || now > off+n {
				return "", fmt.Errorf("source: the dropbox answered a chunk of bytes %d to %d with offset %q; stopping", off, off+n, printable(resp.Header.Get(api.OffsetHeader)))
			}
			off = now
			failures = 0
			continue
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Status != http.StatusConflict && ae.Status < 500 && ae.Status != http.StatusBadRequest {
			return "", err // the dropbox refused: retrying will not help
		}
		failures++
		if failures > c.Retries {
			return "", fmt.Errorf("source: giving up after %d failed tries: %w", failures, err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(c.Backoff << min(failures-1, 5)):
		}
		// Ask where the server stands and continue from there.
		var st api.Upload
		if _, err := c.do(ctx, "GET", "/api/v1/uploads/"+up.ID, nil, nil, &st); err != nil {
			if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
				return "", err
			}
			continue
		}
		if st.Offset < 0 || st.Offset > off+n {
			return "", fmt.Errorf("source: the dropbox says the upload is at byte %d, past what was sent (%d); stopping", st.Offset, off+n)
		}
		off = st.Offset
	}
	return up.ID, nil
}

// Submit turns uploads into one submission.
func (c *Client) Submit(ctx context.Context, uploads []string) error {
	body, hdr := jsonBody(api.SubmissionRequest{Uploads: uploads})
	_, err := c.do(ctx, "POST", "/api/v1/submissions", body, hdr, nil)
	return err
}

// Reply is one decrypted reply.
type Reply struct {
	ID   string
	Day  string
	Text string
}

// maxReply is the longest reply a source's client accepts, maxReplies
// the most it fetches at once and maxRepliesTotal their total size.
const (
	maxReply        = 1 << 20
	maxReplies      = 1000
	maxRepliesTotal = 64 << 20
)

// Replies downloads and decrypts every reply.
func (c *Client) Replies(ctx context.Context, keys *seal.SourceKeys) ([]Reply, error) {
	var list []api.ReplyInfo
	if _, err := c.do(ctx, "GET", "/api/v1/replies", nil, nil, &list); err != nil {
		return nil, err
	}
	if len(list) > maxReplies {
		return nil, fmt.Errorf("source: the dropbox lists %d replies, more than this client fetches (%d)", len(list), maxReplies)
	}
	out := make([]Reply, 0, len(list))
	total := 0
	for _, r := range list {
		// Decrypt as it arrives: a reply is at most maxReply, and a server
		// that sends more is cut off there rather than buffered.
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			_, err := c.do(ctx, "GET", "/api/v1/replies/"+url.PathEscape(r.ID), nil, nil, pw)
			pw.CloseWithError(err)
			done <- err
		}()
		text, err := seal.OpenReply(pr, maxReply, keys.Identity)
		pr.Close()
		if derr := <-done; derr != nil && !errors.Is(derr, io.ErrClosedPipe) {
			return nil, derr
		}
		if err != nil {
			return nil, fmt.Errorf("source: a reply could not be decrypted: %w", err)
		}
		if total += len(text); total > maxRepliesTotal {
			return nil, fmt.Errorf("source: the replies are over %d MiB together, more than this client holds", maxRepliesTotal>>20)
		}
		out = append(out, Reply{ID: r.ID, Day: printable(r.Day), Text: text})
	}
	return out, nil
}
