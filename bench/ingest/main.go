// Command ingest measures `confide archive ingest` against the extraction
// tools it runs, called directly in the same run with the same settings
// and parallelism, and the ingesting process's memory over a trove of
// small files.
//
//   - Text PDFs (generated, a few pages of Helvetica text each):
//     pdftotext -layout over the same files in a shell loop (xargs -P
//     slots, nice -n 10, OMP_THREAD_LIMIT=1, as package tool runs it) and
//     from a runner in this program (slots at a time, no shell: the
//     tightest anchor), then confide; docs/s and the ratios. Every page's
//     text must be the loop's.
//   - Scanned pages (PNG, A4 at 300 dpi, rendered by ImageMagick with
//     DejaVu Sans: Russian and English lines, noise, a slight skew):
//     tesseract -l rus+eng --dpi 300 tsv (default page segmentation, as
//     package ocr runs it), the same two ways, then confide; pages/min and
//     the ratios. Every page's text must be the loop's.
//   - Small files (text in UTF-8, Windows-1251, KOI8-R and CP866, HTML,
//     Markdown, zips of a few texts): confide alone, its files/s, its peak
//     RSS (VmHWM of the ingesting process, children excluded: there are
//     none here) and RSS along the run, and the shares of its CPU time
//     spent in the search index, SQLite and its extractors (from a CPU
//     profile).
//
// Rounds alternate loop, runner and confide, and medians are printed: the
// machine may be shared. So is each round's ratio of confide to the loop
// run just before it, which drifts less; -alt runs confide a second time
// in every round with other settings (an A/B test: `-alt GOGC=100`). What
// creating a file costs in the work folder is printed first: on ext4
// without a journal, files deleted in the last minutes (a bench run just
// before) make it many times dearer, and confide creates one per original. Beside wall time, the CPU time per item of the
// loop and of confide, tools included (what wait4 counts): the tools keep
// the cores busy, so it is what throughput follows, and it moves less
// with the machine's other load. Each confide run starts from a fresh data folder
// on the embedded default (SQLite and the folder index). It is this program
// re-executed as `confide` (cli.Main, as cmd/confide runs it) so that it
// can write a CPU profile; the peak RSS of tesseract and poppler (the
// tools') is reported apart. The corpus is generated in a temporary folder
// and removed; the loops write their output to /dev/shm.
//
//	bench/ingest.sh [-pdfs 1000] [-pages 4] [-scans 24] [-files 100000] [-rounds 5] [-scan-rounds 2] [-run pdf,scan,files] [-alt 'NAME=VALUE -flag=value'] [-keep]
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/text/encoding/charmap"

	"confide/internal/archive"
	"confide/internal/cli"
	"confide/internal/ingest/ocr"
	"confide/internal/ingest/tool"
	"confide/internal/pdftest"
)

// childEnv makes this program run as confide itself (with a CPU profile
// written to the file it names, when set to one).
const childEnv = "CONFIDE_BENCH_CHILD"

