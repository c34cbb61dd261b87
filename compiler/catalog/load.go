package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/changefeed"
)

// Options says what Load reads beyond the structure of the database.
type Options struct {
	// Role is the role requests will run as: privileges are checked for it
	// and "$user" in the search_path means it. "" checks no privileges.
	Role string
	// Sample names the jsonb columns whose keys to sample: every relation
	// with that name (in any schema) and that column is sampled.
	Sample []SampleTarget
	// SampleRows bounds the rows read per sampled relation (default 200).
	SampleRows int
	// StatementTimeout bounds each catalog statement (default 5s).
	StatementTimeout time.Duration
}

// SampleTarget is a relation name (unqualified) and one of its columns.
type SampleTarget struct {
	Relation, Column string
}

// ErrUnknownRole is returned when Options.Role names no role.
var ErrUnknownRole = errors.New("role does not exist")

// userSchemas selects the namespaces declarations can name: every schema
// but PostgreSQL's own.
const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`

// Load reads the catalog in one read-only transaction. The connection's
// own search_path is the one requests will use (the serving role is
// switched to with SET ROLE, which keeps the session's search_path), so
// connect as the login role the server uses.
func Load(ctx context.Context, conn *pgx.Conn, opts Options) (*Catalog, error) {
	if opts.SampleRows <= 0 {
		opts.SampleRows = 200
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 5 * time.Second
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only; nothing to keep
	// set_config with is_local: the timeout ends with the transaction.
	if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true)`, fmt.Sprint(opts.StatementTimeout.Milliseconds())); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	cat := &Catalog{
		Role:      opts.Role,
		Relations: map[Name]*Relation{},
		Functions: map[Name][]*Function{},
		Types:     map[uint32]*Type{},
		Schemas:   map[string]*Schema{},
		Samples:   map[Name]map[string]*Sample{},

		relationsByOID: map[uint32]*Relation{},
		functionsByOID: map[uint32]*Function{},
	}
	steps := []struct {
		what string
		run  func(context.Context, pgx.Tx, *Catalog) error
	}{
		{"role and search_path", loadSearchPath},
		{"schemas", loadSchemas},
		{"types", loadTypes},
		{"relations", loadRelations},
		{"functions", loadFunctions},
		{"session reads", loadSessionReads},
	}
	for _, s := range steps {
		if err := s.run(ctx, tx, cat); err != nil {
			if errors.Is(err, ErrUnknownRole) {
				return nil, err
			}
			return nil, fmt.Errorf("read catalog (%s): %w", s.what, err)
		}
	}
	if err := loadSamples(ctx, tx, cat, opts); err != nil {
		return nil, fmt.Errorf("read catalog (samples): %w", err)
	}
	return cat, nil
}

