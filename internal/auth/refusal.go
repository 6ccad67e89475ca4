package auth

import (
	"errors"
	"log/slog"
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

// KeyFail answers a failed security-key ceremony in JSON, for the zones'
// script: status and a sentence for a key that did not verify, 400 for a
// ceremony to start again, 500 and failed for anything the store broke,
// which is logged (never the key's answer itself).
func KeyFail(w http.ResponseWriter, log *slog.Logger, err error, status int, failed string) {
	msg := ""
	switch {
	case errors.Is(err, ErrHost):
		status, msg = http.StatusBadRequest, "security keys need this site's own host name, not an IP address"
	case errors.Is(err, ErrStartAgain):
		status, msg = http.StatusBadRequest, "start again"
	case errors.Is(err, ErrCloned):
		msg = "the security key's counter went back, so it may have been copied: sign in with your code, remove the key on your account page and tell an admin"
	case errors.Is(err, ErrNotVerified):
		msg = "the security key's answer did not verify"
	case errors.Is(err, ErrKeys):
		status, msg = http.StatusInternalServerError, "could not read your security keys"
	default:
		status, msg = http.StatusInternalServerError, failed
	}
	var lock LockedError
	if errors.Is(err, ErrNotVerified) && errors.As(err, &lock) {
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(max(int(time.Until(lock.Until).Seconds()), 0)+1))
		msg += "; too many failed attempts: sign-ins with this name are locked until " + lock.Until.UTC().Format("15:04 UTC") + " (your own key, or your passphrase with a fresh code, still lets you in)"
	}
	if status >= 500 || errors.Is(err, errCounting) {
		// The ceremony broke, or counting a refused key as a failure did.
		log.Error("auth: security key", "err", err)
	}
	web.WriteJSON(w, status, map[string]string{"error": msg})
}
