package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/internal/changefeed"
)

// TriggersCmd prints the migration that makes the tables the
// subscriptions read notify their committed changes.
type TriggersCmd struct {
	Paths  []string `arg:"" name:"path" help:"Declaration files, or directories to search for *.yaml, *.yml and *.go (not _test.go)."`
	Format string   `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
	DatabaseFlags
}

func (c *TriggersCmd) Run(ctx context.Context, env *Env) error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("triggers needs --database-url: which tables a subscription reads through its views and functions is in the catalog")
	}
	plan, diags, err := compileDeclarations(ctx, env, c.Paths, c.Format, c.DatabaseFlags)
	if err != nil {
		return err
	}
	// What is missing is what this prints: saying so again is noise.
	diags = slices.DeleteFunc(diags, func(d decl.Diagnostic) bool { return d.Code == "db-subscription-trigger" })
	if plan, err = report(env, diags, plan, c.Format); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	var tables [][2]string
	for _, op := range plan.Subscriptions {
		for _, t := range op.Tables {
			if key := [2]string{t.Schema, t.Name}; !seen[key] {
				seen[key] = true
				tables = append(tables, key)
			}
		}
	}
	if len(tables) == 0 {
		return fmt.Errorf("triggers: no subscription reads a table whose changes a trigger can tell (see the warnings above, if any)")
	}
	slices.SortFunc(tables, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	_, err = io.WriteString(env.Stdout, changefeed.DDL(tables))
	return err
}
