package story

import (
	"strings"
	"testing"
)

func BenchmarkRenderComment(b *testing.B) {
	for b.Loop() {
		RenderComment("Comment 1: *thoughtful* remarks about the ledgers.")
	}
}

func BenchmarkRenderArticle(b *testing.B) {
	md := strings.Repeat("A paragraph of reporting, with **emphasis** and a [link](https://example.org/).\n\n", 30)
	for b.Loop() {
		RenderArticle(md)
	}
}
