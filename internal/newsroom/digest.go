package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"confide/internal/store"
	"confide/internal/web"
)

// Digest is the daily "N new submissions" email. It names no source and
// carries no content, and it is sent every day whether or not anything
// arrived, so its timing tells an observer nothing.
type Digest struct {
	SMTP string   // host:port
	From string   // envelope and header sender
	To   []string // recipients
	At   int      // minutes after midnight UTC
	Auth smtp.Auth
}

// Check reports a digest configuration that cannot work.
func (d Digest) Check() error {
	if d.SMTP == "" || len(d.To) == 0 || d.From == "" {
		return errors.New("newsroom: the digest needs --smtp, --smtp-from and at least one --digest-to")
	}
	if d.At < 0 || d.At >= 24*60 {
		return errors.New("newsroom: --digest-at is minutes after midnight, 0 to 1439")
	}
	return nil
}

// SendDigest counts submissions since the last digest and mails the count.
func (s *Server) SendDigest(ctx context.Context, d Digest) error {
	if err := d.Check(); err != nil {
		return err
	}
	var since int64
	if v, err := s.cfg.Store.Setting(ctx, "digest_seq"); err == nil {
		since, _ = strconv.ParseInt(v, 10, 64)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n, last, err := s.cfg.Store.CountSubmissionsSince(ctx, since)
	if err != nil {
		return err
	}
	day := s.cfg.Now().UTC().Format("2006-01-02")
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Confide digest %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"%s\r\nSign in to the newsroom to read them.\r\n",
		d.From, strings.Join(d.To, ", "), day, s.render.Cat.N(web.DefaultLang, "newsroom.digest.count", n))
	if err := smtp.SendMail(d.SMTP, d.Auth, d.From, d.To, []byte(msg)); err != nil {
		return fmt.Errorf("newsroom: digest: %w", err)
	}
	return s.cfg.Store.SetSetting(ctx, "digest_seq", strconv.FormatInt(last, 10))
}

// RunDigest sends the digest every day at d.At until ctx ends.
func (s *Server) RunDigest(ctx context.Context, d Digest) {
	for {
		now := s.cfg.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), 0, d.At, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.Add(24 * time.Hour)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
		if err := s.SendDigest(ctx, d); err != nil {
			s.cfg.Log.Error("newsroom: digest", "err", err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
