package web

import (
	"strconv"
	"strings"
)

// sizeUnits are each language's names for bytes and their binary multiples.
var sizeUnits = map[string][4]string{
	"en": {"B", "KiB", "MiB", "GiB"},
	"ru": {"Б", "КБ", "МБ", "ГБ"},
}

// Size formats a byte count in the units and decimal mark of lang (English
// for a language it does not know): "1.5 MiB", "1,5 МБ". Multiples are of
// 1,024, as the upload limits are.
func Size(lang string, n int64) string {
	units, ok := sizeUnits[lang]
	if !ok {
		units = sizeUnits["en"]
	}
	if n < 1<<10 {
		return strconv.FormatInt(n, 10) + " " + units[0]
	}
	i, div := 1, float64(1<<10)
	for i < 3 && float64(n) >= div*(1<<10) {
		i, div = i+1, div*(1<<10)
	}
	s := strconv.FormatFloat(float64(n)/div, 'f', 1, 64)
	if lang == "ru" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}
