package translate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"confide/internal/ingest/tool"
)

// Apertium translates with the apertium command line and the language
// pairs installed (Debian's apertium-* packages put their modes under
// /usr/share/apertium/modes/; `apertium -l` lists them).
type Apertium struct {
	version string
	modes   map[Pair]string
	data    map[Pair]string // "apertium-eng-spa 0.8.1-2", the pair's own data
	pairs   []Pair
	// Timeout bounds one call (a page).
	Timeout time.Duration
	// MaxRequest bounds the bytes of text given to one apertium run; a
	// page with more takes several runs. It also bounds the work left
	// when a run is cancelled (see runPiped).
	MaxRequest int
	// MaxOutput bounds the bytes read back from one call; 0 means eight
	// times the input plus 64 KiB.
	MaxOutput int
}

// NewApertium lists the installed modes; it fails with tool.ErrMissing
// when apertium is not installed and with ErrPair when no pair is.
func NewApertium(ctx context.Context) (*Apertium, error) {
	var out bytes.Buffer
	if err := tool.Run(ctx, tool.Cmd{Name: "apertium", Args: []string{"-l"}, Stdout: &capped{max: 64 << 10, w: &out}}); err != nil {
		return nil, fmt.Errorf("translate: listing apertium's pairs: %w", err)
	}
	a := &Apertium{version: tool.Version("apertium", "-V"), modes: map[Pair]string{}, data: map[Pair]string{}, Timeout: 2 * time.Minute, MaxRequest: 16 << 10}
	for _, m := range strings.Fields(out.String()) {
		// "eng-spa" is a pair; "spa-eng_US" a variant and "eng-spa-tagger"
		// a debugging step, both left out.
		from, to, ok := strings.Cut(m, "-")
		if !ok || strings.ContainsAny(to, "-_") || from == "" || to == "" {
			continue
		}
		p := Pair{From: Canon(from), To: Canon(to)}
		if _, dup := a.modes[p]; !dup {
			a.modes[p] = m
			a.pairs = append(a.pairs, p)
			a.data[p] = dataVersion(ctx, m)
		}
	}
	if len(a.pairs) == 0 {
		return nil, fmt.Errorf("%w: apertium has no language pair installed (install an apertium-xxx-yyy package)", ErrPair)
	}
	return a, nil
}

// Name is "apertium".
func (a *Apertium) Name() string { return "apertium" }

// Version is apertium's own version ("3.8.3").
func (a *Apertium) Version() string { return a.version }

// Pairs lists the installed directions.
func (a *Apertium) Pairs() []Pair { return slices.Clone(a.pairs) }

// VersionFor is the version of the engine and of the pair's data, as
// "3.8.3 (apertium-eng-spa 0.8.1-2)": the same apertium gives other output
// with other dictionaries, so the chain of custody names both.
func (a *Apertium) VersionFor(from, to string) string {
	if d := a.data[Pair{Canon(from), Canon(to)}]; d != "" {
		return a.version + " (" + d + ")"
	}
	return a.version
}

// modesDir is where Debian's apertium-* packages put their modes.
const modesDir = "/usr/share/apertium/modes"

// dataVersion names the package holding a mode's data and its version,
// from the data folder the mode file runs from and dpkg; "" where either
// is missing (not Debian, a pair built by hand).
func dataVersion(ctx context.Context, mode string) string {
	b, err := os.ReadFile(filepath.Join(modesDir, mode+".mode"))
	if err != nil {
		return ""
	}
	m := dataDirRe.FindSubmatch(b)
	if m == nil {
		return ""
	}
	pkg := string(m[1])
	var out bytes.Buffer
	err = tool.Run(ctx, tool.Cmd{Name: "dpkg-query", Args: []string{"-W", "-f", "${Version}", pkg}, Stdout: &capped{max: 256, w: &out}})
	if err != nil || out.Len() == 0 {
		return pkg
	}
	return pkg + " " + strings.TrimSpace(out.String())
}

var dataDirRe = regexp.MustCompile(`/usr/share/apertium/(apertium-[a-z_]+-[a-z_]+)/`)

// Mode is the apertium mode for a pair ("eng-spa"), "" if not installed.
func (a *Apertium) Mode(from, to string) string { return a.modes[Pair{Canon(from), Canon(to)}] }

// errTooLong marks output past MaxOutput.
var errTooLong = errors.New("translate: apertium's output is too long")