func main() {
	if v, ok := os.LookupEnv(childEnv); ok {
		os.Exit(child(v))
	}
	nPDF := flag.Int("pdfs", 1000, "text PDFs")
	nPages := flag.Int("pages", 4, "pages of each text PDF")
	nScan := flag.Int("scans", 24, "scanned page images")
	nFiles := flag.Int("files", 100000, "small files for the memory run")
	rounds := flag.Int("rounds", 5, "rounds of the text PDF run (loop, then confide), medians printed")
	scanRounds := flag.Int("scan-rounds", 2, "rounds of the scanned page run")
	run := flag.String("run", "pdf,scan,files", "which runs: pdf, scan, files")
	workers := flag.Int("workers", 0, "confide's --workers (0: its default, one per core)")
	keep := flag.Bool("keep", false, "keep the work folder (corpus, data folders, profiles) and print its path")
	altBin := flag.String("alt-bin", "", "`path` of another build of this program (bench/ingest) for the -alt run: an A/B test of two versions")
	alt := flag.String("alt", "", "`NAME=VALUE or -flag=value ...`: variables for confide's environment and flags for a second confide run in each round, its ratios printed beside (an A/B test)")
	flag.Parse()
	work, err := os.MkdirTemp("", "confide-bench-ingest-")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		fmt.Println("work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	b := &bench{work: work, self: self, slots: tool.Slots(), workers: *workers, alt: *alt, altBin: *altBin}
	defer func() {
		for _, c := range b.cleanup {
			c()
		}
	}()
	fmt.Printf("%s; %d tool slots (one per core), confide --workers %s; %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), b.slots, map[bool]string{true: strconv.Itoa(b.workers), false: "default"}[b.workers > 0], loadavg())
	b.createCost()
	for _, r := range strings.Split(*run, ",") {
		switch r {
		case "pdf":
			b.pdfs(*nPDF, *nPages, *rounds)
		case "scan":
			b.scans(*nScan, *scanRounds)
		case "files":
			b.files(*nFiles)
		default:
			log.Fatalf("unknown run %q (pdf, scan, files)", r)
		}
	}
}

// createCost prints what creating an empty file costs in the work folder.
// Confide creates one for each original; the loop writes to /dev/shm. On
// ext4 without a journal (this machine's kind) the kernel passes over
// every inode of the folder's group freed in the last minutes: after a
// run that deleted thousands of files it was ten times as much, and a
// third of confide's own CPU time.
func (b *bench) createCost() {
	dir := filepath.Join(b.work, "probe")
	must(os.Mkdir(dir, 0o700))
	const n = 2000
	start := time.Now()
	for i := range n {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		must(err)
		f.Close()
	}
	per := time.Since(start) / n
	note := ""
	if per > 60*time.Microsecond {
		note = "  (high: files were deleted here in the last minutes; the ratios below pay for it)"
	}
	fmt.Printf("%-44s %.0f µs%s\n", "creating a file in the work folder", float64(per)/float64(time.Microsecond), note)
}

// child is confide's main, with a CPU profile when profile names a file.
func child(profile string) int {
	if profile != "" && profile != "1" {
		f, err := os.Create(profile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
		// The process's own CPU time, its tools' apart: the profile
		// samples it, getrusage counts it.
		defer func() {
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				os.WriteFile(profile+".cpu", fmt.Appendf(nil, "%d %d", ru.Utime.Nano(), ru.Stime.Nano()), 0o600)
			}
		}()
	}
	if path := os.Getenv(traceEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := trace.Start(f); err != nil {
			log.Fatal(err)
		}
		defer func() { trace.Stop(); f.Close() }()
	}
	return cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// traceEnv names a file for an execution trace of the child (go tool
// trace), to find where confide's workers wait: set by hand, not by a run.
const traceEnv = "CONFIDE_BENCH_TRACE"

type bench struct {
	work    string
	self    string
	slots   int
	workers int // confide's --workers; 0 for its default
	cleanup []func()
	runs    int // confide runs so far: each gets a data folder of its own
	alt     string
	altBin  string
	bin     string   // the executable of the run under way, when not this one
	env     []string // added to confide's environment in the run under way
	args    []string // and to its flags
	altRuns []float64
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load unknown"
	}
	return "load average " + strings.Join(f[:3], " ")
}

// shell runs a loop over the files of dir (sorted) with xargs -P slots
// and the environment package tool gives its programs; its wall time and
// its CPU time (the tools', xargs's and the shell's).
func (b *bench) shell(dir, command string) (time.Duration, time.Duration) {
	start := time.Now()
	cmd := exec.Command("bash", "-c", fmt.Sprintf(`cd %q && ls | xargs -P %d -I{} nice -n 10 %s`, dir, b.slots, command))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "OMP_THREAD_LIMIT=1", "LC_ALL=C.UTF-8", "TMPDIR=" + b.work, "HOME=" + b.work}
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("shell loop: %v: %s", err, out)
	}
	return time.Since(start), cpuOf(cmd.ProcessState)
}

