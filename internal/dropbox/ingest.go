package dropbox

import (
	"context"
	"fmt"
	"io"

	"confide/internal/blob"
	"confide/internal/seal"
	"confide/internal/store"

	"filippo.io/age"
)

// sealer streams one item through age into a pending blob. Plaintext exists
// only in the 64 KiB age chunk buffer in memory.
type sealer struct {
	blob     *blob.Pending
	enc      io.WriteCloser
	manifest seal.Manifest
	rcpts    []age.Recipient
	closed   bool
}

func (s *Server) newSealer(rcpts []age.Recipient, kind, name, ctype string) (*sealer, error) {
	p, err := s.cfg.Blobs.Create()
	if err != nil {
		return nil, err
	}
	enc, err := seal.Encrypt(p, rcpts)
	if err != nil {
		p.Abort()
		return nil, err
	}
	return &sealer{blob: p, enc: enc, rcpts: rcpts, manifest: seal.Manifest{Kind: kind, Name: name, ContentType: ctype}}, nil
}

// Write encrypts plaintext.
func (z *sealer) Write(b []byte) (int, error) {
	n, err := z.enc.Write(b)
	z.manifest.Size += int64(n)
	return n, err
}

// finish pads the plaintext (seal.Pad: zeros inside the encryption, so
// neither the blob's size nor items.size gives its exact length away; the
// manifest keeps the exact size) and writes age's last chunk. The blob
// stays pending until commit.
func (z *sealer) finish() error {
	if z.closed {
		return nil
	}
	z.closed = true
	if err := seal.Pad(z.enc, z.manifest.Size); err != nil {
		return err
	}
	return z.enc.Close()
}

func (z *sealer) abort() { z.blob.Abort() }

// commitSubmission makes sealed items durable and then visible, in that
// order: blobs are fsynced and renamed, then one transaction inserts every
// row. A crash in between leaves unreferenced ciphertext that the sweep at
// start removes; journalists never see part of a submission.
func (s *Server) commitSubmission(ctx context.Context, sourceID string, parts []*sealer) error {
	day := store.Today()
	items := make([]store.Item, 0, len(parts))
	var committed []string
	cleanup := func() {
		for _, name := range committed {
			s.cfg.Blobs.Remove(name)
		}
	}
	for i, z := range parts {
		if err := z.finish(); err != nil {
			abortFrom(parts, i)
			cleanup()
			return fmt.Errorf("dropbox: seal: %w", err)
		}
		// The manifest says when, to the day only: journalists see coarse times.
		z.manifest.Time = day.Time()
		m, err := seal.SealManifest(z.manifest, z.rcpts)
		if err != nil {
			abortFrom(parts, i)
			cleanup()
			return err
		}
		size := z.blob.Size()
		if err := z.blob.Commit(); err != nil {
			abortFrom(parts, i+1)
			cleanup()
			return err
		}
		committed = append(committed, z.blob.Name())
		items = append(items, store.Item{Kind: z.manifest.Kind, Blob: z.blob.Name(), Size: size, Manifest: m})
	}
	if err := s.cfg.Store.AddSubmission(ctx, sourceID, store.NewID(), items); err != nil {
		cleanup()
		return err
	}
	s.cfg.Blobs.Settle(committed...)
	return nil
}

func abortFrom(parts []*sealer, i int) {
	for _, z := range parts[i:] {
		z.abort()
	}
}
