// Command wrapgen writes the pass-through methods of the store decorators
// (repositories/timed and repositories/cached) from the repository interfaces
// of package repositories, so that a new repository or method needs no
// hand-written wrapper. Run it through `go generate ./repositories/...` (the
// directive is in repositories/store.go); a test fails while the committed
// output is stale.
//
// What stays hand-written: the decorators' Store types, the timing and
// outcome of timed, and the reads the cache serves (cached.go). Which call
// invalidates the cache is decided in cachePolicy (policy.go): the generator
// refuses a method that it does not classify.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	dir := flag.String("dir", ".", "directory of package repositories")
	flag.Parse()
	files, err := generate(*dir, cachePolicy)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wrapgen:", err)
		os.Exit(1)
	}
	if err := writeOutputs(*dir, files); err != nil {
		fmt.Fprintln(os.Stderr, "wrapgen:", err)
		os.Exit(1)
	}
}
