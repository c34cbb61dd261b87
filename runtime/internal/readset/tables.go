// Package readset knows which tables a query may read and which a
// mutation wrote, so that read-your-writes on replicas constrains only
// the reads that may see a write: a client that wrote posts and reads
// people goes to a replica at once.
//
// A set of tables is [Tables]: OIDs, or all of them when they cannot be
// known. What each source reads comes from the primary's catalog
// ([Load]): a table reads itself and its inheritance children, and —
// under row security — what its SELECT policies read; a view what its
// definition reads; a function whose body is BEGIN ATOMIC what its body
// reads, as PostgreSQL recorded it on CREATE. A function in any other
// language but C has a body of text, so it may read any table. What a
// mutation wrote is the tables its transaction locked for writing (see
// pgexec.Writes).
package readset

import (
	"slices"
	"strconv"
	"strings"
)

// Tables is a set of tables by OID, or all tables.
type Tables struct {
	all  bool
	oids []uint32 // sorted, without repeats
}

// MaxTables is the most tables a set names; a larger one is all tables,
// so a token carrying one stays short.
const MaxTables = 32

// All is every table: what cannot be known.
func All() Tables { return Tables{all: true} }

// Of is the set of oids.
func Of(oids ...uint32) Tables {
	s := slices.Clone(oids)
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) > MaxTables {
		return All()
	}
	return Tables{oids: s}
}

// IsAll reports whether t is every table.
func (t Tables) IsAll() bool { return t.all }

// Union is the tables of t and of u.
func (t Tables) Union(u Tables) Tables {
	switch {
	case t.all || u.all:
		return All()
	case len(u.oids) == 0:
		return t
	case len(t.oids) == 0:
		return u
	}
	return Of(append(slices.Clone(t.oids), u.oids...)...)
}

// Intersects reports whether t and u may share a table.
func (t Tables) Intersects(u Tables) bool {
	if t.all && (u.all || len(u.oids) > 0) || u.all && len(t.oids) > 0 {
		return true
	}
	i, j := 0, 0
	for i < len(t.oids) && j < len(u.oids) {
		switch {
		case t.oids[i] == u.oids[j]:
			return true
		case t.oids[i] < u.oids[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// String is t in a token: "*" for all, else the OIDs in base 36 joined
// by "-" ("" for none).
func (t Tables) String() string {
	if t.all {
		return "*"
	}
	parts := make([]string, len(t.oids))
	for i, oid := range t.oids {
		parts[i] = strconv.FormatUint(uint64(oid), 36)
	}
	return strings.Join(parts, "-")
}

// Parse reads what String wrote.
func Parse(s string) (Tables, bool) {
	switch s {
	case "*":
		return All(), true
	case "":
		return Tables{}, true
	}
	parts := strings.Split(s, "-")
	if len(parts) > MaxTables {
		return Tables{}, false
	}
	oids := make([]uint32, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 36, 32)
		if err != nil {
			return Tables{}, false
		}
		oids[i] = uint32(n)
	}
	return Of(oids...), true
}
