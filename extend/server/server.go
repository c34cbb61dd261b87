// Package server is gqlplan's command line in a server binary of your
// own, with your resolvers (see package extend):
//
//	func main() { server.Main(extend.Resolvers{…}) }
//
// The binary is gqlplan — serve, compile, check, token, every flag and
// environment variable — whose serve runs the plan's resolvers.
package server

import (
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/internal/cli"
)

// Main runs the command line with resolvers and exits the process.
func Main(resolvers extend.Resolvers) { cli.Run(resolvers) }
