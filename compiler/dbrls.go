package compiler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// checkRowSecurity follows the relations a source reads — through views,
// to the tables underneath — and reports what would let a request read
// rows the role should not, or fail where check passed:
//
//   - db-privilege: a security_invoker view reads its relations with the
//     caller's privileges, so the role needs SELECT on each of them too;
//   - db-rls-off (warning): the role reads a table whose row level
//     security is off, so every row is readable (with --role);
//   - db-rls-bypass (warning): a view that is not security_invoker reads a
//     table with row level security as its owner, who bypasses it (a
//     superuser, BYPASSRLS, or the table's owner without FORCE).
//
// An operation that filters by an injected claim (seed 002's alternative
// to row level security) is not warned about; StrictRLS makes the
// warnings errors.
func (c *checker) checkRowSecurity(rel *catalog.Relation, at decl.Range, what string, injected bool) {
	seen := map[*catalog.Relation]bool{}
	var walk func(r *catalog.Relation, path string, asCaller bool)
	walk = func(r *catalog.Relation, path string, asCaller bool) {
		if seen[r] {
			return
		}
		seen[r] = true
		via := r.KindName() + " " + r.Name.String() + path
		switch r.Kind {
		case catalog.View, catalog.MaterializedView:
			invoker := r.Kind == catalog.View && r.SecurityInvoker
			for _, under := range r.Reads {
				next := fmt.Sprintf(", read by %s", via)
				if !invoker {
					c.checkOwnerBypass(r, under, at, what, injected)
				} else if asCaller && c.cat.Role != "" && !under.Selectable {
					c.diags.Errorf(at, "db-privilege", "%s: role %q may not SELECT %s %s, which %s reads as its caller (it is security_invoker); %s",
						what, c.cat.Role, under.KindName(), under.Name, r.Name, c.grant("SELECT ON "+under.Name.String()))
				}
				walk(under, next, asCaller && invoker)
			}
		case catalog.Table, catalog.PartitionedTable:
			// Read as the caller, the role reads what it may SELECT; read
			// through a view as its owner, whatever the view shows.
			visible := canRead(rel)
			if asCaller {
				visible = visible && canRead(r)
				c.checkPolicyReads(r, at, what)
			}
			if visible && c.cat.Role != "" && !r.RowSecurity && !injected {
				c.rlsWarnf(at, "db-rls-off", "%s: role %q reads %s, whose row level security is off, so every row is readable; enable it with policies (ALTER TABLE %s ENABLE ROW LEVEL SECURITY), or filter by an injected claim",
					what, c.cat.Role, via, r.Name)
			}
		}
	}
	walk(rel, "", true)
}

// checkPolicyReads reports the relations table's row security policies
// read in a subquery that the role, reading the table itself, may not
// SELECT: the policy's expression runs with the reader's privileges, so
// every read of the table would fail.
func (c *checker) checkPolicyReads(table *catalog.Relation, at decl.Range, what string) {
	for _, read := range table.PolicyReads {
		if read.AppliesToRole && !canRead(read.Relation) {
			c.diags.Errorf(at, "db-privilege", "%s: role %q may not SELECT %s %s, which policy %s of %s reads as the reader, so every read of %s fails; %s, or read it in a SECURITY DEFINER function",
				what, c.cat.Role, read.Relation.KindName(), read.Relation.Name, read.Policy, table.Name, table.Name, c.grant("SELECT ON "+read.Relation.Name.String()))
		}
	}
}

// checkOwnerBypass reports a view read with its owner's rights over a
// table with row level security that the owner is not subject to.
func (c *checker) checkOwnerBypass(view, table *catalog.Relation, at decl.Range, what string, injected bool) {
	if injected || !table.RowSecurity || table.Kind != catalog.Table && table.Kind != catalog.PartitionedTable {
		return
	}
	var why string
	switch {
	case view.OwnerBypassesRLS:
		why = fmt.Sprintf("its owner %q is a superuser or has BYPASSRLS", view.Owner)
	case view.Owner == table.Owner && !table.ForceRowSecurity:
		why = fmt.Sprintf("its owner %q owns %s, which does not FORCE ROW LEVEL SECURITY", view.Owner, table.Name)
	default:
		return
	}
	c.rlsWarnf(at, "db-rls-bypass", "%s: view %s reads table %s as its owner, bypassing the table's row level security (%s), so every row is readable; make the view security_invoker (ALTER VIEW %s SET (security_invoker = on))",
		what, view.Name, table.Name, why, view.Name)
}

// rlsWarnf reports a row security finding: a warning, or an error under
// StrictRLS.
func (c *checker) rlsWarnf(at decl.Range, code, format string, args ...any) {
	if c.strictRLS {
		c.diags.Errorf(at, code, format, args...)
		return
	}
	c.diags.Warnf(at, code, format, args...)
}

// canRead reports whether the role may SELECT r, or some of its columns.
func canRead(r *catalog.Relation) bool {
	if r.Selectable {
		return true
	}
	for _, col := range r.Columns {
		if col.Selectable {
			return true
		}
	}
	return false
}