// cpuOf is the user and system time of a finished process and of the
// descendants it waited for.
func cpuOf(ps *os.ProcessState) time.Duration {
	return ps.UserTime() + ps.SystemTime()
}

// outDir is where a loop writes its tools' output: in memory (/dev/shm)
// when there is such a folder, as confide keeps the text in memory until
// it writes it out in batches; files created one by one on a disk that
// other processes fsync wait on its journal.
func (b *bench) outDir(name string) string {
	dir := filepath.Join(b.work, name)
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "confide-bench-"+name+"-")
		must(err)
		b.cleanup = append(b.cleanup, func() { os.RemoveAll(d) })
		return d
	}
	must(os.MkdirAll(dir, 0o700))
	return dir
}

// direct runs the tool on every file of dir (sorted), slots at a time
// from this process through package tool (niceness 10, the same
// environment, started as confide starts them), without a shell, its
// output discarded; args gives a file's
// command line after the tool's name. Its wall time.
func (b *bench) direct(dir, name string, args func(file string) []string) time.Duration {
	entries, err := os.ReadDir(dir)
	must(err)
	start := time.Now()
	next := make(chan string)
	var wg sync.WaitGroup
	for range b.slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				a := args(filepath.Join(dir, f))
				// Through package tool, as confide starts its programs:
				// lowered as they start, not through nice(1).
				if err := tool.Run(context.Background(), tool.Cmd{Name: name, Args: a, TmpDir: b.work}); err != nil {
					log.Fatalf("%s %v: %v", name, a, err)
				}
			}
		}()
	}
	for _, e := range entries {
		next <- e.Name()
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// usage is what a confide run cost.
type usage struct {
	elapsed time.Duration
	cpu     time.Duration // confide's and its tools'
	loopCPU time.Duration // the shell loop's of the same round
	hwm     int64         // KiB: peak RSS of the confide process itself
	tools   int64         // KiB: peak of its children's RSS, summed over those alive at once
	rss     []int64       // KiB: the process's RSS, sampled every 50 ms
	// pairs is each round's ratio of confide's throughput to the loop's
	// run just before it: the disk and the machine's other load drift
	// between rounds less than within one.
	pairs   []float64
	profile string
}

// confide runs `confide archive ingest` of paths into a fresh data folder.
func (b *bench) confide(name string, paths ...string) (string, usage) {
	// Every run starts afresh, in a folder of its own: the folders of the
	// runs before are kept until the end, since ext4 allocates an inode
	// past every one freed in the last half minute, and a run right after
	// its predecessor's folder was removed paid about 0.3 ms a file for
	// it (the shell loop writes to /dev/shm and pays nothing of the
	// kind). What earlier steps left dirty is written out first.
	b.runs++
	data := filepath.Join(b.work, fmt.Sprintf("data-%s-%d", name, b.runs))
	sync_()
	u := usage{profile: filepath.Join(b.work, name+".pprof")}
	args := []string{"archive", "ingest", "--data", data, "--collection", name}
	if b.workers > 0 {
		args = append(args, "--workers", strconv.Itoa(b.workers))
	}
	args = append(append(args, b.args...), paths...)
	self := b.self
	if b.bin != "" {
		self = b.bin
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(append(os.Environ(), childEnv+"="+u.profile), b.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			pid := cmd.Process.Pid
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				if v := statusKiB(st, "VmHWM:"); v > 0 {
					u.hwm = max(u.hwm, v)
				}
				if v := statusKiB(st, "VmRSS:"); v > 0 {
					u.rss = append(u.rss, v)
				}
			}
			u.tools = max(u.tools, childrenRSS(pid))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	u.elapsed = time.Since(start)
	u.cpu = cpuOf(cmd.ProcessState)
	close(done)
	wg.Wait()
	if err != nil {
		log.Fatalf("confide %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 40))
	}
	return data, u
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

func statusKiB(status []byte, key string) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

// childrenRSS sums the RSS of pid's descendants (nice, then the tool).
func childrenRSS(pid int) int64 {
	var sum int64
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			c, _ := strconv.Atoi(f)
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c)); err == nil {
				sum += statusKiB(st, "VmRSS:")
			}
			sum += childrenRSS(c)
		}
	}
	return sum
}

