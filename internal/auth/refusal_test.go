package auth

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"confide/internal/seal"
)

func TestRefusal(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		err          error
		status       int
		key, until   string
		retry        string
		internalFail bool
	}{
		{ErrLoginFailed, 401, "z.failed", "", "", false},
		{LockedError{now.Add(90 * time.Second)}, 429, "z.locked", "09:01 UTC", "91", false},
		{fmt.Errorf("wrapped: %w", ErrThrottled), 429, "z.throttled", "", "", false},
		{seal.ErrBusy, 503, "z.busy", "", "60", false},
		{errors.New("database down"), 0, "", "", "", true},
	} {
		w := httptest.NewRecorder()
		status, key, until, ok := Refusal(w, c.err, now, "z.")
		if status != c.status || key != c.key || until != c.until || ok == c.internalFail || w.Header().Get("Retry-After") != c.retry {
			t.Errorf("%v: %d %q %q %v, Retry-After %q", c.err, status, key, until, ok, w.Header().Get("Retry-After"))
		}
	}
}
