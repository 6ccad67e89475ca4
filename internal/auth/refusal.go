package auth

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"confide/internal/seal"
	"confide/internal/web"
)

// Refusal is how a zone's sign-in page answers an Authenticate failure:
// the status, the catalogue key of its message (prefix + "failed",
// "locked", "throttled" or "busy"), and when a lock ends ("15:04 UTC"),
// with Retry-After set. ok is false for an error that is not a refusal,
// which the zone reports as internal.
func Refusal(w http.ResponseWriter, err error, now time.Time, prefix string) (status int, key, until string, ok bool) {
	var lock LockedError
	switch {
	case errors.As(err, &lock):
		w.Header().Set("Retry-After", strconv.Itoa(int(lock.Until.Sub(now).Seconds())+1))
		return http.StatusTooManyRequests, prefix + "locked", lock.Until.UTC().Format("15:04 UTC"), true
	case errors.Is(err, ErrThrottled):
		return http.StatusTooManyRequests, prefix + "throttled", "", true
	case errors.Is(err, seal.ErrBusy):
		web.RetryLater(w)
		return http.StatusServiceUnavailable, prefix + "busy", "", true
	case errors.Is(err, ErrLoginFailed):
		return http.StatusUnauthorized, prefix + "failed", "", true
	}
	return 0, "", "", false
}