// Translate runs apertium over the paragraphs, a blank line apart
// (apertium keeps blank lines as they are), at most MaxRequest bytes a run,
// and splits its output at the blank lines again; any other count is
// ErrMismatch. The whole call has Timeout.
func (a *Apertium) Translate(ctx context.Context, from, to string, paragraphs []string) ([]string, error) {
	mode := a.Mode(from, to)
	if mode == "" {
		return nil, fmt.Errorf("%w: apertium has no %s→%s installed", ErrPair, Canon(from), Canon(to))
	}
	// Inside a paragraph a line break is only a wrap; flattening them is
	// what keeps the blank line the only separator.
	// An empty paragraph would leave no trace in the output: it is kept
	// out of the call and given back empty.
	var flat []string
	var at []int
	for i, p := range paragraphs {
		if f := strings.Join(strings.Fields(p), " "); f != "" {
			flat = append(flat, f)
			at = append(at, i)
		}
	}
	res := make([]string, len(paragraphs))
	if len(flat) == 0 {
		return res, nil
	}
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.Timeout)
		defer cancel()
	}
	got, err := inRequests(flat, max(a.MaxRequest, 1), func(q []string) ([]string, error) { return a.run(ctx, mode, q) })
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("translate: apertium %s took longer than %v: %w", mode, a.Timeout, err)
		}
		return nil, err
	}
	for k, t := range got {
		res[at[k]] = t
	}
	return res, nil
}

// run is one apertium run over non-empty one-line paragraphs.
func (a *Apertium) run(ctx context.Context, mode string, flat []string) ([]string, error) {
	size := 0
	for _, p := range flat {
		size += len(p) + 2
	}
	// apertium needs a folder of its own for HOME and TMPDIR; its txt
	// format writes nothing there, and the folder goes at once.
	dir, err := os.MkdirTemp("", "confide-apertium-")
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	defer os.RemoveAll(dir)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var out bytes.Buffer
	limit := &capped{max: a.MaxOutput, w: &out, stop: stop}
	if limit.max <= 0 {
		limit.max = 8*size + 64<<10
	}
	err = runPiped(ctx, tool.Cmd{Name: "apertium", Args: []string{"-u", "-f", "txt", mode}, TmpDir: dir}, Join(flat)+"\n", limit)
	if limit.over {
		return nil, fmt.Errorf("%w (more than %d bytes)", errTooLong, limit.max)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("translate: apertium %s: %w", mode, err)
	}
	got := splitBlank(out.String())
	if len(got) != len(flat) {
		return nil, fmt.Errorf("%w: apertium %s gave %d for %d", ErrMismatch, mode, len(got), len(flat))
	}
	return got, nil
}

// runPiped runs c with input on its standard input and its standard
// output into w, through pipes this side owns. apertium is a shell
// pipeline: killing the shell when ctx ends leaves its stages running, and
// with exec's own copying pipes the call would wait for them. Here the
// call returns when the shell ends, and closing both pipes then makes the
// remaining stages meet end of input and a broken pipe, so they end too.
func runPiped(ctx context.Context, c tool.Cmd, input string, w io.Writer) error {
	inR, inW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("translate: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return fmt.Errorf("translate: %w", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		io.WriteString(inW, input) // fails only when the program is gone, which Run reports
		inW.Close()
	})
	wg.Go(func() {
		if _, err := io.Copy(w, outR); err != nil {
			outR.Close() // the program's next write breaks its pipe
		}
	})
	c.Stdin, c.Stdout = inR, outW
	err = tool.Run(ctx, c)
	inR.Close()
	outW.Close()
	if ctx.Err() != nil {
		// Stop feeding and reading what is left of the pipeline.
		inW.Close()
		outR.Close()
	}
	wg.Wait()
	outR.Close()
	return err
}

// splitBlank cuts text at blank lines, keeping each part's lines joined by
// a space.
func splitBlank(text string) []string {
	var out []string
	for part := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p := strings.Join(strings.Fields(part), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// capped passes at most max bytes on to w; past that it fails and calls
// stop, which kills the program.
type capped struct {
	max  int
	w    *bytes.Buffer
	stop func()
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.w.Len()+len(p) > c.max {
		c.over = true
		if c.stop != nil {
			c.stop()
		}
		return 0, errTooLong
	}
	return c.w.Write(p)
}
