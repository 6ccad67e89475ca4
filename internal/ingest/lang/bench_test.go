package lang

import (
	"strings"
	"testing"
)

func BenchmarkDetect(b *testing.B) {
	en := strings.Repeat("The committee met on Tuesday and it was agreed that the report would be published in March. ", 40)
	ru := strings.Repeat("Протокол заседания комиссии. Присутствовали все члены, кроме Сидорова, который был в отпуске. ", 40)
	for _, c := range []struct{ name, text string }{{"en", en}, {"ru", ru}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				Detect(c.text)
			}
		})
		b.Run(c.name+"-ref", func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				detectRef(c.text)
			}
		})
	}
}