// open opens a finished data folder for reading.
func open(data string) *archive.Archive {
	a, err := archive.Open(context.Background(), archive.Config{Dir: data, RowsOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	return a
}

// status is the collection's counts, which must show everything done.
func status(a *archive.Archive, name string, files int) archive.CollectionStatus {
	st, err := a.Status(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range st {
		if c.Name == name {
			if c.Done != files || c.Failed != 0 {
				log.Fatalf("%s: %d done, %d failed of %d files", name, c.Done, c.Failed, files)
			}
			return c
		}
	}
	log.Fatalf("no collection %s", name)
	return archive.CollectionStatus{}
}

// pages is the text of each page of the document at path.
func pages(a *archive.Archive, collection, path string) []string {
	d, err := a.Show(context.Background(), archive.DocID(collection, path))
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, p := range d.Pages {
		out = append(out, p.Text)
	}
	return out
}

// rounds times, in turn, the shell loop, the runner (tool with args of
// each file) and confide over dir, rounds times; the medians, and the last
// confide run's data folder and usage (its elapsed the median).
func (b *bench) rounds(n int, name, dir, loop, tool string, args func(file string) []string) (time.Duration, time.Duration, string, usage) {
	var loops, loopCPUs, directs, ours, ourCPUs []time.Duration
	var pairs []float64
	var data string
	var u usage
	for i := range n {
		l, lc := b.shell(dir, loop)
		loops, loopCPUs = append(loops, l), append(loopCPUs, lc)
		directs = append(directs, b.direct(dir, tool, args))
		// The A/B runs take turns going first: the second follows the
		// first's removal of its temporary copies, which makes creating
		// files dearer on some disks (see createCost).
		var altRan bool
		alt := func() {
			if b.alt == "" && b.altBin == "" || altRan {
				return
			}
			altRan = true
			b.bin = b.altBin
			for _, f := range strings.Fields(b.alt) {
				if strings.HasPrefix(f, "-") {
					b.args = append(b.args, f)
				} else {
					b.env = append(b.env, f)
				}
			}
			_, au := b.confide(name+"-alt", dir)
			b.env, b.args, b.bin = nil, nil, ""
			b.altRuns = append(b.altRuns, l.Seconds()/au.elapsed.Seconds())
		}
		if i%2 == 1 {
			alt()
		}
		data, u = b.confide(name, dir)
		ours, ourCPUs = append(ours, u.elapsed), append(ourCPUs, u.cpu)
		alt()
	}
	for i := range ours {
		pairs = append(pairs, loops[i].Seconds()/ours[i].Seconds())
	}
	u.elapsed, u.cpu, u.loopCPU, u.pairs = median(ours), median(ourCPUs), median(loopCPUs), pairs
	return median(loops), median(directs), data, u
}

// altName names the -alt run by its settings and build.
func (b *bench) altName() string {
	if b.altBin == "" {
		return b.alt
	}
	return strings.TrimSpace("-alt-bin=" + b.altBin + " " + b.alt)
}

// median is the middle of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func (b *bench) pdfs(n, perDoc, rounds int) {
	dir := filepath.Join(b.work, "pdf")
	out := b.outDir("pdf-out")
	must(os.MkdirAll(dir, 0o700))
	r := rand.New(rand.NewPCG(1, 1))
	size := 0
	for i := range n {
		var pp []string
		for range perDoc {
			pp = append(pp, englishPage(r, 45))
		}
		pdf := textPDF(pp, fmt.Sprintf("Report %d", i))
		size += len(pdf)
		must(os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.pdf", i)), pdf, 0o600))
	}
	fmt.Printf("\ntext PDFs: %d of %d pages, %d KiB on average\n", n, perDoc, size/n/1024)
	sync_()
	loop, direct, data, u := b.rounds(rounds, "pdf", dir, fmt.Sprintf("pdftotext -layout -enc UTF-8 {} %q/{}.txt", out),
		"pdftotext", func(f string) []string { return []string{"-layout", "-enc", "UTF-8", f, "-"} })
	a := open(data)
	defer a.Close()
	st := status(a, "pdf", n)
	same := 0
	for i := range n {
		name := fmt.Sprintf("%05d.pdf", i)
		want, err := os.ReadFile(filepath.Join(out, name+".txt"))
		must(err)
		var wp []string
		for _, p := range strings.Split(strings.TrimSuffix(string(want), "\f"), "\f") {
			wp = append(wp, strings.TrimRight(p, " \n"))
		}
		if slices.Equal(wp, pages(a, "pdf", "pdf/"+name)) {
			same++
		}
	}
	lr, dr, cr := float64(n)/loop.Seconds(), float64(n)/direct.Seconds(), float64(n)/u.elapsed.Seconds()
	fmt.Printf("%-44s %8.1f docs/s  (%d pages; medians of %d rounds: loop, runner, confide)\n", fmt.Sprintf("pdftotext, shell loop (xargs -P %d)", b.slots), lr, n*perDoc, rounds)
	fmt.Printf("%-44s %8.1f docs/s\n", fmt.Sprintf("pdftotext, %d at a time, no shell", b.slots), dr)
	fmt.Printf("%-44s %8.1f docs/s  ratio %.2f to the loop, %.2f to the runner  (%d pages, %d/%d documents' text identical to the loop's)\n", "confide archive ingest", cr, cr/lr, cr/dr, st.Pages, same, n)
	b.pairLine(u)
	b.cpuLine(u, n, "document")
	fmt.Printf("%-44s confide %.0f MiB, tools %.0f MiB\n", "peak RSS", mib(u.hwm), mib(u.tools))
	b.shares(u)
	if same != n {
		log.Fatalf("%d documents differ from pdftotext's own output", n-same)
	}
}

func (b *bench) scans(n, rounds int) {
	dir := filepath.Join(b.work, "scan")
	out := b.outDir("scan-out")
	must(os.MkdirAll(dir, 0o700))
	r := rand.New(rand.NewPCG(2, 2))
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, b.slots)
	for i := range n {
		text := scanText(r, 40)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A4 at 300 dpi, 11 pt DejaVu Sans, Gaussian noise, skewed.
			cmd := exec.Command("convert", "-size", "2480x3508", "xc:white", "-density", "300", "-font", "DejaVu-Sans", "-pointsize", "11",
				"-fill", "black", "-annotate", "+200+250", text, "-attenuate", "0.4", "+noise", "Gaussian", "-rotate", "0.4", "+repage",
				"-colorspace", "Gray", "-depth", "8", filepath.Join(dir, fmt.Sprintf("%04d.png", i)))
			if o, err := cmd.CombinedOutput(); err != nil {
				log.Fatalf("convert (apt-get install imagemagick fonts-dejavu-core): %v: %s", err, o)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("\nscanned pages: %d PNG, A4 at 300 dpi, Russian and English (made in %.0f s)\n", n, time.Since(start).Seconds())
	sync_()
	loop, direct, data, u := b.rounds(rounds, "scan", dir, fmt.Sprintf("tesseract {} %q/{} -l rus+eng --dpi 300 tsv", out),
		"tesseract", func(f string) []string { return []string{f, "stdout", "-l", "rus+eng", "--dpi", "300", "tsv"} })
	a := open(data)
	defer a.Close()
	st := status(a, "scan", n)
	same := 0
	for i := range n {
		name := fmt.Sprintf("%04d.png", i)
		f, err := os.Open(filepath.Join(out, name+".tsv"))
		must(err)
		want, err := ocr.ParseTSV(f, 60)
		f.Close()
		must(err)
		got := pages(a, "scan", "scan/"+name)
		if len(want) == 1 && len(got) == 1 && want[0].Text == got[0] {
			same++
		}
	}
	lr, dr, cr := float64(n)/loop.Minutes(), float64(n)/direct.Minutes(), float64(st.Pages)/u.elapsed.Minutes()
	fmt.Printf("%-44s %8.1f pages/min  (medians of %d rounds: loop, runner, confide)\n", fmt.Sprintf("tesseract, shell loop (xargs -P %d)", b.slots), lr, rounds)
	fmt.Printf("%-44s %8.1f pages/min\n", fmt.Sprintf("tesseract, %d at a time, no shell", b.slots), dr)
	fmt.Printf("%-44s %8.1f pages/min  ratio %.2f to the loop, %.2f to the runner  (%d/%d pages' text identical to the loop's)\n", "confide archive ingest", cr, cr/lr, cr/dr, same, n)
	b.pairLine(u)
	b.cpuLine(u, n, "page")
	fmt.Printf("%-44s confide %.0f MiB, tools %.0f MiB (tesseract, pdftoppm)\n", "peak RSS", mib(u.hwm), mib(u.tools))
	b.shares(u)
	if same != n {
		log.Fatalf("%d pages differ from tesseract's own output", n-same)
	}
}

func (b *bench) files(n int) {
	dir := filepath.Join(b.work, "files")
	r := rand.New(rand.NewPCG(3, 3))
	start := time.Now()
	var bytes_ int64
	docs := 0
	kinds := map[string]int{}
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			must(os.MkdirAll(sub, 0o700))
		}
		name, body := smallFile(r, i)
		kinds[strings.TrimPrefix(filepath.Ext(name), ".")]++
		docs++
		if strings.HasSuffix(name, ".zip") {
			docs += zipMembers
		}
		bytes_ += int64(len(body))
		must(os.WriteFile(filepath.Join(sub, name), body, 0o600))
	}
	fmt.Printf("\nsmall files: %d (%s), %d documents, %.0f MiB, made in %.0f s\n", n, kindList(kinds), docs, float64(bytes_)/(1<<20), time.Since(start).Seconds())
	sync_()
	data, u := b.confide("files", dir)
	a := open(data)
	defer a.Close()
	st := status(a, "files", n)
	if st.Docs != docs {
		log.Fatalf("%d documents stored, want %d", st.Docs, docs)
	}
	fmt.Printf("%-44s %8.1f files/s  (%.0f s, %d documents)\n", "confide archive ingest", float64(n)/u.elapsed.Seconds(), u.elapsed.Seconds(), st.Docs)
	fmt.Printf("%-44s %.0f MiB (target ≤ 1024)\n", "peak RSS of the ingesting process", mib(u.hwm))
	var along []string
	for q := 1; q <= 4; q++ {
		if len(u.rss) > 0 {
			along = append(along, fmt.Sprintf("%.0f", mib(u.rss[min(len(u.rss)*q/4, len(u.rss)-1)])))
		}
	}
	fmt.Printf("%-44s %s MiB\n", "RSS at 1/4, 2/4, 3/4 and the end of the run", strings.Join(along, ", "))
	b.shares(u)
}

// cpuLine prints the CPU time per item, tools included, of the loop and of
// confide (medians of the rounds), and their ratio: on cores the tools
// keep busy, throughput follows it, and it moves less than wall time with
// what else the machine runs.
// pairLine prints each round's ratio to the loop of the same round.
func (b *bench) pairLine(u usage) {
	var f []string
	for _, r := range u.pairs {
		f = append(f, fmt.Sprintf("%.2f", r))
	}
	s := slices.Sorted(slices.Values(u.pairs))
	fmt.Printf("%-44s %s (median %.2f)\n", "ratio to the loop, round by round", strings.Join(f, " "), s[len(s)/2])
	if len(b.altRuns) > 0 {
		f = f[:0]
		for _, r := range b.altRuns {
			f = append(f, fmt.Sprintf("%.2f", r))
		}
		s := slices.Sorted(slices.Values(b.altRuns))
		fmt.Printf("%-44s %s (median %.2f)\n", "the same with "+b.altName(), strings.Join(f, " "), s[len(s)/2])
		b.altRuns = nil
	}
}

func (b *bench) cpuLine(u usage, n int, item string) {
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(n) }
	fmt.Printf("%-44s loop %.2f ms, confide %.2f ms: ratio %.2f\n", "CPU per "+item+", tools included", per(u.loopCPU), per(u.cpu), u.loopCPU.Seconds()/u.cpu.Seconds())
}

// shares prints what share of the confide process's CPU time (not its
// waits: fsyncs and tools) went to the search index, SQLite, its own
// extractors and starting tools, from its CPU profile.
func (b *bench) shares(u usage) {
	total := pprofTotal(b.self, u.profile, "")
	if total <= 0 {
		return
	}
	var parts []string
	for _, s := range []struct{ name, focus string }{
		{"search index", `^confide/internal/search\.`},
		{"SQLite", `^modernc\.org/sqlite`},
		{"extraction", `^confide/internal/ingest\.`},
		{"starting tools", `^os/exec\.`},
	} {
		parts = append(parts, fmt.Sprintf("%s %.0f %%", s.name, 100*pprofTotal(b.self, u.profile, s.focus)/total))
	}
	self := ""
	if b, err := os.ReadFile(u.profile + ".cpu"); err == nil {
		var user, sys int64
		if _, err := fmt.Sscan(string(b), &user, &sys); err == nil {
			self = fmt.Sprintf(" (getrusage: %.2f s user, %.2f s system)", float64(user)/1e9, float64(sys)/1e9)
		}
	}
	fmt.Printf("%-44s %.1f s CPU in %.1f s%s: %s\n", "confide's own CPU time", total, u.elapsed.Seconds(), self, strings.Join(parts, ", "))
}

var pprofTotalRe = regexp.MustCompile(`Showing nodes accounting for ([0-9.]+)(m?s|min|h)`)

// pprofTotal is the CPU seconds of the profile's samples with a function
// matching focus on their stack (all samples when focus is "").
func pprofTotal(bin, profile, focus string) float64 {
	args := []string{"tool", "pprof", "-top", "-nodefraction=0", "-nodecount=1000000"}
	if focus != "" {
		args = append(args, "-focus="+focus)
	}
	out, err := exec.Command("go", append(args, bin, profile)...).Output()
	if err != nil {
		return 0
	}
	m := pprofTotalRe.FindSubmatch(out)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	switch string(m[2]) {
	case "ms":
		v /= 1000
	case "min":
		v *= 60
	case "h":
		v *= 3600
	}
	return v
}

func kindList(k map[string]int) string {
	var s []string
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range k {
			if !yield(n) {
				return
			}
		}
	}) {
		s = append(s, fmt.Sprintf("%d %s", k[name], name))
	}
	return strings.Join(s, ", ")
}

