package newsroom

import (
	"context"
	"time"

	"confide/internal/store"
)

// Retain deletes every source inactive for more than days, with all it sent
// and received. It returns how many were deleted.
func (s *Server) Retain(ctx context.Context, days int) (int, error) {
	ids, err := s.cfg.Store.InactiveSources(ctx, store.DayOf(s.cfg.Now())-store.Day(days))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.DeleteSource(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.cfg.Store.Audit(ctx, "(retention)", "delete source", itoa(n)+" inactive source(s)")
	}
	return n, nil
}

// RunRetention applies Retain now and then every six hours until ctx ends.
func (s *Server) RunRetention(ctx context.Context, days int) {
	for {
		if n, err := s.Retain(ctx, days); err != nil {
			s.cfg.Log.Error("newsroom: retention", "err", err)
		} else if n > 0 {
			s.cfg.Log.Info("newsroom: retention deleted inactive sources", "sources", n, "days", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(6 * time.Hour):
		}
	}
}
