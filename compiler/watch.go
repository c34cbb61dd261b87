package compiler

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/internal/changefeed"
	"github.com/gqlplan/gqlplan/spec"
)

// A subscription is read again when a table its result comes from
// changes: the server learns of each committed change by the trigger
// gqlplan triggers writes (package changefeed). This file finds those
// tables, once, against the catalog: the source, what views, BEGIN
// ATOMIC functions and row security policies read in turn (a policy's
// subquery decides which rows a reader sees), and the same for every relation and
// computed field its type reaches — more than one request selects, never
// less, so a change can make a group read in vain but never miss it.
//
// On the way it finds the claims those rows can depend on: the settings
// jwt.claims.<name> that the policies, views and functions passed name.
// Subscribers whose values of these agree see the same rows (the role
// aside, which is part of the group too), so they share one read.

// watchTables records each subscription's tables in the plan, warns when
// they cannot all be known (subscription-tables-unknown) and when one has
// no trigger (db-subscription-trigger).
func (c *checker) watchTables(plan *spec.Plan, decls []declaredOp) {
	for i := range plan.Subscriptions {
		op, d := &plan.Subscriptions[i], decls[i]
		w := watch{c: c, tables: map[catalog.Name]*catalog.Relation{}, types: map[string]bool{}, claims: map[string]bool{}, visited: map[any]bool{}}
		w.source(&op.Source)
		w.typ(op.Returns)
		if op.Resolver != "" {
			w.unknown = append(w.unknown, "resolver "+op.Resolver)
		}
		w.declared(d)
		if len(w.unknown) > 0 {
			// What an opaque function or a resolver reads is declared:
			// the claims its rows depend on are not known.
			w.allClaims = true
			slices.Sort(w.unknown)
			if len(d.Tables) == 0 {
				c.diags.Errorf(d.Name.Range, "subscription-tables-unknown",
					"subscription %s: what %s reads cannot be known ahead (only a BEGIN ATOMIC body is parsed when it is created): name the tables in \"tables\", or rewrite the function as BEGIN ATOMIC",
					op.Name, strings.Join(slices.Compact(w.unknown), ", "))
				continue
			}
			if missing := w.undeclared(); len(missing) > 0 {
				c.diags.Errorf(d.Tables[0].Range, "subscription-tables-missing",
					"subscription %s: the body of %s names %s, which \"tables\" does not list: a change to %s would not read the subscription again",
					op.Name, strings.Join(slices.Compact(w.unknown), ", "), strings.Join(missing, ", "),
					map[bool]string{true: "it", false: "them"}[len(missing) == 1])
			}
		}
		op.AllClaims = w.allClaims
		if !w.allClaims {
			claims := map[string]bool{}
			for _, c := range op.Claims {
				claims[c] = true
			}
			for c := range w.claims {
				claims[c] = true
			}
			op.GroupClaims = slices.Sorted(maps.Keys(claims))
		}
		var silent []string
		for name, rel := range w.tables {
			op.Tables = append(op.Tables, spec.Table{Schema: name.Schema, Name: name.Name})
			if !rel.NotifiesChanges {
				silent = append(silent, name.String())
			}
		}
		slices.SortFunc(op.Tables, func(a, b spec.Table) int {
			return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
		})
		if len(silent) > 0 {
			slices.Sort(silent)
			c.diags.Warnf(d.Name.Range, "db-subscription-trigger",
				"subscription %s reads %s, which %s not notify %s changes: its subscribers see them only at --subscription-poll; apply the DDL that \"gqlplan triggers\" prints (%s)",
				op.Name, strings.Join(silent, ", "), map[bool]string{true: "does", false: "do"}[len(silent) == 1],
				map[bool]string{true: "its", false: "their"}[len(silent) == 1], changefeed.TriggerName)
		}
	}
}

// watch collects the tables and claims of one subscription.
type watch struct {
	c       *checker
	tables  map[catalog.Name]*catalog.Relation
	types   map[string]bool     // object types visited
	unknown []string            // what reads tables that cannot be known
	opaque  []*catalog.Function // functions among unknown: their bodies are text
	// claims are the jwt.claims.* settings read; allClaims: some setting
	// is read whose name cannot be known.
	claims    map[string]bool
	allClaims bool
	visited   map[any]bool // relations and functions whose session reads were scanned
}

// source adds the tables src reads: itself when it is a table, and what
// it reads in turn.
func (w *watch) source(src *spec.Source) {
	if src.Kind == spec.SourceFunction {
		w.function(w.c.functionsUsed[src.SQL])
	}
	w.relation(src.Schema, src.Name)
	w.reads(src.Reads)
}

// function adds what a function called reads: nothing known when its
// body is not parsed ahead.
func (w *watch) function(f *catalog.Function) {
	if f == nil || w.visited[f] {
		return
	}
	w.visited[f] = true
	if !f.BodyKnown {
		w.unknown = append(w.unknown, "function "+f.Signature())
		w.opaque = append(w.opaque, f)
		return
	}
	w.sessionReads(f.Body)
	for _, g := range f.Calls {
		w.function(g)
	}
}