// sync_ writes the corpus out, so that neither side pays for it.
func sync_() { exec.Command("sync").Run() }

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

var (
	englishWords = strings.Fields(`archive committee secret report minister letter document meeting decision
		comrade department chairman state security region district factory workers plan contract bank money
		court police mayor office director company government land building price newspaper port country
		agreement payment account transfer officer agent source informant file record order instruction
		telegram embassy border military army navy ministry bureau council party member congress delegation
		investigation prosecutor witness testimony evidence arrest prison camp release sentence appeal
		budget fund grant loan debt interest export import shipment cargo vessel train station airport
		the of and to in a is that for on was with as by at from his her their this which were been has`)
	russianWords = strings.Fields(`архив комитет секретно доклад министр письмо документ совещание решение
		товарищ управление отдел председатель государственный безопасность область район завод рабочие план
		выполнение договор банк деньги суд милиция мэр контора директор предприятие правительство земля
		здание цена газета порт страна соглашение платёж счёт перевод сотрудник агент источник осведомитель
		дело запись приказ указание телеграмма посольство граница армия флот министерство бюро совет партия
		член съезд делегация расследование прокурор свидетель показания доказательство арест тюрьма лагерь
		освобождение приговор жалоба бюджет фонд заём долг экспорт импорт груз судно поезд вокзал аэропорт
		и в не на что с по как из за от для о к у это был была были его её их`)
)

