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
type Outbox struct {
	Dir string
	Log *slog.Logger
}

// Send writes the message to the outbox.
func (o Outbox) Send(to, subject, body string) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.eml", time.Now().UTC().Format("20060102T150405.000000000"), store.NewID()[:8])
	msg := fmt.Sprintf("To: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s", to, subject, body)
	if err := os.WriteFile(filepath.Join(o.Dir, name), []byte(msg), 0o600); err != nil {
		return err
	}
	o.Log.Info("site: mail written to the outbox", "file", filepath.Join(o.Dir, name))
	return nil
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
