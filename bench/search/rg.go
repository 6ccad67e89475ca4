package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"confide/bench/search/corpus"
)

var errNoMark = errors.New("a hit without a marked word")

// rgEngine writes the raw text, one document a line, and counts matching
// lines with ripgrep: no ranking, no stemming, the cost of one scan.
type rgEngine struct{ dir, file string }

func newRG(dir string) (engine, error) {
	if _, err := exec.LookPath("rg"); err != nil {
		return nil, err
	}
	return &rgEngine{dir: dir, file: filepath.Join(dir, "corpus.txt")}, nil
}

func (r *rgEngine) index(docs func(yield func(corpus.Doc) bool)) error {
	f, err := os.Create(r.file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for d := range docs {
		w.WriteString(strings.ReplaceAll(d.Text, "\n", " "))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func (r *rgEngine) search(q Query) (int, error) {
	pattern := q.Words[0]
	if q.Phrase {
		pattern = strings.Join(q.Words, " ")
	}
	out, err := exec.Command("rg", "-c", "-i", "-F", "-e", pattern, r.file).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return 0, nil
		}
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}

func (r *rgEngine) size() int64  { return dirSize(r.dir) }
func (r *rgEngine) close() error { return nil }
func (r *rgEngine) note() string {
	return "scan of the raw text: no ranking, no stemming, first word only"
}