// sentence is count words of pool, with now and then a rare token (a
// file number), so that the index has a long tail.
func sentence(r *rand.Rand, pool []string, count int) string {
	w := make([]string, count)
	for i := range w {
		w[i] = pool[r.IntN(len(pool))]
		if r.IntN(40) == 0 {
			w[i] = fmt.Sprintf("%s-%d", w[i], r.IntN(100000))
		}
	}
	return strings.Join(w, " ")
}

func englishPage(r *rand.Rand, lines int) string {
	var s []string
	for range lines {
		s = append(s, sentence(r, englishWords, 8+r.IntN(5)))
	}
	return strings.Join(s, "\n")
}

// scanText is lines of Russian and English for a scanned page.
func scanText(r *rand.Rand, lines int) string {
	var s []string
	for i := range lines {
		pool := russianWords
		if i%3 == 2 {
			pool = englishWords
		}
		var w []string
		for range 8 + r.IntN(3) {
			w = append(w, pool[r.IntN(len(pool))])
		}
		s = append(s, strings.Join(w, " "))
	}
	return strings.Join(s, "\n")
}

// textPDF is a PDF with one page of Helvetica text for each of pages.
func textPDF(pages []string, title string) []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // the page tree, once the pages are known
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for _, p := range pages {
		var s strings.Builder
		s.WriteString("BT /F1 10 Tf 56 800 Td 15 TL\n")
		for _, line := range strings.Split(p, "\n") {
			fmt.Fprintf(&s, "(%s) Tj T*\n", esc.Replace(line))
		}
		s.WriteString("ET")
		c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", s.Len(), s.String()))
		pg := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", c, font))
		kids = append(kids, fmt.Sprintf("%d 0 R", pg))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	info := add(fmt.Sprintf("<< /Title (%s) /Author (Bench) >>", esc.Replace(title)))
	return pdftest.File(objs, fmt.Sprintf("/Info %d 0 R", info))
}

