package query

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		`архив КГБ`:                  `архив КГБ`,
		`Путин OR Putin документ`:    `Путин OR Putin документ`,
		`"архив комитета" -секретно`: `"архив комитета" -секретно`,
		`=архивы арх*`:               `=архивы арх*`,
		`(a b) OR c`:                 `(a b) OR c`,
		`a (b c) d`:                  `a b c d`,
		`collection:kgb lang:RU x`:   `collection:kgb lang:ru x`,
		`tag:"top secret" x`:         `tag:"top secret" x`,
		`x date:1985`:                `x date:1985-01-01..1985-12-31`,
		`x date:1985-02`:             `x date:1985-02-01..1985-02-28`,
		`x date:1980..1985-06-30`:    `x date:1980-01-01..1985-06-30`,
		`x date:..1990`:              `x date:..1990-12-31`,
		`x date:1991..`:              `x date:1991-01-01..`,
		`Москва - Берлин`:            `Москва Берлин`,
		`кгб-шник`:                   `"кгб шник"`,
		`12:30 http://x.org`:         `"12 30" "http x org"`,
		`-(a OR b) c`:                `-(a OR b) c`,
		`a , b`:                      `a b`,
	} {
		n, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if got := n.String(); got != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got, want)
		}
	}
	n, _ := Parse(`a b OR c`)
	and, ok := n.(And)
	if !ok || len(and.Nodes) != 2 || and.Nodes[0] != (Word{Text: "a"}) {
		t.Fatalf("a b OR c = %#v", n)
	}
	if or, ok := and.Nodes[1].(Or); !ok || len(or.Nodes) != 2 {
		t.Fatalf("OR does not bind tighter than AND: %#v", n)
	}
	n, _ = Parse(`x date:1985-02`)
	if d := n.(And).Nodes[1].(DateRange); !d.From.Equal(day("1985-02-01")) || !d.To.Equal(day("1985-02-28")) {
		t.Errorf("date range %v", d)
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		``:                        "no words",
		`   ,,, `:                 "no words",
		`(a b`:                    "never closed",
		`a b)`:                    "no opening",
		`"a b`:                    "never closed",
		`a OR`:                    "after it",
		`OR a`:                    "before it",
		`a OR OR b`:               "after it",
		`-a`:                      "beside it",
		`-a -b`:                   "beside it",
		`a OR -b`:                 "beside it",
		`foo:bar`:                 "unknown filter",
		`collection:`:             "needs a value",
		`x date:1985-13`:          "not a year",
		`x date:..`:               "needs a year",
		`x date:1990..1980`:       "ends before",
		`=a*`:                     "one word",
		`*`:                       "letters before",
		`""`:                      "no words",
		`=`:                       "one word",
		`--a b`:                   "two minuses",
		strings.Repeat("(", 20):   "deeper",
		strings.Repeat("w ", 70):  "more than",
		strings.Repeat("w", 3000): "longer than",
		"\xff":                    "UTF-8",
	} {
		_, err := Parse(in)
		var qe *Error
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error about %q", in, err, want)
		}
	}
}

func count(n Node) (clauses, depth int) {
	switch n := n.(type) {
	case And:
		for _, c := range n.Nodes {
			cl, d := count(c)
			clauses, depth = clauses+cl, max(depth, d+1)
		}
	case Or:
		for _, c := range n.Nodes {
			cl, d := count(c)
			clauses, depth = clauses+cl, max(depth, d+1)
		}
	case Not:
		cl, d := count(n.Node)
		return cl, d + 1
	case Phrase:
		return len(n.Words), 1
	default:
		return 1, 1
	}
	return clauses, depth
}

// FuzzParse checks that Parse never panics, that every error is an *Error,
// that a parsed tree stays within the limits, and that printing it and
// parsing again gives the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`архив КГБ`, `"a b" -c OR d`, `(a OR (b c)) =d e*`, `collection:"x y" date:1980..1985-02`,
		`tag:a* lang:en`, `-(a) b`, `a OR "OR"`, `x date:..0999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) || qe.Msg == "" {
				t.Fatalf("Parse(%q): error %v is not a *query.Error", s, err)
			}
			return
		}
		if cl, _ := count(n); cl > MaxClauses || cl == 0 {
			t.Fatalf("Parse(%q): %d clauses", s, cl)
		}
		printed := n.String()
		n2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed as %q, which does not parse: %v", s, printed, err)
		}
		if again := n2.String(); again != printed {
			t.Fatalf("Parse(%q) printed %q, reparsed %q", s, printed, again)
		}
	})
}
