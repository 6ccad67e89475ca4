package web

import (
	"strconv"
	"testing"
	"time"
)

// Each key has its own bucket: one account spent does not stop another,
// it refills with time, and the table stays within its size.
func TestKeyedThrottle(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	k := NewKeyedThrottle(3, 1.0/60, 4)
	for i := 0; i < 3; i++ {
		if !k.Allow("a", now) {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if k.Allow("a", now) {
		t.Fatal("a fourth attempt at once was allowed")
	}
	if !k.Allow("b", now) {
		t.Fatal("another account was refused")
	}
	if k.Allow("a", now.Add(30*time.Second)) {
		t.Fatal("allowed before a token came back")
	}
	if !k.Allow("a", now.Add(61*time.Second)) {
		t.Fatal("no token after a minute")
	}
	for i := 0; i < 100; i++ {
		k.Allow(strconv.Itoa(i), now.Add(time.Hour))
		if len(k.m) > 4 {
			t.Fatalf("%d keys remembered", len(k.m))
		}
	}
	// A key still draining survives pruning while the table has room.
	k = NewKeyedThrottle(1, 1.0/60, 2)
	k.Allow("spent", now)
	k.Allow("fresh", now.Add(-time.Hour))
	k.Allow("new", now)
	if _, ok := k.m["spent"]; !ok {
		t.Fatal("a drained bucket was forgotten, which would refill it")
	}
}
