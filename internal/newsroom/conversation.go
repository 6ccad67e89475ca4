package newsroom

import (
	"context"
	"errors"
	"fmt"
	"io"

	"confide/internal/seal"
	"confide/internal/store"

	"filippo.io/age"
)

// maxReply bounds a reply: replies are messages, not archives.
const maxReply = 1 << 20

// errTooLong is a reply over maxReply.
var errTooLong = errors.New("newsroom: reply too long")

// replyRecipients are who can open a reply: the source and every journalist.
func (s *Server) replyRecipients(ctx context.Context, src store.Source) ([]age.Recipient, error) {
	js, err := s.cfg.Store.Journalists(ctx)
	if err != nil {
		return nil, err
	}
	rs := []string{src.Recipient}
	for _, j := range js {
		rs = append(rs, j.Recipient)
	}
	return seal.ParseRecipients(rs)
}

// sealReply encrypts a reply typed in the browser and stores it. The text
// exists in plaintext only in this request's memory.
func (s *Server) sealReply(ctx context.Context, j store.Journalist, src store.Source, text string) error {
	if len(text) > maxReply {
		return errTooLong
	}
	rcpts, err := s.replyRecipients(ctx, src)
	if err != nil {
		return err
	}
	ct, m, err := seal.SealReply(text, store.Today().Time(), rcpts)
	if err != nil {
		return err
	}
	return s.storeReply(ctx, j, src, ct, m)
}

// storeReply stores reply ciphertext made here or on a workstation.
func (s *Server) storeReply(ctx context.Context, j store.Journalist, src store.Source, ciphertext, manifest []byte) error {
	p, err := s.cfg.Blobs.Create()
	if err != nil {
		return err
	}
	if _, err := p.Write(ciphertext); err != nil {
		p.Abort()
		return fmt.Errorf("newsroom: %w", err)
	}
	size := p.Size()
	if err := p.Commit(); err != nil {
		return err
	}
	it := store.Item{ID: store.NewID(), SourceID: src.ID, Blob: p.Name(), Size: size, Manifest: manifest, Author: j.ID}
	if err := s.cfg.Store.AddReply(ctx, it); err != nil {
		s.cfg.Blobs.Remove(p.Name())
		return err
	}
	s.cfg.Blobs.Settle(p.Name())
	// The author has seen their own reply.
	return s.cfg.Store.MarkSeen(ctx, j.ID, it.ID)
}

// deleteItem removes one item: the row first (so it vanishes for everyone),
// then its ciphertext.
func (s *Server) deleteItem(ctx context.Context, sourceID, itemID string) error {
	it, err := s.cfg.Store.DeleteItem(ctx, sourceID, itemID, "")
	if err != nil {
		return err
	}
	return s.cfg.Blobs.Remove(it.Blob)
}

// DeleteSource removes a source, its rows and its ciphertext.
func (s *Server) DeleteSource(ctx context.Context, id string) error {
	blobs, err := s.cfg.Store.DeleteSource(ctx, id)
	if err != nil {
		return err
	}
	var first error
	for _, b := range blobs {
		if err := s.cfg.Blobs.Remove(b); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// copyBlob streams an item's ciphertext.
func (s *Server) copyBlob(w io.Writer, it store.Item) error {
	_, err := s.cfg.Blobs.Copy(w, it.Blob)
	return err
}
