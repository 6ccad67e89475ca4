package site

import (
	"fmt"
	"log/slog"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confide/internal/store"
)

// Mailer sends a reader's verification and reset mail.
type Mailer interface {
	Send(to, subject, body string) error
}

// Outbox writes each message as a file (0600) under a folder, so a newcomer
// on the embedded default can finish registering locally. The log names
// the file only: its links are live credentials (a reset link signs in),
// and logs are copied and kept far more widely than a private folder.
//
// The Date header says the day only (midnight UTC): a mail client wants a
// date, and the day is all the reader needs. The file's name still orders
// the messages exactly, so the newest is last: this folder is a reader's
// mail in the embedded default's stand-in for SMTP, not a source's trace,
// and USAGE.md says it is not kept.
type Outbox struct {
	Dir string
	Log *slog.Logger
	// From is the sender's address; empty means OutboxFrom.
	From string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// OutboxFrom is the sender of outbox mail when none is configured.
const OutboxFrom = "Confide <confide@localhost>"

// Send writes the message to the outbox.
func (o Outbox) Send(to, subject, body string) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now().UTC()
	from := o.From
	if from == "" {
		from = OutboxFrom
	}
	name := fmt.Sprintf("%s-%s.eml", t.Format("20060102T150405.000000000"), store.NewID()[:8])
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nDate: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s",
		from, to, day.Format(time.RFC1123Z), subject, body)
	if err := os.WriteFile(filepath.Join(o.Dir, name), []byte(msg), 0o600); err != nil {
		return err
	}
	o.Log.Info("site: mail written to the outbox", "file", filepath.Join(o.Dir, name))
	return nil
}

// demoOutbox is the outbox folder when this is a demo writing mail there,
// so the newcomer is told where to look; otherwise "", since a server's
// paths are no visitor's business.
func (s *Server) demoOutbox() string {
	if o, ok := s.cfg.Mail.(Outbox); ok && s.cfg.Demo {
		return o.Dir
	}
	return ""
}

// SMTP sends through a mail server.
type SMTP struct {
	Addr, From string
	Auth       smtp.Auth
}

// Send delivers the message.
func (m SMTP) Send(to, subject, body string) error {
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s",
		m.From, to, subject, strings.ReplaceAll(body, "\n", "\r\n"))
	return smtp.SendMail(m.Addr, m.Auth, m.From, []string{to}, []byte(msg))
}
