package web

import (
	"errors"
	"strconv"
)

// ErrOffset reports an Upload-Offset that is not a plain byte count.
var ErrOffset = errors.New("web: Upload-Offset must be a non-negative whole number, in plain digits")

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
