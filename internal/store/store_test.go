package store_test

import (
	"testing"

	"confide/internal/store/storetest"
)

func TestBackends(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			storetest.Run(t, b.Open)
			storetest.RunNewsroom(t, b.Open)
			storetest.RunSite(t, b.Open)
		})
	}
}
