package tool

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSlotsBoundConcurrentRuns(t *testing.T) {
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 3 * Slots() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if p := int(peak.Load()); p != Slots() {
		t.Errorf("peak %d programs at once, want exactly %d", p, Slots())
	}
}

func TestAcquireGivesUpWithContext(t *testing.T) {
	var releases []func()
	for range Slots() {
		r, err := Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with every slot taken = %v", err)
	}
}

func TestSetSlots(t *testing.T) {
	defer SetSlots(runtime.NumCPU())
	SetSlots(1)
	release, err := Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) || Slots() != 1 {
		t.Errorf("a second slot of one: %v", err)
	}
	release()
	SetSlots(0)
	if Slots() != 1 {
		t.Errorf("SetSlots(0) gave %d slots", Slots())
	}
}

func TestRunEnvAndErrors(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	// The program is lowered just after it starts (Linux), and so is what
	// it runs then: the pause leaves the start time to do it.
	if err := Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "echo $OMP_THREAD_LIMIT $TMPDIR; pwd; sleep 0.1; nice; [ -e /proc/$$/stat ] && cut -d' ' -f19 /proc/$$/stat || echo 10"}, Stdout: &out, TmpDir: dir}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "1 "+dir+"\n"+dir+"\n10\n10\n" {
		t.Errorf("environment seen by the program: %q", got)
	}
	// Without standard input a program reads none, however many run
	// (they share one open null device).
	for range 3 {
		out.Reset()
		if err := Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "wc -c; ls -l /proc/$$/fd/0 | sed 's/.*-> //'"}, Stdout: &out, TmpDir: dir}); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "0\n/dev/null\n" {
			t.Errorf("standard input of a program given none: %q", got)
		}
	}
	err := Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "echo broken >&2; exit 3"}, TmpDir: dir})
	var te *Error
	if !errors.As(err, &te) || !strings.Contains(te.Stderr, "broken") {
		t.Errorf("failing program: %v", err)
	}
	if err := Run(context.Background(), Cmd{Name: "no-such-program-here"}); !errors.Is(err, ErrMissing) {
		t.Errorf("missing program: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := Run(ctx, Cmd{Name: "sleep", Args: []string{"10"}, TmpDir: dir}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timed-out program: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("program outlived its context")
	}
}

func TestVersion(t *testing.T) {
	if v := Version("tesseract", "--version"); !strings.HasPrefix(v, "5.") && !strings.HasPrefix(v, "4.") {
		t.Errorf("tesseract version %q", v)
	}
	if v := Version("pdftotext", "-v"); v == "" {
		t.Error("no pdftotext version")
	}
	if v := Version("no-such-program-here"); v != "" {
		t.Errorf("missing program has version %q", v)
	}
}

// A timeout ends a pipeline at once: the grandchildren a shell started
// are in its process group and die with it, instead of holding the pipes
// open until they finish by themselves.
func TestTimeoutEndsAPipeline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	err := Run(ctx, Cmd{Name: "sh", Args: []string{"-c", "sleep 5 | cat; echo done"}, TmpDir: t.TempDir(), Stdout: &out})
	if err == nil || time.Since(start) > 2*time.Second || strings.Contains(out.String(), "done") {
		t.Fatalf("after %v: %v, %q", time.Since(start), err, out.String())
	}
}

// TestNiceStaysWithTheTools checks that lowering a program's priority
// leaves none of this process's own threads lowered.
func TestNiceStaysWithTheTools(t *testing.T) {
	for range 20 {
		if err := Run(context.Background(), Cmd{Name: "true"}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skip("no /proc: ", err) // not Linux, where nice(1) is used
	}
	for _, task := range tasks {
		stat, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // the thread ended meanwhile
		}
		// Fields after the command's closing parenthesis: the niceness
		// is the 19th field of the line, the 17th after it.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 16 && f[16] != "0" {
			t.Errorf("thread %s of this process (%d) runs at niceness %s", task.Name(), os.Getpid(), f[16])
		}
	}
}

// A program removed after it was first found is reported missing, and
// found again once it is back.
func TestProgramRemovedAfterUse(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "confide-test-tool")
	script := []byte("#!/bin/sh\necho here\n")
	if err := os.WriteFile(prog, script, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	if err := Run(context.Background(), Cmd{Name: "confide-test-tool", Stdout: &out}); err != nil || out.String() != "here\n" {
		t.Fatalf("first run: %v, %q", err, out.String())
	}
	os.Remove(prog)
	if err := Run(context.Background(), Cmd{Name: "confide-test-tool"}); !errors.Is(err, ErrMissing) {
		t.Fatalf("removed program: %v, want ErrMissing", err)
	}
	if err := os.WriteFile(prog, script, 0o700); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := Run(context.Background(), Cmd{Name: "confide-test-tool", Stdout: &out}); err != nil || out.String() != "here\n" {
		t.Fatalf("program back: %v, %q", err, out.String())
	}
}
