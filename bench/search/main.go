// Command search benchmarks Confide's archive search engine against bleve
// v2 (russian and english analysers, BM25), SQLite FTS5 (modernc, pure Go)
// and ripgrep over the raw text, on the same generated corpus, in one run.
//
// Each engine runs in its own child process, so that its peak RSS is its
// own: it indexes the corpus, then runs a fixed query mix (inflected Russian
// words, English words, phrases, rare words, a filter with facets), top-20
// ranked with highlights. The parent prints docs/s, index size as a ratio
// of the raw text, peak RSS and p50/p99 latency, and ratios against bleve.
//
// Usage: cd bench/search && go run . -docs 100000 [-engines confide,bleve,fts5,rg,postgres]
// (postgres needs CONFIDE_BENCH_POSTGRES, an admin DSN).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"confide/bench/search/corpus"
)

// Query is one query of the mix, spelled for every engine.
type Query struct {
	Name    string
	Confide string   // Confide's syntax
	Words   []string // the words, for the anchors
	Lang    string   // which field the anchors search: ru, en
	Phrase  bool
	Filter  bool // collection c01, 1960–1970, with facets
}

func queries() []Query {
	return []Query{
		{Name: "ru word (файлов)", Confide: "файлов", Words: []string{"файлов"}, Lang: "ru"},
		{Name: "ru word (параметра)", Confide: "параметра", Words: []string{"параметра"}, Lang: "ru"},
		{Name: "ru word (сообщения)", Confide: "сообщения", Words: []string{"сообщения"}, Lang: "ru"},
		{Name: "ru 2 words", Confide: "имя файла", Words: []string{"имя", "файла"}, Lang: "ru"},
		{Name: "en word (options)", Confide: "options", Words: []string{"options"}, Lang: "en"},
		{Name: "en word (password)", Confide: "password", Words: []string{"password"}, Lang: "en"},
		{Name: "en 2 words", Confide: "server password", Words: []string{"server", "password"}, Lang: "en"},
		{Name: "ru phrase", Confide: `"имя файла"`, Words: []string{"имя", "файла"}, Lang: "ru", Phrase: true},
		{Name: "en phrase", Confide: `"the server"`, Words: []string{"the", "server"}, Lang: "en", Phrase: true},
		{Name: "ru rare", Confide: corpus.RareWord("ru", 1300), Words: []string{corpus.RareWord("ru", 1300)}, Lang: "ru"},
		{Name: "en rare", Confide: corpus.RareWord("en", 6000), Words: []string{corpus.RareWord("en", 6000)}, Lang: "en"},
		{Name: "filter+facets", Confide: "файлов collection:c01 date:1960..1970", Words: []string{"файлов"}, Lang: "ru", Filter: true},
	}
}

// Report is what a child prints.
type Report struct {
	Engine    string
	Docs      int
	IndexSecs float64
	IndexCPU  float64 // user+system seconds spent indexing
	IndexRSS  int64   // peak RSS in KiB when indexing ended (VmHWM)
	Size      int64
	Raw       int64
	Lat       map[string][]float64 // ms per run
	Hits      map[string]int
	Note      string
	MaxRSSKiB int64 `json:",omitempty"`
}

// engine indexes and queries; each implementation lives in its own file.
type engine interface {
	index(docs func(yield func(corpus.Doc) bool)) error
	search(q Query) (hits int, err error)
	size() int64
	close() error
}

var (
	nDocs   = flag.Int("docs", 100_000, "documents in the corpus")
	engines = flag.String("engines", "confide,bleve,fts5,rg", "engines to run")
	work    = flag.String("work", "", "working folder (default: a new one under /tmp, removed after)")
	runs    = flag.Int("runs", 5, "timed runs of each query")
	child   = flag.String("child", "", "internal: run one engine")
	profile = flag.String("cpuprofile", "", "write a CPU profile of the queries of a -child run")
	iprof   = flag.String("indexprofile", "", "write a CPU profile of the indexing of a -child run")
)

func main() {
	log.SetFlags(0)
	flag.Parse()
	if *child != "" {
		runChild(*child)
		return
	}
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "confide-search-bench.")
		if err != nil {
			log.Fatal(err)
		}
		dir = d
		defer os.RemoveAll(d)
	}
	exe, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	var reports []Report
	for _, name := range strings.Split(*engines, ",") {
		cmd := exec.Command(exe, "-child", name, "-docs", fmt.Sprint(*nDocs), "-work", dir, "-runs", fmt.Sprint(*runs))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			log.Printf("%s: %v (left out)", name, err)
			continue
		}
		var r Report
		if err := json.Unmarshal(out, &r); err != nil {
			log.Printf("%s: %v: %s (left out)", name, err, out)
			continue
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSSKiB = ru.Maxrss
		}
		reports = append(reports, r)
		fmt.Fprintf(os.Stderr, "%s done\n", name)
	}
	if len(reports) == 0 {
		log.Fatal("no engine ran")
	}
	print(reports)
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p*float64(len(s)) + 0.5)
	return s[min(max(i-1, 0), len(s)-1)]
}

