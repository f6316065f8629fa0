// compose-check loads a Compose file the way `docker compose config` does (compose-go, the
// library Docker Compose is built on: schema, interpolation of ${VAR:?message}, semantics) and
// prints the resolved project as JSON, or the error and exit status 1. No Docker engine needed:
// `make test` checks docker-compose.yml with it (tests/core/test_compose.py).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func load(path string) ([]byte, error) {
	options, err := cli.NewProjectOptions(
		[]string{path}, cli.WithOsEnv, cli.WithName("cds"), cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	project, err := cli.ProjectFromOptions(context.Background(), options)
	if err != nil {
		return nil, err
	}
	return project.MarshalJSON()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose-file>")
		os.Exit(2)
	}
	out, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
