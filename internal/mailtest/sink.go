// Package mailtest is an SMTP server for tests: enough of RFC 5321 for
// net/smtp to deliver a message over a real connection, which it keeps.
package mailtest

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sink accepts mail on a loopback port.
type Sink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

// Start listens on a free loopback port until the test ends.
func Start(t testing.TB) *Sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Addr is host:port for --smtp.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Messages returns what was delivered so far.
func (s *Sink) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// Wait returns the messages once there are at least n, or fails the test.
func (s *Sink) Wait(t testing.TB, n int) []string {
	t.Helper()
	for i := 0; i < 200; i++ {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("expected %d messages, got %d", n, len(s.Messages()))
	return nil
}

func (s *Sink) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 sink ESMTP")
	inData := false
	var data strings.Builder
	for {
		n, err := c.Read(tmp)
		if err != nil {
			return
		}
		buf = append(buf, tmp[:n]...)
		for {
			i := bytes.Index(buf, []byte("\r\n"))
			if i < 0 {
				break
			}
			line := string(buf[:i])
			buf = buf[i+2:]
			if inData {
				if line == "." {
					inData = false
					s.mu.Lock()
					s.msgs = append(s.msgs, data.String())
					s.mu.Unlock()
					reply("250 queued")
					continue
				}
				data.WriteString(strings.TrimPrefix(line, ".") + "\n")
				continue
			}
			switch strings.ToUpper(strings.SplitN(line, " ", 2)[0]) {
			case "EHLO", "HELO":
				reply("250 sink")
			case "MAIL", "RCPT", "RSET", "NOOP":
				reply("250 ok")
			case "DATA":
				inData = true
				data.Reset()
				reply("354 go on")
			case "QUIT":
				reply("221 bye")
				return
			default:
				reply("502 not implemented")
			}
		}
	}
}
