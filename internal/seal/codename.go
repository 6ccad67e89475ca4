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

//go:embed wordlists/adjectives.txt
var adjectivesList string

//go:embed wordlists/nouns.txt
var nounsList string

var (
	codenameWords = strings.Fields(effLarge)
	codenameIndex = indexWords(codenameWords)
	adjectives    = strings.Fields(adjectivesList)
	nouns         = strings.Fields(nounsList)
)

// CodenameWords is the number of words in a codename: 7 × log2(7776) ≈ 90 bits.
const CodenameWords = 7

// ErrCodenameFormat reports input that cannot be a codename at all.
var ErrCodenameFormat = errors.New("seal: a codename is seven words from the word list")

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

// NewCodename returns a fresh random codename of CodenameWords words.
func NewCodename() string {
	w := make([]string, CodenameWords)
	for i := range w {
		w[i] = pick(codenameWords)
	}
	return strings.Join(w, " ")
}

// NormalizeCodename folds case and white space so that a codename typed again
// by hand derives the same keys, and rejects anything that is not seven words
// of the list. The error never contains the input.
func NormalizeCodename(s string) (string, error) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) != CodenameWords {
		return "", ErrCodenameFormat
	}
	for _, w := range words {
		if _, ok := codenameIndex[w]; !ok {
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
