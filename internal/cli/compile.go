package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// CheckCmd checks declarations and reports diagnostics.
type CheckCmd struct {
	Paths  []string `arg:"" name:"path" help:"Declaration files, or directories to search for *.yaml and *.yml."`
	Format string   `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
	DatabaseFlags
}

func (c *CheckCmd) Run(ctx context.Context, env *Env) error {
	_, err := compileAndReport(ctx, env, c.Paths, c.Format, c.DatabaseFlags)
	return err
}

// CompileCmd checks declarations and writes the plan.
type CompileCmd struct {
	Paths  []string `arg:"" name:"path" help:"Declaration files, or directories to search for *.yaml and *.yml."`
	Output string   `short:"o" default:"plan.json" env:"GQLPLAN_PLAN" help:"Where to write the plan; - for standard output."`
	Format string   `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
	DatabaseFlags
}

func (c *CompileCmd) Run(ctx context.Context, env *Env) error {
	plan, err := compileAndReport(ctx, env, c.Paths, c.Format, c.DatabaseFlags)
	if err != nil {
		return err
	}
	data, err := spec.Encode(plan)
	if err != nil {
		return err
	}
	if c.Output == "-" {
		_, err = env.Stdout.Write(data)
		return err
	}
	return writeFileAtomic(resolvePath(env.Dir, c.Output), data)
}

// compileAndReport loads and compiles, prints the diagnostics, and returns
// the plan, errFindings when there were errors, or an I/O error.
func compileAndReport(ctx context.Context, env *Env, paths []string, format string, db DatabaseFlags) (*spec.Plan, error) {
	files, diags, err := compiler.LoadPaths(env.Dir, paths)
	if err != nil {
		return nil, err
	}
	var opts compiler.Options
	if db.DatabaseURL != "" {
		cat, diag := db.readCatalog(ctx, files)
		if diag != nil {
			if err := writeDiagnostics(env.Stderr, decl.Diagnostics{*diag}, format); err != nil {
				return nil, err
			}
			return nil, errReported
		}
		opts.Catalog = cat
	}
	// Files with errors still go through the compiler, so one mistake does
	// not hide the others.
	plan, more := compiler.CompileWith(files, opts)
	diags = append(diags, more...).Sort()
	if err := writeDiagnostics(env.Stderr, diags, format); err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, errFindings
	}
	return plan, nil
}

func resolvePath(dir, p string) string {
	if dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// writeFileAtomic replaces path with data so that a reader (or a server
// watching the file) sees either the old plan or the new one, never half.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plan-*.json")
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// SDLCmd prints a plan's schema.
type SDLCmd struct {
	Plan string `arg:"" name:"plan" help:"A plan written by gqlplan compile."`
}

func (c *SDLCmd) Run(env *Env) error {
	plan, err := readPlan(env, c.Plan)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Stdout, plan.SDL)
	return err
}

// readPlan reads and verifies a compiled plan.
func readPlan(env *Env, path string) (*spec.Plan, error) {
	data, err := os.ReadFile(resolvePath(env.Dir, path))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	plan, err := spec.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return plan, nil
}
