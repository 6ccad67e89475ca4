package store_test

import (
	"testing"

	"confide/internal/store/storetest"
)

func TestBackends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		storetest.Run(t, b.Open)
		storetest.RunNewsroom(t, b.Open)
		storetest.RunSite(t, b.Open)
	})
}