// claimSetting is how a policy, view or function names a claim's
// setting, and namedByExpression a setting whose name is computed, or
// the whole claim set: then any claim may matter.
var (
	claimSetting      = regexp.MustCompile(`jwt\.claims\.([A-Za-z0-9_$]*)`)
	namedByExpression = regexp.MustCompile(`(?i)request\.jwt\.claims\b|current_setting\s*\(\s*[^'\s]|set_config|current_setting\s*\(\s*'[^']*'\s*\|\|`)
)

// sessionReads adds the claims text reads.
func (w *watch) sessionReads(text string) {
	if namedByExpression.MatchString(text) {
		w.allClaims = true
	}
	for _, m := range claimSetting.FindAllStringSubmatch(text, -1) {
		if m[1] == "" || strings.Contains(m[1], "$") || m[1][0] >= '0' && m[1][0] <= '9' {
			w.allClaims = true // 'jwt.claims.' || …, or a name a claim cannot have in the plan
			continue
		}
		w.claims[m[1]] = true
	}
}

func (w *watch) reads(reads []spec.Read) {
	for _, r := range reads {
		w.relation(r.Schema, r.Name)
	}
}

// relation adds schema.name when the catalog says it is a table: views
// are followed through their reads, and materialized and foreign tables
// change without triggers (REFRESH, the remote server), so polling is
// what sees their changes.
func (w *watch) relation(schema, name string) {
	rel := w.c.cat.Relations[catalog.Name{Schema: schema, Name: name}]
	if rel == nil || w.visited[rel] {
		return
	}
	w.visited[rel] = true
	if rel.Kind == catalog.Table || rel.Kind == catalog.PartitionedTable {
		w.tables[rel.Name] = rel
	}
	for _, text := range rel.SessionReads {
		w.sessionReads(text)
	}
	for _, f := range rel.Calls {
		w.function(f)
	}
	for _, read := range rel.PolicyReads {
		w.relation(read.Relation.Name.Schema, read.Relation.Name.Name)
	}
}

// typ adds the tables of every field of the type ref names, and of the
// types they reach.
func (w *watch) typ(ref string) {
	name := strings.Trim(ref, "[]! ")
	if w.types[name] {
		return
	}
	w.types[name] = true
	t := w.c.objects[name]
	if t == nil { // a connection or edge type, generated after the operations
		if g, ok := w.c.gen.types[name]; ok {
			t = &g
		}
	}
	if t != nil {
		if t.Node != nil {
			w.source(&t.Node.Source)
		}
		w.fields(t.Fields)
	}
	for _, possible := range w.c.possibleTypes(name) {
		w.typ(possible)
	}
}

func (w *watch) fields(fields []spec.Field) {
	for i := range fields {
		f := &fields[i]
		switch {
		case f.Resolver != "":
			w.unknown = append(w.unknown, fmt.Sprintf("resolver %s", f.Resolver))
		case f.Relation != nil:
			w.source(&f.Relation.Source)
		case f.Function != nil:
			w.function(w.c.functionsUsed[f.Function.SQL])
			w.reads(f.Function.Reads)
		}
		if f.Lookahead != nil {
			w.source(f.Lookahead)
		}
		w.typ(f.Type)
	}
}

// declared adds the tables a subscription declares (a view's, as it
// reads them); each must be a table or view the catalog has.
func (w *watch) declared(d declaredOp) {
	for i := range d.Tables {
		t := &d.Tables[i]
		q, ok := w.c.qualifiedName(*t, d.file, "a table")
		if !ok {
			continue
		}
		found, rel, _ := w.c.cat.Resolve(w.c.searchSchema(t, d.file, q.Schema), q.Name)
		switch {
		case found == "":
			w.c.diags.Errorf(t.Range, "db-missing-source", "subscription %s: tables names %q, which is no table or view%s", d.Name.Value, t.Value, decl.DidYouMean(q.Name, w.c.cat.Names(q.Schema)))
		case rel == nil || rel.Kind == catalog.Composite:
			w.c.diags.Errorf(t.Range, "db-source-kind", "subscription %s: tables names %s.%s, which is not a table or view", d.Name.Value, found, q.Name)
		default:
			w.relation(found, q.Name)
		}
	}
}

// sqlName is a name in a function's body: schema.name, or name.
var sqlName = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_$]*))?`)

// undeclared lists the tables the bodies of the opaque functions name
// (qualified, or found along the search_path) that are not among the
// subscription's: a body is text, so a name in it is taken as a read.
func (w *watch) undeclared() []string {
	missing := map[string]bool{}
	for _, f := range w.opaque {
		for _, m := range sqlName.FindAllStringSubmatch(f.Body, -1) {
			var rel *catalog.Relation
			if m[2] != "" {
				rel = w.c.cat.Relations[catalog.Name{Schema: strings.ToLower(m[1]), Name: strings.ToLower(m[2])}]
			} else {
				_, rel, _ = w.c.cat.Resolve("", strings.ToLower(m[1]))
			}
			if rel != nil && (rel.Kind == catalog.Table || rel.Kind == catalog.PartitionedTable) && w.tables[rel.Name] == nil {
				missing[rel.Name.String()] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(missing))
}
