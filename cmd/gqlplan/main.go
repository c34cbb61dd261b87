// Command gqlplan compiles GraphQL declarations over PostgreSQL into a
// checked plan. The commands live in package internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gqlplan/gqlplan/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The working directory anchors relative paths, and lets absolute paths
	// below it be reported relative, as diagnostics should be.
	dir, _ := os.Getwd()
	code := cli.Main(ctx, cli.Env{Dir: dir, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}
