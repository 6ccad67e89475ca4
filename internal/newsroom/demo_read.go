package newsroom

import (
	"bytes"
	"fmt"
	"io"
	"mime"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

// demoInline is how much of a message the demo shortcut shows in the page;
// a longer one is cut there and opened whole through its link.
const demoInline = 64 << 10

// demoReads reports whether the demo shortcut is on for j: only in demo
// mode, only with the demo identity loaded, and only for the journalist
// whose recipient it is. The identity is on the server in a demo anyway
// (cli's demoSetup writes it under the data folder); a real newsroom has
// none, so this never applies there.
func (s *Server) demoReads(j store.Journalist) bool {
	return s.cfg.Demo && s.cfg.DemoIdentity != nil && j.Recipient == s.cfg.DemoIdentity.Recipient().String()
}

// demoOpen decrypts an item for the demo shortcut, in memory and streamed:
// its manifest, and a reader of exactly the plaintext (padding cut off).
// Nothing is written to disk. The caller closes the returned closer.
func (s *Server) demoOpen(it store.Item) (seal.Manifest, io.Reader, io.Closer, error) {
	m, err := seal.OpenManifest(it.Manifest, s.cfg.DemoIdentity)
	if err != nil {
		return m, nil, nil, fmt.Errorf("newsroom: demo: manifest: %w", err)
	}
	f, err := s.cfg.Blobs.Open(it.Blob)
	if err != nil {
		return m, nil, nil, err
	}
	plain, err := seal.Decrypt(f, s.cfg.DemoIdentity)
	if err != nil {
		f.Close()
		return m, nil, nil, fmt.Errorf("newsroom: demo: %w", err)
	}
	return m, io.LimitReader(plain, m.Size), f, nil
}

// demoText decrypts a message or reply for showing inline, at most
// demoInline bytes of it, and whether it was cut.
func (s *Server) demoText(it store.Item) (string, bool, error) {
	_, r, c, err := s.demoOpen(it)
	if err != nil {
		return "", false, err
	}
	defer c.Close()
	b, err := io.ReadAll(io.LimitReader(r, demoInline+1))
	if err != nil {
		return "", false, err
	}
	cut := len(b) > demoInline
	if cut {
		b = b[:demoInline]
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD"))), cut, nil
}

// attachment is a Content-Disposition that saves name (made safe) rather
// than showing it.
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": web.SafeName(name)})
}