// zipMembers is how many texts each generated zip holds.
const zipMembers = 4

// smallFile is the i-th file of the memory run: mostly texts in the four
// charsets, some HTML and Markdown, and every 20th a zip of texts.
func smallFile(r *rand.Rand, i int) (string, []byte) {
	text := func() string {
		pool := russianWords
		if r.IntN(3) == 0 {
			pool = englishWords
		}
		var s []string
		for range 3 + r.IntN(25) {
			s = append(s, sentence(r, pool, 6+r.IntN(8))+".")
		}
		return strings.Join(s, "\n")
	}
	encode := func(s string) []byte {
		var cm *charmap.Charmap
		switch r.IntN(4) {
		case 0:
			return []byte(s)
		case 1:
			cm = charmap.Windows1251
		case 2:
			cm = charmap.KOI8R
		default:
			cm = charmap.CodePage866
		}
		b, err := cm.NewEncoder().Bytes([]byte(strings.ReplaceAll(s, "ё", "е")))
		must(err)
		return b
	}
	switch {
	case i%20 == 19:
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for m := range zipMembers {
			w, err := zw.Create(fmt.Sprintf("letters/%d.txt", m))
			must(err)
			_, err = w.Write(encode(text()))
			must(err)
		}
		must(zw.Close())
		return fmt.Sprintf("%06d.zip", i), buf.Bytes()
	case i%10 == 3:
		body := "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + sentence(r, russianWords, 4) + "</title></head><body><h1>" +
			sentence(r, russianWords, 5) + "</h1><p>" + strings.ReplaceAll(text(), "\n", "</p>\n<p>") + "</p></body></html>\n"
		return fmt.Sprintf("%06d.html", i), []byte(body)
	case i%10 == 7:
		return fmt.Sprintf("%06d.md", i), []byte("# " + sentence(r, englishWords, 5) + "\n\n" + strings.ReplaceAll(text(), ".\n", ".\n\n") + "\n")
	}
	return fmt.Sprintf("%06d.txt", i), encode(text())
}
