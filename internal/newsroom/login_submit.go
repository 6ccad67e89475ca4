package newsroom

import (
	"errors"
	"net/http"
	"strconv"

	"confide/internal/seal"
	"confide/internal/web"
)

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/login")
		return
	}
	next := web.LocalPath(r.PostForm.Get("next"))
	j, pending, err := s.authenticate(r, r.PostForm.Get("name"), r.PostForm.Get("passphrase"), r.PostForm.Get("code"), true)
	if err != nil {
		status, msg, until := http.StatusUnauthorized, "newsroom.login.failed", ""
		var lock lockedError
		switch {
		case errors.As(err, &lock):
			status, msg, until = http.StatusTooManyRequests, "newsroom.login.locked", lock.until.UTC().Format("15:04 UTC")
			w.Header().Set("Retry-After", strconv.Itoa(int(lock.until.Sub(s.cfg.Now()).Seconds())+1))
		case errors.Is(err, errThrottled):
			status, msg = http.StatusTooManyRequests, "newsroom.login.throttled"
		case errors.Is(err, seal.ErrBusy):
			status, msg = http.StatusServiceUnavailable, "newsroom.login.busy"
			web.RetryLater(w)
		case !errors.Is(err, errLoginFailed):
			s.internal(w, r, err)
			return
		}
		s.render.Render(w, status, "login", s.page(w, r, "newsroom.login.title", loginData{Failed: msg, Until: until, Next: next, Name: r.PostForm.Get("name")}))
		return
	}
	kind := kindWeb
	switch pending {
	case kindSetup:
		kind, next = kindSetup, "/setup"
	case kindKey:
		kind, next = kindKey, "/login/key"
	}
	if err := s.startSession(w, r, j, kind); err != nil {
		s.internal(w, r, err)
		return
	}
	if pending == "" {
		s.audit(r.Context(), j, "login", "web")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
