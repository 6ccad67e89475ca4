package cli

import (
	"os"
	"testing"

	"confide/internal/store/storetest"

	"github.com/rogpeppe/go-internal/testscript"
)

// The command line is tested as a user runs it: testdata/*.txtar scripts
// run the real confide command, and the stock age tools beside it.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"confide": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	admin := os.Getenv("CONFIDE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("CONFIDE_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL and sets it")
	}
	testscript.Run(t, testscript.Params{Dir: "testdata", Setup: func(e *testscript.Env) error {
		// Each script gets a database of its own as $PGDSN.
		dsn, drop, err := storetest.CreateDatabase(admin)
		if err != nil {
			return err
		}
		e.Defer(drop)
		e.Setenv("PGDSN", dsn)
		return nil
	}})
}
