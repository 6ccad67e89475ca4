package api

import (
	"fmt"
	"time"
)

// Item kinds, as the sync lists them and the sealed manifests name them.
const (
	KindMessage = "message"
	KindFile    = "file"
	KindReply   = "reply"
)

// Signature headers of the journalist API.
const (
	// NonceHeader carries the client's random nonce, which the signature
	// covers, so a recorded response cannot answer another request.
	NonceHeader = "Confide-Nonce"
	// SignatureHeader is the response header with the Ed25519 signature. A
	// header, not a trailer: reverse proxies such as nginx drop trailers.
	SignatureHeader = "Confide-Signature"
)

// SignedMessage is what the newsroom signs: the domain, the client's
// nonce, the request line, the SHA-256 of the request body as the server
// received it, the status and the SHA-256 of the response body.
func SignedMessage(nonce, method, uri string, requestSHA256 []byte, status int, responseSHA256 []byte) []byte {
	return fmt.Appendf(nil, "confide-journalist-api-v2\n%s\n%s %s\n%x\n%d\n%x", nonce, method, uri, requestSHA256, status, responseSHA256)
}

// ValidNonce says whether a nonce is one the API accepts: 16 to 128
// characters of unpadded base64url, so it cannot blur the lines of the
// signed message.
func ValidNonce(n string) bool {
	if len(n) < 16 || len(n) > 128 {
		return false
	}
	for _, c := range []byte(n) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Error is the body of every refusal, on both APIs: a human sentence,
// never internals.
type Error struct {
	Error string `json:"error"`
}

// KeyResponse is GET /api/v1/key: the newsroom's Ed25519 public key,
// signed by itself.
type KeyResponse struct {
	PublicKey string `json:"public_key"` // base64
}

// TokenRequest is POST /api/v1/token.
type TokenRequest struct {
	Name       string `json:"name"`
	Passphrase string `json:"passphrase"`
	Code       string `json:"code"`
}

// TokenResponse is the answer to a TokenRequest.
type TokenResponse struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// ReplyUpload is a reply encrypted on the workstation (POST
// /api/v1/sources/{id}/replies): the newsroom never sees its plaintext.
type ReplyUpload struct {
	Ciphertext []byte `json:"ciphertext"`
	Manifest   []byte `json:"manifest"`
}

// SyncSource is a source as the workstation sees it.
type SyncSource struct {
	ID          string `json:"id"`
	Designation string `json:"designation"`
	Recipient   string `json:"recipient"`
	Starred     bool   `json:"starred"`
	Hidden      bool   `json:"hidden"`
	Assignee    string `json:"assignee"`
	Unread      int    `json:"unread"`
	Active      string `json:"active"`
}

// SyncItem is an item's metadata; the content is fetched separately.
type SyncItem struct {
	ID       string `json:"id"`
	SourceID string `json:"source_id"`
	// SubmissionID names the submission the item came in with (items sent
	// together share it); empty for a reply.
	SubmissionID string `json:"submission_id,omitempty"`
	Kind         string `json:"kind"`
	Size         int64  `json:"size"`
	Day          string `json:"day"`
	Seq          int64  `json:"seq"`
	Manifest     []byte `json:"manifest"` // sealed
	// SHA256 is the hash of the ciphertext the item's download sends.
	SHA256 []byte `json:"sha256"`
}

// SyncResponse is one page of changes (GET /api/v1/sync).
type SyncResponse struct {
	Sources     []SyncSource `json:"sources"`
	Items       []SyncItem   `json:"items"`
	Deleted     []string     `json:"deleted"`
	ItemsCursor int64        `json:"items_cursor"`
	TombsCursor int64        `json:"tombs_cursor"`
	More        bool         `json:"more"`
	// Recipients are every journalist's, for replies made on a workstation.
	Recipients []string `json:"recipients"`
}
