package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// An ingest or worker process collects less often, under a soft limit,
// unless the environment says otherwise.
func TestBatchGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	batchGC()
	if got := debug.SetGCPercent(100); got != batchGCPercent {
		t.Errorf("GC percent %d, want %d", got, batchGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != batchMemLimit {
		t.Errorf("memory limit %d, want %d", got, batchMemLimit)
	}
	t.Setenv("GOGC", "50")
	batchGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent %d, want it left alone", got)
	}
}
