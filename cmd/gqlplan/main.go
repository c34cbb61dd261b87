// Command gqlplan compiles GraphQL declarations over PostgreSQL into a
// checked plan and serves it. The commands live in package internal/cli;
// a server with Go resolvers is built with package extend/server.
package main

import (
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/internal/cli"
)

func main() { cli.Run(extend.Resolvers{}) }
