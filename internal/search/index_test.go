package search_test

import (
	"testing"

	"confide/internal/search"
	"confide/internal/search/searchtest"
)

func openTemp(t *testing.T) search.Engine {
	ix, err := search.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestContract(t *testing.T) { searchtest.Run(t, openTemp) }
