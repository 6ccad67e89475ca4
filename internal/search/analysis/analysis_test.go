package analysis

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// snowballData is where Debian's snowball-data package puts the reference
// vocabularies of the Snowball project (scripts/test.sh installs it).
const snowballData = "/usr/share/snowball/data"

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (install Debian's snowball-data)", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSnowballVocabularies checks every word of the official Snowball
// reference vocabularies: Fold then Stem must give the reference stem.
func TestSnowballVocabularies(t *testing.T) {
	for _, lang := range []string{"russian", "english"} {
		t.Run(lang, func(t *testing.T) {
			voc := readLines(t, filepath.Join(snowballData, lang, "voc.txt"))
			want := readLines(t, filepath.Join(snowballData, lang, "output.txt"))
			if len(voc) != len(want) || len(voc) < 20000 {
				t.Fatalf("vocabulary has %d words, output %d", len(voc), len(want))
			}
			bad := 0
			for i, w := range voc {
				if got := Stem(Fold(w)); got != want[i] {
					if bad < 10 {
						t.Errorf("Stem(%q) = %q, want %q", w, got, want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d words stem differently", bad, len(voc))
			}
		})
	}
}

func tokens(text string) []Token {
	var out []Token
	Tokenize(text, 0, func(t Token) { out = append(out, t) })
	return out
}

func TestTokenize(t *testing.T) {
	text := "Ёлка, «ЁЖ» и don't — КГБ's Archives; сто́л 1987г. x"
	got := tokens(text)
	var words, stems []string
	for i, tok := range got {
		if tok.Pos != i {
			t.Errorf("token %d has position %d", i, tok.Pos)
		}
		if Fold(text[tok.Start:tok.End]) != tok.Word {
			t.Errorf("token %q does not cover its bytes %q", tok.Word, text[tok.Start:tok.End])
		}
		words = append(words, tok.Word)
		stems = append(stems, tok.Stem)
	}
	wantWords := []string{"елка", "еж", "и", "don't", "кгб's", "archives", "стол", "1987г", "x"}
	if !reflect.DeepEqual(words, wantWords) {
		t.Errorf("words %q, want %q", words, wantWords)
	}
	// Latin words take the English stemmer, Cyrillic ones the Russian one,
	// in the same sentence.
	if stems[5] != "archiv" || stems[0] != "елк" || stems[6] != "стол" {
		t.Errorf("stems %q", stems)
	}
}

func TestFoldYo(t *testing.T) {
	for in, want := range map[string]string{
		"Горбачёв": "горбачев", "ЁЖИК": "ежик", "Горбачев": "горбачев",
		"Mixed’Case": "mixed'case", "за́мок": "замок",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if Stem(Fold("Горбачёва")) != Stem(Fold("ГОРБАЧЕВА")) {
		t.Error("ё and е stem differently")
	}
	long := strings.Repeat("я", 100)
	if n := len(Fold(long)); n > MaxWordBytes || n < MaxWordBytes-1 {
		t.Errorf("folded %d bytes of a 200-byte word", n)
	}
}

func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Совершенно секретно. Доклад о работе комитета, see also the appendix": LangRussian,
		"Top secret report on the committee, переведено с русского":            LangEnglish,
		"1987 — 42": LangOther,
	} {
		if got := DetectLanguage(text); got != want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", text, got, want)
		}
	}
}

// inflections lists real Russian nouns, names and verbs in several cases or
// forms. Typing any form must find a document holding any other form.
var inflections = [][]string{
	{"архив", "архивы", "архивов", "архива", "архиву", "архивом", "архиве"},
	{"письмо", "письма", "писем", "письмам", "письмами", "письме"},
	{"Горбачёв", "Горбачёва", "Горбачеву", "Горбачёвым", "Горбачеве"},
	{"документ", "документы", "документов", "документа", "документом"},
	{"Ельцин", "Ельцина", "Ельцину", "Ельциным"},
	{"Сталин", "Сталина", "Сталину", "Сталиным"},
	{"окно", "окна", "окон", "окнами"},
	{"девушка", "девушки", "девушек", "девушкам"},
	{"ошибка", "ошибки", "ошибок", "ошибкой"},
	{"протокол", "протокола", "протоколов", "протоколы"},
	{"доклад", "доклада", "докладов", "докладе"},
	{"отчёт", "отчёта", "отчётов", "отчёту"},
	{"приказ", "приказа", "приказов", "приказом"},
	{"шпион", "шпиона", "шпионов", "шпионы"},
	{"лагерь", "лагеря", "лагерей", "лагерях"},
	{"завод", "завода", "заводов", "заводе"},
	{"Москва", "Москвы", "Москве", "Москвой"},
	{"Ленинград", "Ленинграда", "Ленинграде"},
	{"комитет", "комитета", "комитетов", "комитете"},
	{"газета", "газеты", "газет", "газетам"},
	{"секретарь", "секретаря", "секретарём", "секретари"},
	{"машина", "машины", "машин", "машиной"},
	{"Андропов", "Андропова", "Андропову", "Андроповым"},
	{"Хрущёв", "Хрущёва", "Хрущёву", "Хрущёвым"},
	{"Брежнев", "Брежнева", "Брежневу", "Брежневым"},
	{"тюрьма", "тюрьмы", "тюрем", "тюрьме"},
	{"сестра", "сестры", "сестёр", "сестрам"},
	{"служба", "службы", "служб", "службе"},
	{"граница", "границы", "границ", "границе"},
	{"агент", "агента", "агентов", "агентом"},
	{"допрос", "допроса", "допросов", "допросы"},
	{"читать", "читал", "читала", "читали"},
	{"подписать", "подписал", "подписала", "подписали"},
	{"работать", "работал", "работала", "работали"},
	{"арестовать", "арестовал", "арестовала", "арестовали"},
}

// TestInflectionTrap checks that every form of every word, typed as a query,
// shares a stem with every other form as indexed. It also checks that the
// trap is real: without the query-side expansion some pairs would miss.
func TestInflectionTrap(t *testing.T) {
	if len(inflections) < 30 {
		t.Fatalf("only %d words", len(inflections))
	}
	plainMisses := 0
	for _, forms := range inflections {
		for _, q := range forms {
			qs := QueryStems(q)
			if len(qs) == 0 || qs[0] != Stem(Fold(q)) {
				t.Errorf("QueryStems(%q) = %q does not start with its own stem", q, qs)
			}
			for _, d := range forms {
				ds := Stem(Fold(d))
				if ds != Stem(Fold(q)) {
					plainMisses++
				}
				found := false
				for _, s := range qs {
					found = found || s == ds
				}
				if !found {
					t.Errorf("query %q (stems %q) misses %q (stem %q)", q, qs, d, ds)
				}
			}
		}
	}
	if plainMisses == 0 {
		t.Error("no form pair differs in stem: the list does not test the trap")
	}
}

// TestQueryStemsStayClose checks that the expansion does not drift into other
// words: a query must not take the stem of a different word.
func TestQueryStemsStayClose(t *testing.T) {
	for q, other := range map[string]string{
		"архив":   "архитектор",
		"стол":    "столица",
		"письмо":  "писатель",
		"мир":     "министр",
		"доклад":  "докладчик",
		"сестра":  "семья",
		"Сталин":  "сталь",
		"reports": "repository",
	} {
		for _, s := range QueryStems(q) {
			if s == Stem(Fold(other)) {
				t.Errorf("query %q takes %q, the stem of %q", q, s, other)
			}
		}
	}
	if got := QueryStems("reports"); !reflect.DeepEqual(got, []string{"report"}) {
		t.Errorf("English query stems %q", got)
	}
	if got := QueryStems("…"); got != nil {
		t.Errorf("QueryStems of punctuation = %q", got)
	}
}

// TestStemKeepsInitial backs the snippet builder, which stems only words
// whose first letter some query stem has: over both vocabularies a stem
// starts with its word's first letter.
func TestStemKeepsInitial(t *testing.T) {
	for _, lang := range []string{"russian", "english"} {
		for _, w := range readLines(t, filepath.Join(snowballData, lang, "voc.txt")) {
			f := Fold(w)
			if strings.HasPrefix(f, "'") {
				continue // Tokenize never starts a word with an apostrophe
			}
			s := Stem(f)
			if s != "" && []rune(s)[0] != []rune(f)[0] {
				t.Errorf("%s: Stem(%q) = %q", lang, f, s)
			}
		}
	}
}
