package seal

import (
	"crypto/rand"
	_ "embed"
	"errors"
	"math/big"
	"strings"
)

//go:embed wordlists/eff_large.txt
var effLarge string

//go:embed wordlists/ru_nouns.txt
var ruNouns string

//go:embed wordlists/adjectives.txt
var adjectivesList string

//go:embed wordlists/nouns.txt
var nounsList string

var (
	codenameWords   = strings.Fields(effLarge)
	codenameIndex   = indexWords(codenameWords)
	ruCodenameWords = strings.Fields(ruNouns)
	ruCodenameIndex = indexWords(ruCodenameWords)
	adjectives      = strings.Fields(adjectivesList)
	nouns           = strings.Fields(nounsList)
)

// CodenameWords is the number of words in an English codename: 7 × log2(7776) ≈ 90.5 bits.
const CodenameWords = 7

// RuCodenameWords is the number of words in a Russian codename: 8 × log2(4096) = 96 bits,
// at least the English codename's strength.
const RuCodenameWords = 8

// ErrCodenameFormat reports input that cannot be a codename at all.
var ErrCodenameFormat = errors.New("seal: a codename is seven English or eight Russian words from the word list")

// CodenameLangs are the languages a codename's words can be drawn from.
var CodenameLangs = []string{"en", "ru"}

// codenameList is one word list and how many of its words make a codename.
type codenameList struct {
	words []string
	index map[string]struct{}
	n     int
}

func listFor(lang string) (codenameList, bool) {
	switch lang {
	case "en":
		return codenameList{codenameWords, codenameIndex, CodenameWords}, true
	case "ru":
		return codenameList{ruCodenameWords, ruCodenameIndex, RuCodenameWords}, true
	}
	return codenameList{}, false
}

func indexWords(words []string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		// crypto/rand never fails on supported platforms; a codename from a
		// broken generator would be worse than stopping.
		panic("seal: no randomness: " + err.Error())
	}
	return list[n.Int64()]
}

// NewCodename returns a fresh random English codename of CodenameWords words.
func NewCodename() string {
	c, _ := NewCodenameLang("en")
	return c
}

// NewCodenameLang returns a fresh random codename from the word list of lang
// ("en" or "ru"); it fails for any other language.
func NewCodenameLang(lang string) (string, error) {
	l, ok := listFor(lang)
	if !ok {
		return "", errors.New("seal: no codename word list for that language")
	}
	w := make([]string, l.n)
	for i := range w {
		w[i] = pick(l.words)
	}
	return strings.Join(w, " "), nil
}

// ruFold maps ё to е: the list spells every word with е, and a source may type either.
var ruFold = strings.NewReplacer("ё", "е")

// NormalizeCodename folds case and white space (and ё to е) so that a codename
// typed again by hand derives the same keys, and rejects anything that is not
// seven words of the English list or eight of the Russian one; the lists are
// disjoint by script, so the first word decides. English codenames come out
// exactly as before, so their keys are unchanged. The error never contains
// the input.
func NormalizeCodename(s string) (string, error) {
	words := strings.Fields(ruFold.Replace(strings.ToLower(s)))
	if len(words) == 0 {
		return "", ErrCodenameFormat
	}
	lang := "en"
	if _, ok := ruCodenameIndex[words[0]]; ok {
		lang = "ru"
	}
	l, _ := listFor(lang)
	if len(words) != l.n {
		return "", ErrCodenameFormat
	}
	for _, w := range words {
		if _, ok := l.index[w]; !ok {
			return "", ErrCodenameFormat
		}
	}
	return strings.Join(words, " "), nil
}

// NewDesignation returns a random "adjective noun" name by which journalists
// refer to a source. It is not derived from the codename and reveals nothing.
func NewDesignation() string {
	return pick(adjectives) + " " + pick(nouns)
}