func all(r Report) []float64 {
	var out []float64
	for _, l := range r.Lat {
		out = append(out, l...)
	}
	return out
}

func print(reports []Report) {
	var bleve *Report
	for i := range reports {
		if reports[i].Engine == "bleve" {
			bleve = &reports[i]
		}
	}
	ratio := func(v, b float64) string {
		if bleve == nil || b == 0 {
			return ""
		}
		return fmt.Sprintf(" (%.2f×)", v/b)
	}
	fmt.Printf("%d documents, %.1f MiB of raw text\n\n", reports[0].Docs, float64(reports[0].Raw)/(1<<20))
	fmt.Printf("%-8s %14s %12s %10s %12s %10s %18s %18s\n", "engine", "docs/s", "docs/CPU-s", "size/raw", "index RSS", "RSS MiB", "p50 ms", "p99 ms")
	for _, r := range reports {
		var bl []float64
		if bleve != nil {
			bl = all(*bleve)
		}
		dps := float64(r.Docs) / r.IndexSecs
		p50, p99 := percentile(all(r), 0.5), percentile(all(r), 0.99)
		var bdps, bp50, bp99 float64
		if bleve != nil {
			bdps, bp50, bp99 = float64(bleve.Docs)/bleve.IndexSecs, percentile(bl, 0.5), percentile(bl, 0.99)
		}
		fmt.Printf("%-8s %14s %12.0f %10s %12d %10d %18s %18s  %s\n", r.Engine, fmt.Sprintf("%.0f%s", dps, ratio(dps, bdps)), float64(r.Docs)/r.IndexCPU,
			fmt.Sprintf("%.2f", float64(r.Size)/float64(r.Raw)), r.IndexRSS/1024, r.MaxRSSKiB/1024,
			fmt.Sprintf("%.1f%s", p50, ratio(p50, bp50)), fmt.Sprintf("%.1f%s", p99, ratio(p99, bp99)), r.Note)
	}
	fmt.Printf("\nper query: p50 ms / hits\n%-22s", "")
	for _, r := range reports {
		fmt.Printf(" %20s", r.Engine)
	}
	fmt.Println()
	for _, q := range queries() {
		fmt.Printf("%-22s", q.Name)
		for _, r := range reports {
			fmt.Printf(" %20s", fmt.Sprintf("%.1f / %d", percentile(r.Lat[q.Name], 0.5), r.Hits[q.Name]))
		}
		fmt.Println()
	}
}

// peakRSS reads this process's peak resident set so far, in KiB.
func peakRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kib)
			return kib
		}
	}
	return 0
}

// cpuSeconds is the user and system time of this process and its waited-for
// children (rg), which says more than wall time on a shared machine.
func cpuSeconds() float64 {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	t := func(ru syscall.Rusage) float64 {
		return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	}
	return t(self) + t(kids)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func runChild(name string) {
	s, err := corpus.Load()
	if err != nil {
		log.Fatal(err)
	}
	dir := filepath.Join(*work, name)
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Fatal(err)
	}
	var e engine
	switch name {
	case "confide":
		e, err = newConfide(dir)
	case "bleve":
		e, err = newBleve(dir)
	case "fts5":
		e, err = newFTS5(dir)
	case "rg":
		e, err = newRG(dir)
	case "postgres":
		e, err = newPG(dir)
	default:
		err = fmt.Errorf("unknown engine %q", name)
	}
	if err != nil {
		log.Fatal(err)
	}
	r := Report{Engine: name, Docs: *nDocs, Lat: map[string][]float64{}, Hits: map[string]int{}}
	docs := func(yield func(corpus.Doc) bool) {
		g := corpus.NewGenerator(s, 1)
		for range *nDocs {
			d := g.Next()
			r.Raw += int64(len(d.Text))
			if !yield(d) {
				return
			}
		}
	}
	if *iprof != "" {
		f, err := os.Create(*iprof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
	}
	cpu0 := cpuSeconds()
	start := time.Now()
	if err := e.index(docs); err != nil {
		log.Fatal(err)
	}
	r.IndexCPU = cpuSeconds() - cpu0
	r.IndexRSS = peakRSS()
	if *iprof != "" {
		pprof.StopCPUProfile()
	}
	r.IndexSecs = time.Since(start).Seconds()
	r.Size = e.size()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for _, q := range queries() {
		if _, err := e.search(q); err != nil { // warm-up
			log.Fatalf("%s: %s: %v", name, q.Name, err)
		}
		for range *runs {
			t := time.Now()
			hits, err := e.search(q)
			if err != nil {
				log.Fatal(err)
			}
			r.Lat[q.Name] = append(r.Lat[q.Name], float64(time.Since(t).Microseconds())/1000)
			r.Hits[q.Name] = hits
		}
	}
	if n, ok := e.(interface{ note() string }); ok {
		r.Note = n.note()
	}
	if err := e.close(); err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	json.NewEncoder(w).Encode(r)
	w.Flush()
	pprof.StopCPUProfile()
}
