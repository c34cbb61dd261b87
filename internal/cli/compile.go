package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// CheckCmd checks declarations and reports diagnostics; with --plan, it
// checks a compiled plan against the database instead, as serve does at
// start.
type CheckCmd struct {
	Paths  []string `arg:"" optional:"" name:"path" help:"Declaration files, or directories to search for *.yaml, *.yml and *.go (not _test.go)."`
	Plan   string   `name:"plan" placeholder:"FILE" help:"Check this compiled plan against --database-url (what serve verifies at start) instead of declarations."`
	Format string   `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
	documentFlags
	DatabaseFlags
}

func (c *CheckCmd) Run(ctx context.Context, env *Env) error {
	switch {
	case c.Plan != "" && len(c.Paths) > 0:
		return fmt.Errorf("check takes declarations or --plan, not both")
	case c.Plan != "":
		return c.checkPlan(ctx, env)
	case len(c.Paths) == 0:
		return fmt.Errorf("check needs declarations to check (paths), or --plan with --database-url")
	}
	_, err := compileAndReport(ctx, env, c.Paths, c.Documents, c.Format, c.DatabaseFlags)
	return err
}

// checkPlan verifies a plan's catalog facts against the database.
func (c *CheckCmd) checkPlan(ctx context.Context, env *Env) error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("check --plan needs --database-url")
	}
	plan, err := readPlan(env, c.Plan)
	if err != nil {
		return err
	}
	poolConfig, err := runtime.PoolConfig(c.DatabaseURL, 1, runtime.Limits{})
	if err != nil {
		return err
	}
	pool, err := runtime.Connect(ctx, poolConfig, 0, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	err = runtime.VerifyCatalog(ctx, pool, plan)
	var stale *runtime.StalePlanError
	if !errors.As(err, &stale) {
		return err
	}
	var diags decl.Diagnostics
	for _, p := range stale.Problems {
		diags = append(diags, decl.Diagnostic{Severity: decl.Error, Code: "stale-plan", Message: c.Plan + ": " + p})
	}
	more, err := staleDocuments(plan, stale)
	if err != nil {
		return err
	}
	diags = append(diags, more...).Sort()
	if err := writeDiagnostics(env, diags, c.Format); err != nil {
		return err
	}
	return errFindings
}

// CompileCmd checks declarations and writes the plan.
type CompileCmd struct {
	Paths  []string `arg:"" name:"path" help:"Declaration files, or directories to search for *.yaml, *.yml and *.go (not _test.go)."`
	Output string   `short:"o" default:"plan.json" env:"GQLPLAN_PLAN" help:"Where to write the plan; - for standard output."`
	Format string   `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
	documentFlags
	DatabaseFlags
}

func (c *CompileCmd) Run(ctx context.Context, env *Env) error {
	env.planOnStdout = c.Output == "-"
	plan, err := compileAndReport(ctx, env, c.Paths, c.Documents, c.Format, c.DatabaseFlags)
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

// compileAndReport loads and compiles, checks the trusted documents of
// documents against the plan (when it compiled) and records them in it,
// prints the diagnostics, and returns the plan, errFindings when there
// were errors, or an I/O error.
func compileAndReport(ctx context.Context, env *Env, paths, documents []string, format string, db DatabaseFlags) (*spec.Plan, error) {
	plan, diags, err := compileDeclarations(ctx, env, paths, format, db)
	if err != nil {
		return nil, err
	}
	if len(documents) > 0 {
		docs, more, err := readDocuments(env, documents)
		if err != nil {
			return nil, err
		}
		diags = append(diags, more...)
		if plan != nil && !diags.HasErrors() {
			more, trusted, err := checkDocuments(plan, docs)
			if err != nil {
				return nil, err
			}
			diags, plan.Documents = append(diags, more...), trusted
		}
	}
	return report(env, diags, plan, format)
}

// compileDeclarations loads and compiles, and returns the plan (nil when
// there are errors) with the diagnostics; an I/O error, or errReported
// when the catalog could not be read (its diagnostic printed).
func compileDeclarations(ctx context.Context, env *Env, paths []string, format string, db DatabaseFlags) (*spec.Plan, decl.Diagnostics, error) {
	files, diags, err := compiler.LoadPaths(env.Dir, paths)
	if err != nil {
		return nil, nil, err
	}
	opts := compiler.Options{StrictRLS: db.StrictRLS}
	if db.DatabaseURL == "" {
		plan, more := compiler.CompileWith(files, opts)
		return plan, append(diags, more...), nil
	}
	// The privileges are checked as each role the declarations name (or
	// as --role alone): one catalog read and one compile per role, their
	// diagnostics merged.
	roles := []string{db.Role}
	if db.Role == "" {
		if declared := declaredRoles(files); len(declared) > 0 {
			roles = declared
		}
	}
	var plan *spec.Plan
	for _, role := range roles {
		as := db
		as.Role = role
		cat, diag := as.readCatalog(ctx, files)
		if diag != nil {
			if err := writeDiagnostics(env, decl.Diagnostics{*diag}, format); err != nil {
				return nil, nil, err
			}
			return nil, nil, errReported
		}
		opts.Catalog = cat
		// Files with errors still go through the compiler, so one mistake
		// does not hide the others.
		compiled, more := compiler.CompileWith(files, opts)
		if plan == nil {
			plan = compiled
		}
		diags = append(diags, more...)
	}
	return plan, diags, nil
}

// report prints diagnostics, each once, and returns the plan, or
// errFindings when there were errors.
func report(env *Env, diags decl.Diagnostics, plan *spec.Plan, format string) (*spec.Plan, error) {
	diags = diags.Sort()
	diags = slices.CompactFunc(diags, func(a, b decl.Diagnostic) bool { return a == b })
	if err := writeDiagnostics(env, diags, format); err != nil {
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
// A path that is not a regular file (/dev/null, a pipe) is written to, not
// replaced: renaming over it would replace the device.
func writeFileAtomic(path string, data []byte) error {
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		if info.IsDir() {
			return fmt.Errorf("write plan: %s is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write plan: %w", err)
		}
		_, err = f.Write(data)
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			return fmt.Errorf("write plan: %w", err)
		}
		return nil
	}
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

// declaredRoles are the roles the declarations name, at the top level
// and on operations, sorted.
func declaredRoles(files []*decl.File) []string {
	var out []string
	for _, f := range files {
		for _, r := range f.Roles {
			out = append(out, r.Value)
		}
		for _, op := range append(slices.Clone(f.Queries), f.Mutations...) {
			for _, r := range op.Roles {
				out = append(out, r.Value)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
