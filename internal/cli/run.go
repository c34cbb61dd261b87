package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gqlplan/gqlplan/extend"
)

// Run is a gqlplan process: the command line of os.Args, serving with
// resolvers (none for the stock gqlplan, whose serve refuses a plan that
// names some); it exits the process.
func Run(resolvers extend.Resolvers) {
	// The first SIGINT or SIGTERM asks the command to stop (serve drains
	// its requests within --shutdown-timeout); a second one exits at once.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		<-signals
		stop()
		<-signals
		fmt.Fprintln(os.Stderr, "gqlplan: second signal: exiting now")
		os.Exit(130)
	}()
	// The working directory anchors relative paths, and lets absolute paths
	// below it be reported relative, as diagnostics should be.
	dir, _ := os.Getwd()
	code := Main(ctx, Env{Dir: dir, Stdout: os.Stdout, Stderr: os.Stderr, Resolvers: resolvers}, os.Args[1:])
	stop()
	os.Exit(code)
}
