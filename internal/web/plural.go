package web

import (
	"fmt"
	"strings"
)

// pluralRules maps a language to its CLDR cardinal rule for whole numbers.
// A language without a rule uses English's, which is a safe fallback
// only for languages with two forms; adding a language means adding its
// rule here (a test checks every catalogue has one).
var pluralRules = map[string]func(n int) string{
	// CLDR en: one when i = 1 and v = 0; everything else is other.
	"en": func(n int) string {
		if n == 1 {
			return "one"
		}
		return "other"
	},
	// CLDR ru, for integers (v = 0): one when i%10 = 1 and i%100 != 11;
	// few when i%10 is 2..4 and i%100 is not 12..14; many otherwise.
	"ru": func(n int) string {
		if n < 0 {
			n = -n
		}
		d, h := n%10, n%100
		switch {
		case d == 1 && h != 11:
			return "one"
		case d >= 2 && d <= 4 && (h < 12 || h > 14):
			return "few"
		}
		return "many"
	},
}

// PluralForm is the CLDR plural category ("one", "few", "many", "other")
// of the whole number n in lang.
func PluralForm(lang string, n int) string {
	rule, ok := pluralRules[lang]
	if !ok {
		rule = pluralRules[DefaultLang]
	}
	return rule(n)
}

// N translates a counted message: it looks up key.FORM for n's plural
// form in lang (key.other if that form is missing), falling back to
// English and then to the key. The message's first verb gets n, the rest
// get args.
func (c *Catalog) N(lang, key string, n int, args ...any) string {
	msg, ok := c.plural(lang, key, n)
	if !ok {
		msg, ok = c.plural(DefaultLang, key, n)
	}
	if !ok {
		return key
	}
	return fmt.Sprintf(msg, append([]any{n}, args...)...)
}

func (c *Catalog) plural(lang, key string, n int) (string, bool) {
	m := c.msgs[lang]
	if msg, ok := m[key+"."+PluralForm(lang, n)]; ok {
		return msg, true
	}
	msg, ok := m[key+".other"]
	return msg, ok
}

// Burned says what a redaction burned, as a reader counts it: "3
// occurrences of 2 terms and 1 box burned" ("Вымарано 3 вхождения 2
// терминов и 1 прямоугольник"). The terms' part is left out when there
// were no terms, the boxes' when there were no boxes; "" if neither.
func (c *Catalog) Burned(lang string, terms, occurrences, boxes int) string {
	var parts []string
	if terms > 0 {
		parts = append(parts, c.N(lang, "redact.occurrences", occurrences)+" "+c.N(lang, "redact.ofterms", terms))
	}
	if boxes > 0 {
		parts = append(parts, c.N(lang, "redact.boxes", boxes))
	}
	switch len(parts) {
	case 0:
		return ""
	case 2:
		parts[0] = c.T(lang, "redact.and", parts[0], parts[1])
	}
	return c.T(lang, "redact.burned", parts[0])
}

// Checks names a verification's checks in lang, joined by commas:
// redact's names ("text layer", "OCR") as the catalogue's redact.check.*
// keys say them; a name it has no key for is shown as it is.
func (c *Catalog) Checks(lang string, names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		key := "redact.check." + strings.ReplaceAll(strings.ToLower(n), " ", "-")
		if out[i] = c.T(lang, key); out[i] == key {
			out[i] = n
		}
	}
	return strings.Join(out, ", ")
}
