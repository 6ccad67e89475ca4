// Package testwait lets a test wait for what another goroutine or process
// does, within a bound, so that a broken mechanism fails the test instead of
// hanging it until the go test timeout.
//
// Contract: For only polls; it never sleeps past its bound by more than one
// poll, and it is for tests only (it takes a testing.TB).
package testwait

import (
	"testing"
	"time"
)

// Bound is how long For waits before it fails the test.
const Bound = 20 * time.Second

// For polls cond every few milliseconds until it holds, and fails the test
// after Bound, naming what it waited for.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	within(t, Bound, what, cond)
}

func within(t testing.TB, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(bound); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not so after %v: %s", bound, what)
		}
	}
}
