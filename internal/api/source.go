package api

import (
	"errors"
	"strconv"
)

// OffsetHeader is the source API's resumable-upload position, in bytes.
const OffsetHeader = "Upload-Offset"

// ErrOffset reports an Upload-Offset that is not a plain byte count.
var ErrOffset = errors.New("api: Upload-Offset must be a non-negative whole number, in plain digits")

// ParseOffset reads an Upload-Offset header (docs/source-api.md): decimal
// digits only, no sign, no leading zero, at most what an int64 holds. The
// dropbox reads clients' offsets with it and the source client the
// dropbox's, so neither takes "+5", "-0", "007" or " 5" for a position.
func ParseOffset(s string) (int64, error) {
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, ErrOffset
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrOffset
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrOffset
	}
	return n, nil
}

// Params (GET /api/v1/params) tell the source's client how to derive keys
// from a codename itself, so the codename never leaves its machine, and
// what the dropbox accepts.
type Params struct {
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"argon2_time"`
	MemoryKiB uint32 `json:"argon2_memory_kib"`
	Threads   uint8  `json:"argon2_threads"`
	MaxUpload int64  `json:"max_upload"`
	// MaxItems is the most uploads one submission may name (0: not said).
	MaxItems  int  `json:"max_items"`
	Accepting bool `json:"accepting"`
}

// LoginRequest (POST /api/v1/login) carries the login key the client
// derived from the codename.
type LoginRequest struct {
	LoginKey []byte `json:"login_key"`
}

// SourceRequest (POST /api/v1/sources) registers a source whose codename
// the client generated and derived locally: the dropbox receives the login
// key and the public recipient, never the codename.
type SourceRequest struct {
	LoginKey  []byte `json:"login_key"`
	Recipient string `json:"recipient"`
}

// SourceToken answers a login or a registration.
type SourceToken struct {
	Token string `json:"token"`
}

// UploadRequest (POST /api/v1/uploads) opens an upload.
type UploadRequest struct {
	Kind        string `json:"kind"` // KindFile or KindMessage
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	// Resume, when set, finds this source's open upload with the same tag
	// rather than opening another (200 with its offset).
	Resume string `json:"resume,omitempty"`
}

// Upload is an upload and how many of its bytes the dropbox holds.
type Upload struct {
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
}

// OffsetConflict refuses a chunk and says where the upload really is.
type OffsetConflict struct {
	Error  string `json:"error"`
	Offset int64  `json:"offset"`
}

// SubmissionRequest (POST /api/v1/submissions) turns finished uploads into
// one submission.
type SubmissionRequest struct {
	Uploads []string `json:"uploads"`
}

// SubmissionResponse counts the items a submission stored.
type SubmissionResponse struct {
	Items int `json:"items"`
}

// ReplyInfo is one reply in GET /api/v1/replies; its ciphertext is fetched
// separately.
type ReplyInfo struct {
	ID   string `json:"id"`
	Day  string `json:"day"`
	Size int64  `json:"size"` // padded ciphertext bytes
}
