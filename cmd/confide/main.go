// Command confide is a secure newsroom in one binary: a dropbox for sources,
// a newsroom for journalists, and a public site. See internal/cli.
package main

import (
	"os"

	"confide/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
