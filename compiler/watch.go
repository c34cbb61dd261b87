package compiler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/internal/changefeed"
	"github.com/gqlplan/gqlplan/spec"
)

// A subscription is read again when a table its result comes from
// changes: the server learns of each committed change by the trigger
// gqlplan triggers writes (package changefeed). This file finds those
// tables, once, against the catalog: the source, what views and BEGIN
// ATOMIC functions read in turn, and the same for every relation and
// computed field its type reaches — more than one request selects, never
// less, so a change can make a group read in vain but never miss it.

// watchTables records each subscription's tables in the plan, warns when
// they cannot all be known (subscription-tables-unknown) and when one has
// no trigger (db-subscription-trigger).
func (c *checker) watchTables(plan *spec.Plan, decls []declaredOp) {
	for i := range plan.Subscriptions {
		op, d := &plan.Subscriptions[i], decls[i]
		w := watch{c: c, tables: map[catalog.Name]*catalog.Relation{}, types: map[string]bool{}}
		w.source(&op.Source)
		w.typ(op.Returns)
		if op.Resolver != "" {
			w.unknown = append(w.unknown, "resolver "+op.Resolver)
		}
		if len(w.unknown) > 0 {
			slices.Sort(w.unknown)
			c.diags.Warnf(d.Name.Range, "subscription-tables-unknown",
				"subscription %s: what %s reads cannot be known ahead (only a BEGIN ATOMIC body is parsed when it is created): every committed change to a table with gqlplan's trigger reads it again, and changes to others are seen only by --subscription-poll; rewrite it as BEGIN ATOMIC to be precise",
				op.Name, strings.Join(slices.Compact(w.unknown), ", "))
			continue
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

// watch collects the tables of one subscription.
type watch struct {
	c       *checker
	tables  map[catalog.Name]*catalog.Relation
	types   map[string]bool // object types visited
	unknown []string        // what reads tables that cannot be known
}

// source adds the tables src reads: itself when it is a table, and what
// it reads in turn.
func (w *watch) source(src *spec.Source) {
	if src.Kind == spec.SourceFunction && src.Object == "function" && src.Reads == nil && w.c.opaque[src.SQL] != "" {
		w.unknown = append(w.unknown, "function "+w.c.opaque[src.SQL])
	}
	w.relation(src.Schema, src.Name)
	w.reads(src.Reads)
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
	if rel != nil && (rel.Kind == catalog.Table || rel.Kind == catalog.PartitionedTable) {
		w.tables[rel.Name] = rel
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
			if sig := w.c.opaque[f.Function.SQL]; sig != "" && f.Function.Reads == nil {
				w.unknown = append(w.unknown, "function "+sig)
			}
			w.reads(f.Function.Reads)
		}
		if f.Lookahead != nil {
			w.source(f.Lookahead)
		}
		w.typ(f.Type)
	}
}