// injectsClaims reports whether conditions filter by an injected claim.
func injectsClaims(whereFrom []origin) bool {
	for _, o := range whereFrom {
		if o.inject != nil {
			return true
		}
	}
	return false
}

// checkFunctionRowSecurity reports a function a request calls (a source,
// a computed field) that reads rows past row level security:
//
//   - db-rls-bypass: it is SECURITY DEFINER and its owner bypasses row
//     level security (a superuser, BYPASSRLS, or the owner of a table with
//     it that does not FORCE it) — whatever the body does, which check
//     cannot read; reviewed is the declaration's rls_bypass, which
//     acknowledges it;
//   - a BEGIN ATOMIC body is followed to what it reads, as a view is.
func (c *checker) checkFunctionRowSecurity(f *catalog.Function, at decl.Range, what string, injected bool, reviewed *decl.Text) {
	if f.SecurityDefiner && reviewed == nil {
		if why := c.definerBypass(f); why != "" {
			c.rlsWarnf(at, "db-rls-bypass", "%s: %s is SECURITY DEFINER, so it runs as %q, who bypasses row level security (%s), and every row it reads is readable whatever the caller's policies say; make it SECURITY INVOKER, or, once reviewed, acknowledge it with rls_bypass: \"<why it is safe>\"",
				what, f.Signature(), f.Owner, why)
		}
	}
	if f.BodyKnown && !f.SecurityDefiner {
		for _, r := range f.Reads {
			c.checkRowSecurity(r, at, fmt.Sprintf("%s (through %s)", what, f.Signature()), injected)
		}
	}
}

// definerBypass says why the owner of SECURITY DEFINER function f
// bypasses row level security ("" when it does not): it is a superuser
// or has BYPASSRLS, or it owns tables with row security that do not
// FORCE it — those f reads, when its body is known, or else any.
func (c *checker) definerBypass(f *catalog.Function) string {
	if f.OwnerBypassesRLS {
		return fmt.Sprintf("%q is a superuser or has BYPASSRLS", f.Owner)
	}
	var tables []*catalog.Relation
	if f.BodyKnown {
		seen := map[*catalog.Relation]bool{}
		var walk func(rs []*catalog.Relation)
		walk = func(rs []*catalog.Relation) {
			for _, r := range rs {
				if !seen[r] {
					seen[r] = true
					tables = append(tables, r)
					walk(r.Reads)
				}
			}
		}
		walk(f.Reads)
	} else {
		for _, r := range c.cat.Relations {
			tables = append(tables, r)
		}
	}
	var owned []string
	for _, t := range tables {
		if (t.Kind == catalog.Table || t.Kind == catalog.PartitionedTable) && t.RowSecurity && !t.ForceRowSecurity && t.Owner == f.Owner {
			owned = append(owned, t.Name.String())
		}
	}
	if len(owned) == 0 {
		return ""
	}
	slices.Sort(owned)
	return fmt.Sprintf("%q owns %s, without FORCE ROW LEVEL SECURITY", f.Owner, strings.Join(owned, ", "))
}

// grant is the statement that gives the checked role privilege (e.g.
// "SELECT ON app.post"), as a fix-it for db-privilege.
func (c *checker) grant(privilege string) string {
	return "run: GRANT " + privilege + " TO " + quoteIdent(c.cat.Role)
}

// sourceReads are what a source reads in turn, through views to any
// depth, and as whom (see spec.Read): reads are the relations it reads
// itself, with reader's privileges ("" the caller's). A view that is not
// security_invoker reads what it reads as its owner; a materialized view
// reads nothing when queried.
func sourceReads(reads []*catalog.Relation, reader string) []spec.Read {
	var out []spec.Read
	seen := map[spec.Read]bool{}
	var walk func(rs []*catalog.Relation, reader string)
	walk = func(rs []*catalog.Relation, reader string) {
		for _, r := range rs {
			read := spec.Read{Schema: r.Name.Schema, Name: r.Name.Name, Owner: reader}
			if seen[read] {
				continue
			}
			seen[read] = true
			out = append(out, read)
			if r.Kind == catalog.View {
				walk(r.Reads, viewReader(r, reader))
			}
		}
	}
	walk(reads, reader)
	slices.SortFunc(out, func(a, b spec.Read) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Owner, b.Owner))
	})
	return out
}

// viewReader is whose privileges view v reads its relations with, when
// reader reads v.
func viewReader(v *catalog.Relation, reader string) string {
	if v.SecurityInvoker {
		return reader
	}
	return v.Owner
}

// relationReads are what the source rel reads in turn (see sourceReads).
func relationReads(rel *catalog.Relation) []spec.Read {
	if rel.Kind != catalog.View {
		return nil
	}
	return sourceReads(rel.Reads, viewReader(rel, ""))
}

// functionReads are what function f reads (see sourceReads), when its body
// is known.
func functionReads(f *catalog.Function) []spec.Read {
	if !f.BodyKnown {
		return nil
	}
	reader := ""
	if f.SecurityDefiner {
		reader = f.Owner
	}
	return sourceReads(f.Reads, reader)
}
