package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/spec"
)

// StalePlanError lists how the database no longer matches the catalog
// facts a plan was compiled against: every request reading what is gone
// would fail, so a server refuses to start on such a plan.
type StalePlanError struct {
	Problems []string // one line each, sorted
	// Users are what the problems are of: `query "allPosts"`, `field
	// Post.author`, `the node type Post` (see DocumentChecker.Reads).
	Users []string
}

func (e *StalePlanError) Error() string {
	return fmt.Sprintf("the plan does not match the database (%d problem(s)); recompile it against this database, or start with --skip-catalog-check:\n  %s [stale-plan]",
		len(e.Problems), strings.Join(e.Problems, " [stale-plan]\n  "))
}

// catalogFact is one thing a plan relies on: a relation and the columns
// (with their types) it reads, or a function overload.
type catalogFact struct {
	user string // who relies on it, for the message: `query "allPosts"`
	// schema and name of the relation or function, unquoted.
	schema, name string
	columns      []spec.Column
	// args are a function's argument types, as format_type prints them;
	// signature is the whole, as the compiler resolved it ("" for a
	// relation).
	args, signature string
	// roles must each be allowed to read the relation or execute the
	// function: the operation's declared roles, or for what any
	// operation may reach (a relation field, a node), all of them.
	roles []string
	// through names the view or function the relation is read through
	// (see spec.Read); its existence is the source's, so only the
	// privileges are checked, of its owner when owner is set.
	through, owner string
}

// qualified is the fact's object as SQL names it.
func (f catalogFact) qualified() string { return quoteIdent(f.schema) + "." + quoteIdent(f.name) }

// The statements below find a relation or function by name in the
// catalogs, which every role may read, never through to_regclass or a
// cast, which look the name up with the session's privileges: the login
// role (an authenticator that may read nothing itself, as the README sets
// it up) has no USAGE on the API's schemas, and need not have.
var (
	relationFact = `WITH r AS (SELECT c.oid FROM ` + relationNamed("$1", "$2") + `)
		SELECT EXISTS (SELECT 1 FROM r), coalesce((SELECT json_object_agg(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
			FROM pg_catalog.pg_attribute a JOIN r ON a.attrelid = r.oid WHERE a.attnum > 0 AND NOT a.attisdropped), '{}'::json)`
	functionFact = `SELECT EXISTS (SELECT 1 FROM ` + functionNamed("$1", "$2", "$3") + `), '{}'::json`
	// A role's privileges ($1): whether it exists, has USAGE on the
	// schema ($2), and may read the relation (any column) or execute the
	// function.
	relationPrivilege = rolePrivileges(`has_any_column_privilege($1, c.oid, 'SELECT')`, relationNamed("$2", "$3"))
	functionPrivilege = rolePrivileges(`bool_and(has_function_privilege($1, p.oid, 'EXECUTE'))`, functionNamed("$2", "$3", "$4"))
)

// relationNamed is the FROM and WHERE of the relation (c) named schema.name.
func relationNamed(schema, name string) string {
	return `pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ` + schema + ` AND c.relname = ` + name
}

// functionNamed is the FROM and WHERE of the function (p) named
// schema.name with the argument types args, as format_type prints them
// and the compiler wrote them in its signature.
func functionNamed(schema, name, args string) string {
	return `pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ` + schema + ` AND p.proname = ` + name +
		` AND (SELECT coalesce(string_agg(pg_catalog.format_type(t, NULL), ', ' ORDER BY i), '') FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)) = ` + args
}

// rolePrivileges is the statement reading, for role $1, whether it
// exists, its USAGE on schema $2, and allowed over the object found in
// from (true when there is none: its absence is reported apart). A role
// that does not exist is asked nothing: has_*_privilege would fail.
func rolePrivileges(allowed, from string) string {
	return `SELECT to_regrole($1) IS NOT NULL,
			CASE WHEN to_regrole($1) IS NULL THEN false ELSE coalesce((SELECT has_schema_privilege($1, n.oid, 'USAGE') FROM pg_catalog.pg_namespace n WHERE n.nspname = $2), true) END,
			CASE WHEN to_regrole($1) IS NULL THEN false ELSE coalesce((SELECT ` + allowed + ` FROM ` + from + `), true) END`
}

