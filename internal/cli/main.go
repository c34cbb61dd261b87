package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/alecthomas/kong"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/internal/heapfloor"
	"github.com/gqlplan/gqlplan/spec"
)

// Env is what a command may touch: a working directory for relative paths
// and the output streams.
type Env struct {
	Dir    string // "" means the process working directory
	Stdout io.Writer
	Stderr io.Writer
	// Resolvers are what serve runs for the plan's resolvers.
	Resolvers extend.Resolvers
	// planOnStdout: compile writes the plan to Stdout, so no diagnostic may.
	planOnStdout bool
}

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
)

// errFindings is returned by a command that printed error diagnostics.
var errFindings = errors.New("declarations have errors")

// errReported is returned by a command that printed why it could not run
// (exit 2, nothing more to print).
var errReported = errors.New("reported")

// CLI is the command tree.
type CLI struct {
	Compile  CompileCmd  `cmd:"" help:"Check declarations and write the plan."`
	Check    CheckCmd    `cmd:"" help:"Check declarations; write nothing."`
	Triggers TriggersCmd `cmd:"" help:"Print the migration that makes the tables subscriptions read notify their changes."`
	Diff     DiffCmd     `cmd:"" help:"Report the changes from one plan to another that can break clients, and the old plan's trusted documents the new one breaks."`
	SDL      SDLCmd      `cmd:"" name:"sdl" help:"Print the GraphQL schema of a compiled plan."`
	Schema   SchemaCmd   `cmd:"" help:"Print the JSON Schema of the declaration format or of the plan."`
	Serve    ServeCmd    `cmd:"" help:"Serve a compiled plan as GraphQL over HTTP."`
	Token    TokenCmd    `cmd:"" help:"Mint a signed JWT for development and tests."`
	Dev      DevCmd      `cmd:"" help:"Run a project on a throwaway PostgreSQL, reloading on every change."`
	Version  VersionCmd  `cmd:"" help:"Print the gqlplan version and plan format."`
	Config   ConfigCmd   `cmd:"" help:"Print the configuration serve would run with (secrets redacted); takes serve's flags."`

	VersionFlag kong.VersionFlag `name:"version" help:"Print the gqlplan version and exit."`
	ConfigFile  kong.ConfigFlag  `name:"config" env:"GQLPLAN_CONFIG" placeholder:"FILE" help:"A YAML file of flags by their long names (database-url, max-depth, …); the command line and the environment win over it."`
}

// exitRequest carries kong's exit code (after --help) out of its parser.
type exitRequest int

// Main runs gqlplan with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, env Env, args []string) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("gqlplan"),
		kong.Description("Compile GraphQL declarations over PostgreSQL into a checked plan."),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(c int) { panic(exitRequest(c)) }),
		kong.Vars{
			"version":     versionLine(),
			"gc_min_heap": strconv.Itoa(heapfloor.DefaultMiB),
		},
		kong.Configuration(loadConfigFile),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Bind(&env),
	)
	if err != nil { // a bug in the command tree, not in the user's input
		fmt.Fprintf(env.Stderr, "gqlplan: %v\n", err)
		return ExitUsage
	}
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			code = int(c)
			if code != 0 {
				code = ExitUsage
			}
		}
	}()
	// "gqlplan help [command]" is "gqlplan [command] --help", as users of
	// go, git and kubectl type it.
	if len(args) > 0 && args[0] == "help" {
		args = append(append([]string{}, args[1:]...), "--help")
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "gqlplan: %v (see gqlplan --help)\n", err)
		return ExitUsage
	}
	switch err := kctx.Run(); {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFindings):
		return ExitFindings
	case errors.Is(err, errReported):
		return ExitUsage
	default:
		fmt.Fprintf(env.Stderr, "gqlplan: %v\n", err)
		return ExitUsage
	}
}

// VersionCmd prints versions.
type VersionCmd struct{}

func (VersionCmd) Run(env *Env) error {
	_, err := fmt.Fprintln(env.Stdout, versionLine())
	return err
}

// build is the source revision the binary was built from, stamped at link
// time by make build (-X …/internal/cli.build=…); plans record
// compiler.Version only, so that they do not depend on the build.
var build string

// versionLine is what gqlplan version prints.
func versionLine() string {
	if build == "" {
		return fmt.Sprintf("gqlplan %s (plan format %d)", compiler.Version, spec.FormatVersion)
	}
	return fmt.Sprintf("gqlplan %s (build %s, plan format %d)", compiler.Version, build, spec.FormatVersion)
}

// SchemaCmd prints an embedded JSON Schema.
type SchemaCmd struct {
	Which string `arg:"" enum:"declarations,plan" help:"declarations (for editors' YAML language servers) or plan."`
}

func (c *SchemaCmd) Run(env *Env) error {
	data := spec.DeclarationSchema
	if c.Which == "plan" {
		data = spec.PlanSchema
	}
	_, err := env.Stdout.Write(data)
	return err
}
