// Command translate measures batch machine translation through package
// translate against the engine called directly, in the same run: the same
// generated English pages go through apertium in a shell loop (one
// `apertium -u -f txt MODE` per page), then through translate.Batch: one
// worker and one page a call (the same work as the loop, so the ratio is
// the package's overhead), one worker with pages grouped into one
// apertium run (the batch's default: apertium loads its dictionaries on
// every run), and tool.Slots() workers grouped (what a batch does on this
// machine); then the archive's path: the same pages as a collection,
// through `confide archive translate`. Rates are pages a minute; ratios are the package's over the
// direct loop's; each batch's output is compared with the loop's.
//
//	go run ./bench/translate [-pages 30] [-paragraphs 6]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"confide/internal/archive"
	"confide/internal/cli"
	"confide/internal/ingest/tool"
	"confide/internal/translate"
)

// sentences are plain English the eng-spa pair knows most words of, so
// the engine does its usual work rather than passing unknown words on.
var sentences = strings.Split(`The committee met on Tuesday and agreed to publish the report.
The minister signed the letter before the meeting.
The journalist reads the documents in the archive.
The company paid the money to a bank in another country.
The director of the factory did not answer the questions.
Our sources say that the contract was signed in March.
The police found the papers in the house of the mayor.
The government will sell the land to a private company.
The report says that the price of the building was too high.
Nobody in the office knew where the money went.
The court will hear the case next year.
The workers of the port wrote a letter to the newspaper.`, "\n")

func main() {
	nPages := flag.Int("pages", 30, "pages to translate")
	nParas := flag.Int("paragraphs", 6, "paragraphs a page")
	flag.Parse()
	ctx := context.Background()
	eng, err := translate.NewApertium(ctx)
	if err != nil {
		log.Fatal(err)
	}
	mode := eng.Mode("en", "es")
	if mode == "" {
		log.Fatalf("apertium has no eng-spa pair (install apertium-eng-spa); it has %v", eng.Pairs())
	}
	r := rand.New(rand.NewPCG(1, 2))
	pages := make([]translate.Source, *nPages)
	size := 0
	for i := range pages {
		var paras []string
		for range *nParas {
			var lines []string
			for range 4 {
				lines = append(lines, sentences[r.IntN(len(sentences))])
			}
			// OCR-like: each sentence on its own line, wrapped.
			paras = append(paras, strings.Join(lines, "\n"))
		}
		pages[i] = translate.Source{ID: fmt.Sprint(i), Text: strings.Join(paras, "\n\n")}
		size += len(pages[i].Text)
	}
	dir, err := os.MkdirTemp("", "confide-bench-translate-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i, p := range pages {
		// The direct loop gets the text as the package sends it (wraps
		// joined), so both translate the same thing.
		text := translate.Join(translate.Split(p.Text)) + "\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.txt", i)), []byte(text), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("apertium %s, mode %s: %d pages of %d paragraphs, %d bytes a page on average, %d slots\n",
		eng.Version(), mode, *nPages, *nParas, size / *nPages, tool.Slots())

	start := time.Now()
	loop := fmt.Sprintf(`for f in %q/*.txt; do apertium -u -f txt %s < "$f" > "${f%%.txt}.out"; done`, dir, mode)
	if out, err := exec.Command("bash", "-c", loop).CombinedOutput(); err != nil {
		log.Fatalf("direct loop: %v: %s", err, out)
	}
	direct := perMinute(*nPages, time.Since(start))
	fmt.Printf("%-42s %8.1f pages/min\n", "apertium in a shell loop", direct)

	for _, run := range []struct{ workers, group int }{{1, 1}, {1, 0}, {tool.Slots(), 0}} {
		var failed int
		var same int
		b := &translate.Batch{Engine: eng, From: "en", To: "es", Workers: run.workers, Group: run.group, Total: *nPages,
			OnResult: func(res translate.Result) {
				if res.Err != nil {
					failed++
					log.Printf("page %s: %v", res.ID, res.Err)
					return
				}
				want, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%04s.out", res.ID)))
				if err == nil && slices.Equal(translate.Split(string(want)), res.Translation.Translated) {
					same++
				}
			}}
		rep, err := b.Run(ctx, slices.Values(pages))
		if err != nil {
			log.Fatal(err)
		}
		rate := perMinute(rep.Done, rep.Elapsed)
		fmt.Printf("%-42s %8.1f pages/min  ratio %.2f  (%d failed, %d/%d identical to the loop's)\n",
			fmt.Sprintf("translate.Batch, %d worker(s), %s", run.workers, map[bool]string{true: "page by page", false: "grouped"}[run.group == 1]), rate, rate/direct, failed, same, rep.Done)
	}
	collection(ctx, dir, pages, direct)
}

// collection is the archive's path: the same pages ingested as a
// collection of text files (not timed), then `confide archive translate`
// run in this process, timed from its start to its end (opening the
// archive, listing the pages, the batch, storing every draft, indexing
// the translations, custody); the drafts are compared with the loop's.
func collection(ctx context.Context, dir string, pages []translate.Source, direct float64) {
	data, err := os.MkdirTemp("", "confide-bench-archive-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)
	var ingested []string
	for i := range pages {
		ingested = append(ingested, filepath.Join(dir, fmt.Sprintf("%04d.txt", i)))
	}
	var out, errOut strings.Builder
	if code := cli.Main(append([]string{"archive", "ingest", "--data", data, "--collection", "bench", "--no-ocr"}, ingested...), strings.NewReader(""), &out, &errOut); code != 0 {
		log.Fatalf("archive ingest: %s%s", out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	start := time.Now()
	if code := cli.Main([]string{"archive", "translate", "--data", data, "--collection", "bench", "--from", "en", "--to", "es"}, strings.NewReader(""), &out, &errOut); code != 0 {
		log.Fatalf("archive translate: %s%s", out.String(), errOut.String())
	}
	elapsed := time.Since(start)
	a, err := archive.Open(ctx, archive.Config{Dir: data, NoOCR: true})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	same, done := 0, 0
	for i := range pages {
		vs, err := a.Translations(ctx, archive.DocID("bench", fmt.Sprintf("%04d.txt", i)), "es")
		if err != nil {
			log.Fatal(err)
		}
		if len(vs[1]) == 0 {
			continue
		}
		done++
		want, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%04d.out", i)))
		if err == nil && slices.Equal(translate.Split(string(want)), translate.Split(vs[1][len(vs[1])-1].Text)) {
			same++
		}
	}
	rate := perMinute(done, elapsed)
	fmt.Printf("%-42s %8.1f pages/min  ratio %.2f  (%d/%d stored, %d identical to the loop's)\n",
		"confide archive translate (collection)", rate, rate/direct, done, len(pages), same)
}

func perMinute(n int, d time.Duration) float64 { return float64(n) / d.Minutes() }
