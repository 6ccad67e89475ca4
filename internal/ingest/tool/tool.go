// Package tool runs the external programs of ingestion (poppler's
// pdftotext, pdfinfo and pdftoppm, tesseract, 7z) under one process-wide
// bound.
//
// Contract: at most Slots() of these programs run at once in the whole
// process (one per core unless SetSlots says otherwise), however many
// extractors or goroutines ask; a caller waits for a slot or for its
// context. They run at niceness 10, below the server's own work. Every program gets OMP_THREAD_LIMIT=1 (one
// program, one core), a minimal environment whose TMPDIR is the caller's
// folder (so even a tool's own temporary files stay there), no standard
// input unless given, and is killed when the context ends. Versions are
// asked once per program and cached.
package tool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// slots bounds the external programs running at once in this process.
var (
	slotsMu sync.Mutex
	slots   = make(chan struct{}, runtime.NumCPU())
)

// Slots is how many external programs may run at once.
func Slots() int {
	slotsMu.Lock()
	defer slotsMu.Unlock()
	return cap(slots)
}

// SetSlots changes the bound (at least 1), e.g. to leave a core to the
// web zones. Programs already running finish under the old one.
func SetSlots(n int) {
	slotsMu.Lock()
	defer slotsMu.Unlock()
	slots = make(chan struct{}, max(n, 1))
}

// ErrMissing means the program is not installed.
var ErrMissing = errors.New("tool: not installed")

// Cmd is one run of an external program.
type Cmd struct {
	Name   string
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer // if nil, standard output is discarded
	TmpDir string    // the caller's folder for temporary files
	// MaxStderr bounds the error output kept for the failure message.
	MaxStderr int
}

// Error is a program that ran and failed.
type Error struct {
	Name   string
	Err    error
	Stderr string
}

// Error describes the failure with the program's own words.
func (e *Error) Error() string {
	return fmt.Sprintf("tool: %s: %v: %s", e.Name, e.Err, strings.TrimSpace(e.Stderr))
}

// Unwrap gives the error of the run itself (an exit status, a kill).
func (e *Error) Unwrap() error { return e.Err }

// Acquire takes a slot for work that runs programs itself (a pipeline of
// two counts as one); release it with the returned function.
func Acquire(ctx context.Context) (func(), error) {
	slotsMu.Lock()
	ch := slots
	slotsMu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Run runs c in a slot of its own.
func Run(ctx context.Context, c Cmd) error {
	release, err := Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	return RunHeld(ctx, c)
}

// RunHeld runs c in a slot the caller already holds.
func RunHeld(ctx context.Context, c Cmd) error {
	path, err := lookPath(c.Name)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrMissing, c.Name)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Not exec.CommandContext: its Wait waits for a goroutine of its own
	// to see the context, one more hand-over after every program (a
	// tenth of a millisecond each, while a slot stood empty). The
	// deadline is watched below instead.
	cmd := exec.Command(path, c.Args...)
	cmd.Env = env(c.TmpDir)
	cmd.Dir = c.TmpDir
	cmd.Stdin = c.Stdin
	if c.Stdin == nil {
		// exec would open and close the null device for every program.
		if f, err := devNull(); err == nil {
			cmd.Stdin = f
		}
	}
	cmd.Stdout = c.Stdout
	limit := c.MaxStderr
	if limit <= 0 {
		limit = 4 << 10
	}
	stderr := &capped{max: limit}
	cmd.Stderr = stderr
	// A program may be a pipeline (apertium is a shell script): it runs in
	// a process group of its own, and a timeout ends the whole group, not
	// only the shell, whose children would go on holding the pipes; those
	// are closed a second after the program ends in any case.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second
	// Below the web zones' priority: a flood of OCR slows itself, not the
	// dropbox or the site.
	err = startNice(cmd)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(path); serr != nil {
			// Removed since it was found (not a missing folder or
			// interpreter): forget where it was.
			forgetPath(c.Name)
			return fmt.Errorf("%w: %s", ErrMissing, c.Name)
		}
	}
	if err == nil {
		stop := context.AfterFunc(ctx, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
		err = cmd.Wait()
		stop()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Name: c.Name, Err: err, Stderr: stderr.String()}
	}
	return nil
}

// devNull is the standard input of every program given none, opened once
// for the process's life: reading it has no state to share.
var devNull = sync.OnceValues(func() (*os.File, error) { return os.Open(os.DevNull) })

var (
	pathsMu sync.Mutex
	paths   = map[[2]string]string{}
)

// lookPath is exec.LookPath, remembered for each PATH: an ingest asks for
// the same two or three programs for every file. A program not found is
// looked for again next time, so one installed meanwhile is seen.
func lookPath(name string) (string, error) {
	k := [2]string{name, os.Getenv("PATH")}
	pathsMu.Lock()
	p, ok := paths[k]
	pathsMu.Unlock()
	if ok {
		return p, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	pathsMu.Lock()
	paths[k] = p
	pathsMu.Unlock()
	return p, nil
}

func forgetPath(name string) {
	pathsMu.Lock()
	defer pathsMu.Unlock()
	delete(paths, [2]string{name, os.Getenv("PATH")})
}

func env(tmp string) []string {
	e := []string{"PATH=" + os.Getenv("PATH"), "OMP_THREAD_LIMIT=1", "LC_ALL=C.UTF-8"}
	if tmp != "" {
		e = append(e, "TMPDIR="+tmp, "HOME="+tmp)
	}
	return e
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

var (
	versionsMu sync.Mutex
	versions   = map[string]string{}
	versionRe  = regexp.MustCompile(`\d+(\.\d+)+`)
)

// Version reports a program's version as its first "N.N…" string, asked
// once; "" if the program is missing or says none.
func Version(name string, args ...string) string {
	versionsMu.Lock()
	defer versionsMu.Unlock()
	if v, ok := versions[name]; ok {
		return v
	}
	var out bytes.Buffer
	path, err := exec.LookPath(name)
	if err == nil {
		cmd := exec.Command(path, args...)
		cmd.Env = env("")
		cmd.Stdout, cmd.Stderr = &out, &out
		_ = cmd.Run() // pdftotext -v exits 0, some tools do not: the text is what counts
	}
	v := versionRe.FindString(out.String())
	versions[name] = v
	return v
}
