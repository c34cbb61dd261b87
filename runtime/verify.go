package runtime

import (
	"context"
	"encoding/json"
	"fmt"
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
}

func (e *StalePlanError) Error() string {
	return fmt.Sprintf("the plan does not match the database (%d problem(s)); recompile it against this database, or start with --skip-catalog-check:\n  %s [stale-plan]",
		len(e.Problems), strings.Join(e.Problems, " [stale-plan]\n  "))
}

// catalogFact is one thing a plan relies on: a relation and the columns
// (with their types) it reads, or a function overload.
type catalogFact struct {
	user      string // who relies on it, for the message: `query "allPosts"`
	relation  string // quoted, qualified
	columns   []spec.Column
	signature string // a function's, as the compiler resolved it
	// roles must each be allowed to read the relation or execute the
	// function: the operation's declared roles.
	roles []string
}

// VerifyCatalog checks, in one read-only transaction and one round trip,
// that what plan recorded of the catalog when it was compiled still
// holds: each source relation exists with the columns it reads and their
// types, each function overload it calls exists, and each role an
// operation declares may still read its relation or execute its function. A plan compiled
// without --database-url records nothing and passes. It returns a
// [*StalePlanError] listing what no longer holds.
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
		if f.signature != "" {
			batch.Queue(`SELECT to_regprocedure($1) IS NOT NULL, '{}'::json`, f.signature)
			continue
		}
		batch.Queue(`SELECT to_regclass($1) IS NOT NULL, coalesce((SELECT json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod))
			FROM pg_catalog.pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped), '{}'::json)`, f.relation)
	}
	for _, f := range facts {
		for _, role := range f.roles {
			if f.signature != "" {
				batch.Queue(`SELECT to_regrole($1) IS NOT NULL, coalesce(to_regrole($1) IS NOT NULL AND has_function_privilege($1, to_regprocedure($2), 'EXECUTE'), false)`, role, f.signature)
			} else {
				batch.Queue(`SELECT to_regrole($1) IS NOT NULL, coalesce(to_regrole($1) IS NOT NULL AND has_any_column_privilege($1, to_regclass($2), 'SELECT'), false)`, role, f.relation)
			}
		}
	}
	results := tx.SendBatch(ctx, batch)
	var problems []string
	for _, f := range facts {
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
			problems = append(problems, fmt.Sprintf("%s reads %s, which does not exist", f.user, f.relation))
		default:
			for _, c := range f.columns {
				switch got, ok := columns[c.Name]; {
				case !ok:
					problems = append(problems, fmt.Sprintf("%s reads column %s of %s, which does not exist", f.user, c.Name, f.relation))
				case got != c.SQLType:
					problems = append(problems, fmt.Sprintf("%s reads column %s of %s as %s, but it is %s", f.user, c.Name, f.relation, c.SQLType, got))
				}
			}
		}
	}
	for _, f := range facts {
		for _, role := range f.roles {
			var exists, allowed bool
			if err := results.QueryRow().Scan(&exists, &allowed); err != nil {
				results.Close()
				return fmt.Errorf("verify the plan's catalog: %w", err)
			}
			switch {
			case !exists:
				problems = append(problems, fmt.Sprintf("%s may be called as role %q, which does not exist", f.user, role))
			case !allowed && f.signature != "":
				problems = append(problems, fmt.Sprintf("%s may be called as role %q, which may not EXECUTE %s", f.user, role, f.signature))
			case !allowed:
				problems = append(problems, fmt.Sprintf("%s may be called as role %q, which may not SELECT from %s", f.user, role, f.relation))
			}
		}
	}
	if err := results.Close(); err != nil {
		return fmt.Errorf("verify the plan's catalog: %w", err)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return &StalePlanError{Problems: problems}
	}
	return nil
}

// catalogFacts gathers what the plan recorded of the catalog: the source
// of every operation, relation, look-ahead field and node type, and every
// function it calls.
func catalogFacts(plan *spec.Plan) []catalogFact {
	var out []catalogFact
	source := func(user string, s spec.Source, roles []string) {
		switch {
		case s.Object == "":
		case s.Kind == spec.SourceFunction && s.Signature != "":
			out = append(out, catalogFact{user: user, signature: s.Signature, roles: roles})
		case s.Kind != spec.SourceFunction:
			out = append(out, catalogFact{user: user, relation: s.SQL, columns: s.Columns, roles: roles})
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
		if t.Node != nil {
			source(fmt.Sprintf("the node type %s", t.Name), t.Node.Source, nil)
		}
		for _, f := range t.Fields {
			user := fmt.Sprintf("field %s.%s", t.Name, f.Name)
			if f.Relation != nil {
				source(user, f.Relation.Source, nil)
			}
			if f.Lookahead != nil {
				source(user, *f.Lookahead, nil)
			}
			if f.Function != nil && f.Function.Signature != "" {
				out = append(out, catalogFact{user: user, signature: f.Function.Signature})
			}
		}
	}
	return out
}