func loadSearchPath(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	var user, path string
	var roleExists bool
	err := tx.QueryRow(ctx, `SELECT current_user::text, current_setting('search_path'),
		$1 = '' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, cat.Role).Scan(&user, &path, &roleExists)
	if err != nil {
		return err
	}
	if !roleExists {
		return fmt.Errorf("%w: %q", ErrUnknownRole, cat.Role)
	}
	if cat.Role != "" {
		user = cat.Role
	}
	cat.SearchPath = []string{"pg_catalog"}
	for _, s := range splitSearchPath(path) {
		if s == "$user" {
			s = user
		}
		if s == "pg_catalog" {
			cat.SearchPath = cat.SearchPath[1:] // listed explicitly: searched where listed
		}
		if !slices.Contains(cat.SearchPath, s) {
			cat.SearchPath = append(cat.SearchPath, s)
		}
	}
	// From here on, only pg_catalog is visible: format_type then qualifies
	// every other type ("app".mood, not mood), so the names recorded in the
	// plan do not depend on any session's search_path.
	_, err = tx.Exec(ctx, `SELECT set_config('search_path', 'pg_catalog', true)`)
	return err
}

// splitSearchPath splits a search_path setting into schema names,
// removing double quotes ("My Schema" keeps its case and spaces).
func splitSearchPath(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			quoted = !quoted
		case ch == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		case (ch == ' ' || ch == '\t') && !quoted:
		default:
			cur.WriteByte(ch)
		}
	}
	if last := strings.TrimSpace(cur.String()); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func loadSchemas(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	rows, err := tx.Query(ctx, `SELECT n.nspname::text, $1 = '' OR has_schema_privilege($1, n.oid, 'USAGE')
		FROM pg_namespace n WHERE `+userSchemas, cat.Role)
	if err != nil {
		return err
	}
	var s Schema
	_, err = pgx.ForEachRow(rows, []any{&s.Name, &s.Usable}, func() error {
		cat.Schemas[s.Name] = &Schema{Name: s.Name, Usable: s.Usable}
		return nil
	})
	// Schemas on the search_path that do not exist are skipped, as
	// PostgreSQL skips them.
	cat.SearchPath = slices.DeleteFunc(cat.SearchPath, func(s string) bool {
		return s != "pg_catalog" && cat.Schemas[s] == nil
	})
	return err
}

func loadTypes(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	type row struct {
		oid, elem, base    uint32
		schema, name, sql  string
		kind, category     string
		relSchema, relName string
	}
	rows, err := tx.Query(ctx, `SELECT t.oid, n.nspname::text, t.typname::text, format_type(t.oid, NULL),
			t.typtype::text, t.typcategory::text, t.typelem, t.typbasetype,
			coalesce(rn.nspname::text, ''), coalesce(r.relname::text, '')
		FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		LEFT JOIN pg_class r ON r.oid = t.typrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace`)
	if err != nil {
		return err
	}
	var r row
	var all []row
	_, err = pgx.ForEachRow(rows, []any{&r.oid, &r.schema, &r.name, &r.sql, &r.kind, &r.category, &r.elem, &r.base, &r.relSchema, &r.relName}, func() error {
		all = append(all, r)
		cat.Types[r.oid] = &Type{OID: r.oid, Name: Name{r.schema, r.name}, SQL: r.sql, Kind: r.kind[0], Category: r.category[0],
			Relation: Name{r.relSchema, r.relName}}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range all {
		t := cat.Types[r.oid]
		if t.Category == 'A' {
			t.Elem = cat.Types[r.elem]
		}
		t.Base = cat.Types[r.base]
	}
	rows, err = tx.Query(ctx, `SELECT enumtypid, enumlabel::text FROM pg_enum ORDER BY enumtypid, enumsortorder`)
	if err != nil {
		return err
	}
	var oid uint32
	var label string
	_, err = pgx.ForEachRow(rows, []any{&oid, &label}, func() error {
		if t := cat.Types[oid]; t != nil {
			t.Labels = append(t.Labels, label)
		}
		return nil
	})
	return err
}

func loadRelations(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	byOID := cat.relationsByOID
	rows, err := tx.Query(ctx, `SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text,
			c.relkind = 'c' OR $1 = '' OR has_table_privilege($1, c.oid, 'SELECT'),
			c.relrowsecurity, c.relforcerowsecurity, o.rolname::text, o.rolsuper OR o.rolbypassrls,
			EXISTS (SELECT 1 FROM unnest(c.reloptions) opt
				WHERE split_part(opt, '=', 1) = 'security_invoker' AND lower(split_part(opt, '=', 2)) IN ('true', 'on', 'yes', '1')),
			coalesce(obj_description(c.oid, 'pg_class'), ''),
			EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polpermissive AND p.polcmd IN ('r', '*')
				AND p.polroles = '{0}' AND pg_get_expr(p.polqual, p.polrelid) = 'true')
			AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND NOT p.polpermissive AND p.polcmd IN ('r', '*')),
			EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace
				WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
				AND fn.nspname = $2 AND f.proname = $3
				AND t.tgtype & 67 = 0 AND t.tgtype & 60 = 60) -- for each statement, after, on insert, delete, update and truncate
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles o ON o.oid = c.relowner
		WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'c') AND `+userSchemas, cat.Role, changefeed.FunctionSchema, changefeed.FunctionName)
	if err != nil {
		return err
	}
	var oid uint32
	var schema, name, kind string
	var r Relation
	_, err = pgx.ForEachRow(rows, []any{&oid, &schema, &name, &kind, &r.Selectable, &r.RowSecurity, &r.ForceRowSecurity, &r.Owner, &r.OwnerBypassesRLS, &r.SecurityInvoker, &r.Comment, &r.PoliciesShowAll, &r.NotifiesChanges}, func() error {
		rel := r
		rel.Name, rel.Kind = Name{schema, name}, kind[0]
		byOID[oid] = &rel
		cat.Relations[rel.Name] = &rel
		return nil
	})
	if err != nil {
		return err
	}
	// What each view reads: the relations its rewrite rule depends on.
	rows, err = tx.Query(ctx, `SELECT DISTINCT r.ev_class, d.refobjid
		FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
			AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	var view, read uint32
	_, err = pgx.ForEachRow(rows, []any{&view, &read}, func() error {
		if v, r := byOID[view], byOID[read]; v != nil && r != nil {
			v.Reads = append(v.Reads, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT a.attrelid, a.attname::text, a.atttypid, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			c.relkind = 'c' OR $1 = '' OR has_column_privilege($1, a.attrelid, a.attnum, 'SELECT'),
			coalesce(col_description(a.attrelid, a.attnum), '')
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'f', 'p', 'c') AND `+userSchemas+`
		ORDER BY a.attrelid, a.attnum`, cat.Role)
	if err != nil {
		return err
	}
	var col Column
	var typeOID uint32
	_, err = pgx.ForEachRow(rows, []any{&oid, &col.Name, &typeOID, &col.TypeSQL, &col.NotNull, &col.Selectable, &col.Comment}, func() error {
		if r := byOID[oid]; r != nil {
			c := col
			c.Type = cat.Types[typeOID]
			r.Columns = append(r.Columns, &c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT i.indrelid, a.attname::text FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indkey[0] <> 0
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	var unique string
	_, err = pgx.ForEachRow(rows, []any{&oid, &unique}, func() error {
		if r := byOID[oid]; r != nil && !slices.Contains(r.UniqueColumns, unique) {
			r.UniqueColumns = append(r.UniqueColumns, unique)
		}
		return nil
	})
	return err
}

func loadFunctions(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	rows, err := tx.Query(ctx, `SELECT p.oid, n.nspname::text, p.proname::text, p.prokind::text, p.provolatile::text,
			p.prosecdef, p.proretset, p.prorettype, p.proargtypes::oid[], coalesce(p.proallargtypes, '{}'),
			coalesce(p.proargmodes::text[], '{}'), coalesce(p.proargnames, '{}'), p.pronargdefaults,
			EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'),
			$1 = '' OR has_function_privilege($1, p.oid, 'EXECUTE'),
			coalesce(obj_description(p.oid, 'pg_proc'), ''),
			o.rolname::text, o.rolsuper OR o.rolbypassrls, p.prosqlbody IS NOT NULL,
			CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE coalesce(p.prosrc, '') END
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles o ON o.oid = p.proowner
		WHERE p.prokind IN ('f', 'p') AND `+userSchemas, cat.Role)
	if err != nil {
		return err
	}
	var (
		oid, result               uint32
		schema, name, kind, vol   string
		secdef, retset, fixedPath bool
		inTypes, allTypes         []uint32
		modes, names              []string
		defaults                  int16
		executable                bool
		comment, owner            string
		ownerBypasses, bodyKnown  bool
		body                      string
	)
	byOID := cat.functionsByOID
	_, err = pgx.ForEachRow(rows, []any{&oid, &schema, &name, &kind, &vol, &secdef, &retset, &result, &inTypes, &allTypes, &modes, &names, &defaults, &fixedPath, &executable, &comment, &owner, &ownerBypasses, &bodyKnown, &body}, func() error {
		f := &Function{
			Name: Name{schema, name}, OID: oid, Defaults: int(defaults), Result: cat.Types[result],
			ReturnsSet: retset, Volatility: vol[0], SecurityDefiner: secdef, FixedSearchPath: fixedPath,
			Procedure: kind == "p", Executable: executable, Comment: comment,
			Owner: owner, OwnerBypassesRLS: ownerBypasses, BodyKnown: bodyKnown, Body: body,
		}
		byOID[oid] = f
		nameAt := func(i int) string {
			if i < len(names) {
				return names[i]
			}
			return ""
		}
		if len(allTypes) == 0 {
			for i, t := range inTypes {
				f.Args = append(f.Args, &Arg{Name: nameAt(i), Type: cat.Types[t], Mode: In})
			}
		} else {
			for i, t := range allTypes {
				mode := modes[i][0]
				if mode == In || mode == InOut || mode == Variadic {
					f.Args = append(f.Args, &Arg{Name: nameAt(i), Type: cat.Types[t], Mode: mode})
				}
				if mode == Out || mode == InOut || mode == TableArg {
					f.Columns = append(f.Columns, &Column{Name: nameAt(i), Type: cat.Types[t], TypeSQL: cat.Types[t].SQL, Selectable: true})
				}
			}
		}
		cat.Functions[f.Name] = append(cat.Functions[f.Name], f)
		return nil
	})
	if err != nil {
		return err
	}
	// What each BEGIN ATOMIC body names, as a view's rewrite rule does.
	rows, err = tx.Query(ctx, `SELECT DISTINCT d.objid, n.nspname::text, c.relname::text
		FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
		ORDER BY 1, 2, 3`)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&oid, &schema, &name}, func() error {
		if f, r := byOID[oid], cat.Relations[Name{schema, name}]; f != nil && r != nil {
			f.Reads = append(f.Reads, r)
		}
		return nil
	})
	for _, fns := range cat.Functions {
		slices.SortFunc(fns, func(a, b *Function) int { return strings.Compare(a.Signature(), b.Signature()) })
	}
	return err
}

// loadSessionReads reads what may make a relation's rows depend on the
// session (its settings: the claims the runtime sets): the policies'
// expressions, views' definitions and function bodies, and the user
// functions each calls and relations the policies read, as PostgreSQL
// recorded their dependencies.
func loadSessionReads(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	rows, err := tx.Query(ctx, `SELECT p.polrelid, coalesce(pg_get_expr(p.polqual, p.polrelid), '')
			FROM pg_policy p WHERE p.polcmd IN ('r', '*')
		UNION ALL
		SELECT c.oid, coalesce(pg_get_viewdef(c.oid), '')
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('v', 'm') AND `+userSchemas+`
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	var oid, callee uint32
	var text string
	_, err = pgx.ForEachRow(rows, []any{&oid, &text}, func() error {
		if r := cat.relationsByOID[oid]; r != nil {
			r.SessionReads = append(r.SessionReads, text)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT p.polrelid, d.refobjid FROM pg_depend d
			JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
			WHERE d.refclassid = 'pg_proc'::regclass AND p.polcmd IN ('r', '*')
		UNION
		SELECT r.ev_class, d.refobjid FROM pg_depend d
			JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
			WHERE d.refclassid = 'pg_proc'::regclass
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&oid, &callee}, func() error {
		if r, f := cat.relationsByOID[oid], cat.functionsByOID[callee]; r != nil && f != nil {
			r.Calls = append(r.Calls, f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT p.polrelid, d.refobjid, p.polname::text,
			CASE WHEN $1 = '' THEN false WHEN to_regrole($1) IS NULL THEN false ELSE
				(0 = ANY (p.polroles) OR EXISTS (SELECT 1 FROM unnest(p.polroles) r WHERE pg_has_role($1, r, 'MEMBER')))
				AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE oid = to_regrole($1))
				AND NOT (pg_has_role($1, c.relowner, 'USAGE') AND NOT c.relforcerowsecurity) END
		FROM pg_depend d
			JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
			JOIN pg_class c ON c.oid = p.polrelid
		WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid <> p.polrelid AND p.polcmd IN ('r', '*')
		ORDER BY 1, 3, 2`, cat.Role)
	if err != nil {
		return err
	}
	var read uint32
	var policy string
	var applies bool
	_, err = pgx.ForEachRow(rows, []any{&oid, &read, &policy, &applies}, func() error {
		if r, q := cat.relationsByOID[oid], cat.relationsByOID[read]; r != nil && q != nil {
			r.PolicyReads = append(r.PolicyReads, PolicyRead{Policy: policy, Relation: q, AppliesToRole: applies && r.RowSecurity})
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT d.objid, d.refobjid FROM pg_depend d
		WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n'
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&oid, &callee}, func() error {
		if f, g := cat.functionsByOID[oid], cat.functionsByOID[callee]; f != nil && g != nil {
			f.Calls = append(f.Calls, g)
		}
		return nil
	})
	return err
}

// loadSamples reads the keys of sampled jsonb columns. A relation that
// cannot be read (no privilege, a view that fails) gets Sample.Err, and
// the others are still sampled.
func loadSamples(ctx context.Context, tx pgx.Tx, cat *Catalog, opts Options) error {
	for _, target := range opts.Sample {
		for name, rel := range cat.Relations {
			col := rel.Column(target.Column)
			if name.Name != target.Relation || rel.Kind == Composite || col == nil || col.Type == nil || col.Type.Underlying().Name != (Name{"pg_catalog", "jsonb"}) {
				continue
			}
			if cat.Samples[name] == nil {
				cat.Samples[name] = map[string]*Sample{}
			}
			if cat.Samples[name][target.Column] != nil {
				continue
			}
			s, err := sample(ctx, tx, rel, target.Column, opts.SampleRows)
			if err != nil {
				return err
			}
			cat.Samples[name][target.Column] = s
		}
	}
	return nil
}

func sample(ctx context.Context, tx pgx.Tx, rel *Relation, column string, limit int) (*Sample, error) {
	// Names come from the catalog and are quoted; the limit is bound.
	src := pgx.Identifier{rel.Schema, rel.Name.Name}.Sanitize()
	col := pgx.Identifier{column}.Sanitize()
	sql := `WITH sample AS (SELECT s.` + col + ` AS d FROM ` + src + ` s LIMIT $1)
		SELECT NULL::text, NULL::text, count(*) FROM sample WHERE jsonb_typeof(d) = 'object'
		UNION ALL
		SELECT e.key, jsonb_typeof(e.value), count(*) FROM sample, jsonb_each(CASE WHEN jsonb_typeof(d) = 'object' THEN d END) e GROUP BY 1, 2`
	sub, err := tx.Begin(ctx) // a savepoint: a failing sample leaves the transaction usable
	if err != nil {
		return nil, err
	}
	s := &Sample{Keys: map[string]*KeyStats{}}
	rows, _ := sub.Query(ctx, sql, limit)
	var key, typ *string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&key, &typ, &n}, func() error {
		if key == nil {
			s.Rows = n
			return nil
		}
		k := s.Keys[*key]
		if k == nil {
			k = &KeyStats{Types: map[string]int{}}
			s.Keys[*key] = k
		}
		k.Rows += n
		k.Types[*typ] += n
		return nil
	})
	if err != nil {
		if rbErr := sub.Rollback(ctx); rbErr != nil {
			return nil, rbErr
		}
		return &Sample{Err: err.Error()}, nil
	}
	return s, sub.Commit(ctx)
}