// VerifyCatalog checks, in one read-only transaction and one round trip,
// that what plan recorded of the catalog when it was compiled still
// holds: each source relation exists with the columns it reads and their
// types, each function overload it calls exists, and each role an
// operation may run as has USAGE on the schema and may still read its
// relation or execute its function. It needs no privilege of the
// connection's role: it reads the catalogs. A plan compiled without
// --database-url records nothing and passes. It returns a
// [*StalePlanError] listing what no longer holds, each with the GRANT
// that fixes a missing privilege.
func VerifyCatalog(ctx context.Context, pool *pgxpool.Pool, plan *spec.Plan) error {
	facts := catalogFacts(plan)
	if len(facts) == 0 {
		return nil
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("verify the plan's catalog: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	batch := &pgx.Batch{}
	for _, f := range facts {
		switch {
		case f.through != "":
		case f.signature != "":
			batch.Queue(functionFact, f.schema, f.name, f.args)
		default:
			batch.Queue(relationFact, f.schema, f.name)
		}
	}
	for _, f := range facts {
		for _, role := range f.roles {
			if f.signature != "" {
				batch.Queue(functionPrivilege, role, f.schema, f.name, f.args)
			} else {
				batch.Queue(relationPrivilege, role, f.schema, f.name)
			}
		}
	}
	results := tx.SendBatch(ctx, batch)
	var problems, users []string
	// noted keeps f's user when f added problems since it was called last.
	seen := 0
	noted := func(f catalogFact) {
		if len(problems) > seen {
			users = append(users, f.user)
		}
		seen = len(problems)
	}
	for _, f := range facts {
		if f.through != "" {
			continue
		}
		var exists bool
		var columns map[string]string
		var raw []byte
		if err := results.QueryRow().Scan(&exists, &raw); err != nil {
			results.Close()
			return fmt.Errorf("verify the plan's catalog: %w", err)
		}
		_ = json.Unmarshal(raw, &columns)
		switch {
		case !exists && f.signature != "":
			problems = append(problems, fmt.Sprintf("%s calls %s, which does not exist", f.user, f.signature))
		case !exists:
			problems = append(problems, fmt.Sprintf("%s reads %s, which does not exist", f.user, f.qualified()))
		default:
			for _, c := range f.columns {
				switch got, ok := columns[c.Name]; {
				case !ok:
					problems = append(problems, fmt.Sprintf("%s reads column %s of %s, which does not exist", f.user, c.Name, f.qualified()))
				case got != c.SQLType:
					problems = append(problems, fmt.Sprintf("%s reads column %s of %s as %s, but it is %s", f.user, c.Name, f.qualified(), c.SQLType, got))
				}
			}
		}
		noted(f)
	}
	for _, f := range facts {
		for _, role := range f.roles {
			var exists, usage, allowed bool
			if err := results.QueryRow().Scan(&exists, &usage, &allowed); err != nil {
				results.Close()
				return fmt.Errorf("verify the plan's catalog: %w", err)
			}
			who := fmt.Sprintf("%s may be called as role %q, which", f.user, role)
			if f.through != "" {
				who = fmt.Sprintf("%s reads %s through %s as role %q, which", f.user, f.qualified(), f.through, role)
			}
			switch {
			case !exists && f.owner != "":
				problems = append(problems, fmt.Sprintf("%s does not exist", who))
			case !exists:
				problems = append(problems, fmt.Sprintf("%s may be called as role %q, which does not exist", f.user, role))
			case !usage:
				problems = append(problems, fmt.Sprintf("%s has no USAGE on schema %s: GRANT USAGE ON SCHEMA %s TO %s", who, quoteIdent(f.schema), quoteIdent(f.schema), quoteIdent(role)))
			case !allowed && f.signature != "":
				problems = append(problems, fmt.Sprintf("%s may not EXECUTE %s: GRANT EXECUTE ON FUNCTION %s TO %s", who, f.signature, f.signature, quoteIdent(role)))
			case !allowed:
				problems = append(problems, fmt.Sprintf("%s may not SELECT from %s: GRANT SELECT ON %s TO %s", who, f.qualified(), f.qualified(), quoteIdent(role)))
			}
		}
		noted(f)
	}
	if err := results.Close(); err != nil {
		return fmt.Errorf("verify the plan's catalog: %w", err)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		slices.Sort(users)
		return &StalePlanError{Problems: slices.Compact(problems), Users: slices.Compact(users)}
	}
	return nil
}

// quoteIdent quotes a name as SQL does when it must.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// splitQualified reads a quoted, qualified name the compiler wrote
// ("app"."f") into its schema and name.
func splitQualified(sql string) (schema, name string) {
	var parts []string
	for rest := sql; rest != ""; {
		if !strings.HasPrefix(rest, `"`) {
			return "", ""
		}
		var b strings.Builder
		i := 1
		for ; i < len(rest); i++ {
			if rest[i] == '"' {
				if i+1 < len(rest) && rest[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			b.WriteByte(rest[i])
		}
		parts = append(parts, b.String())
		rest = strings.TrimPrefix(rest[min(i+1, len(rest)):], ".")
	}
	if len(parts) != 2 {
		return "", ""
	}
	return parts[0], parts[1]
}

// catalogFacts gathers what the plan recorded of the catalog: the source
// of every operation, relation, look-ahead field and node type, and every
// function it calls.
func catalogFacts(plan *spec.Plan) []catalogFact {
	var out []catalogFact
	reach := rolesReaching(plan)
	// reads adds what a source reads through itself: as its owner, or as
	// the roles that call it.
	reads := func(user, through string, rs []spec.Read, roles []string) {
		for _, r := range rs {
			f := catalogFact{user: user, schema: r.Schema, name: r.Name, through: through, owner: r.Owner, roles: roles}
			if r.Owner != "" {
				f.roles = []string{r.Owner}
			}
			out = append(out, f)
		}
	}
	function := func(user, sql, signature string, roles []string) {
		// The signature's argument types: what follows the name (quoted
		// or not; plain identifiers, so no parenthesis) in parentheses.
		schema, name := splitQualified(sql)
		open := strings.IndexByte(signature, '(')
		if schema == "" || open < 0 || !strings.HasSuffix(signature, ")") {
			return // not what the compiler writes: nothing to look up by
		}
		args := signature[open+1 : len(signature)-1]
		out = append(out, catalogFact{user: user, schema: schema, name: name, args: args, signature: signature, roles: roles})
	}
	source := func(user string, s spec.Source, roles []string) {
		switch {
		case s.Object == "":
		case s.Kind == spec.SourceFunction && s.Signature != "":
			function(user, s.SQL, s.Signature, roles)
			reads(user, s.Signature, s.Reads, roles)
		case s.Kind != spec.SourceFunction:
			out = append(out, catalogFact{user: user, schema: s.Schema, name: s.Name, columns: s.Columns, roles: roles})
			reads(user, s.Object+" "+quoteIdent(s.Schema)+"."+quoteIdent(s.Name), s.Reads, roles)
		}
	}
	for _, ops := range []struct {
		kind string
		list []spec.Operation
	}{{"query", plan.Queries}, {"mutation", plan.Mutations}} {
		for _, op := range ops.list {
			source(fmt.Sprintf("%s %q", ops.kind, op.Name), op.Source, op.Roles)
		}
	}
	for _, t := range plan.Types {
		roles := reach[t.Name]
		if t.Node != nil {
			source(fmt.Sprintf("the node type %s", t.Name), t.Node.Source, roles)
		}
		for _, f := range t.Fields {
			user := fmt.Sprintf("field %s.%s", t.Name, f.Name)
			if f.Relation != nil {
				source(user, f.Relation.Source, roles)
			}
			if f.Lookahead != nil {
				source(user, *f.Lookahead, roles)
			}
			if f.Function != nil && f.Function.Signature != "" {
				function(user, f.Function.SQL, f.Function.Signature, roles)
				reads(user, f.Function.Signature, f.Function.Reads, roles)
			}
		}
	}
	return out
}

// rolesReaching is, by object type, the roles of the operations whose
// results reach it (through fields, to any depth; node types by node and
// nodes too), sorted: what reads its relations and functions runs as
// them. An operation that lists no roles adds none.
func rolesReaching(plan *spec.Plan) map[string][]string {
	types := map[string]*spec.ObjectType{}
	for i := range plan.Types {
		types[plan.Types[i].Name] = &plan.Types[i]
	}
	possible := map[string][]string{}
	for _, i := range plan.Interfaces {
		possible[i.Name] = i.PossibleTypes
	}
	for _, u := range plan.Unions {
		possible[u.Name] = u.PossibleTypes
	}
	sets := map[string]map[string]bool{}
	var visit func(name, role string)
	visit = func(name, role string) {
		if others, ok := possible[name]; ok {
			for _, o := range others {
				visit(o, role)
			}
			return
		}
		t := types[name]
		if t == nil || sets[name][role] {
			return
		}
		if sets[name] == nil {
			sets[name] = map[string]bool{}
		}
		sets[name][role] = true
		for _, f := range t.Fields {
			if ref, err := spec.ParseTypeRef(f.Type); err == nil {
				visit(ref.Named(), role)
			}
		}
	}
	for _, ops := range [][]spec.Operation{plan.Queries, plan.Mutations} {
		for _, op := range ops {
			ref, err := spec.ParseTypeRef(op.Returns)
			if err != nil {
				continue
			}
			for _, role := range op.Roles {
				visit(ref.Named(), role)
				if op.Source.Kind == spec.SourceNodes {
					for _, t := range plan.Types {
						if t.Node != nil {
							visit(t.Name, role)
						}
					}
				}
			}
		}
	}
	out := map[string][]string{}
	for name, set := range sets {
		for role := range set {
			out[name] = append(out[name], role)
		}
		slices.Sort(out[name])
	}
	return out
}
