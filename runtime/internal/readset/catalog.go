package readset

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Catalog is what each table, view and function of a database may read,
// by the name the plan quotes it with ("schema"."name").
type Catalog struct {
	names map[string][]object // a function's name: each overload
	kinds map[object]kind
	edges map[object][]object // what an object reads through

	mu     sync.Mutex
	reads  map[string]Tables // by name, as found
	nested map[object]Tables // by object, as found
}

// object is a relation or a function: OIDs are unique in their catalog.
type object struct {
	function bool
	oid      uint32
}

type kind uint8

const (
	table    kind = iota // holds rows: a table, partitioned, foreign or materialized
	view                 // reads what its definition does
	atomic               // a function whose body PostgreSQL parsed
	compiled             // a function in C: reads no table of the database
	opaque               // a function whose body is text: may read any table
	other                // an index, a sequence, a type: no read set holds one
)

// firstUserOID is PostgreSQL's FirstNormalObjectId: below it are the
// system's own objects, which read no user table.
const firstUserOID = 16384

// quotedName is how the plan names an object: both parts quoted.
const quotedName = `'"' || replace(n.nspname, '"', '""') || '"."' || replace(%s, '"', '""') || '"'`

// Load reads the catalog's dependencies in one read-only transaction. It
// needs no privilege: it reads the catalogs.
func Load(ctx context.Context, db interface {
	BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
}) (*Catalog, error) {
	tx, err := db.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("read what each source reads: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	c := &Catalog{names: map[string][]object{}, kinds: map[object]kind{}, edges: map[object][]object{}, reads: map[string]Tables{}, nested: map[object]Tables{}}
	rows, err := tx.Query(ctx, `SELECT false, c.oid, CASE WHEN c.relkind = 'v' THEN 'v' WHEN c.relkind IN ('r', 'p', 'f', 'm') THEN 't' ELSE 'x' END,
				`+fmt.Sprintf(quotedName, "c.relname")+`
			FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			WHERE c.oid >= 16384
		UNION ALL
		SELECT true, p.oid, CASE WHEN p.prosqlbody IS NOT NULL THEN 'a' WHEN l.lanname IN ('c', 'internal') THEN 'c' ELSE 'o' END, `+fmt.Sprintf(quotedName, "p.proname")+`
			FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace JOIN pg_catalog.pg_language l ON l.oid = p.prolang`)
	if err != nil {
		return nil, fmt.Errorf("read what each source reads: %w", err)
	}
	var o object
	var k, name string
	_, err = pgx.ForEachRow(rows, []any{&o.function, &o.oid, &k, &name}, func() error {
		c.names[name] = append(c.names[name], o)
		c.kinds[o] = map[string]kind{"t": table, "v": view, "a": atomic, "c": compiled, "o": opaque, "x": other}[k]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read what each source reads: %w", err)
	}
	// What reading an object reads in turn: a view's rule, a table's
	// SELECT policies (only under row security, but a read through one is
	// never missed), a BEGIN ATOMIC body (and argument defaults), and a
	// table's inheritance children; a user operator is its function.
	rows, err = tx.Query(ctx, `WITH deps(function, oid, refclassid, refobjid) AS (
			SELECT false, r.ev_class, d.refclassid, d.refobjid FROM pg_catalog.pg_rewrite r
				JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
				WHERE d.refobjid <> r.ev_class
			UNION ALL
			SELECT false, p.polrelid, d.refclassid, d.refobjid FROM pg_catalog.pg_policy p
				JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
				WHERE p.polcmd IN ('r', '*') AND d.refobjid <> p.polrelid
			UNION ALL
			SELECT true, d.objid, d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
				WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'n'
			UNION ALL
			SELECT false, i.inhparent, 'pg_catalog.pg_class'::regclass, i.inhrelid FROM pg_catalog.pg_inherits i)
		SELECT d.function, d.oid, d.refclassid <> 'pg_catalog.pg_class'::regclass,
			CASE WHEN d.refclassid = 'pg_catalog.pg_operator'::regclass
				THEN (SELECT o.oprcode::oid FROM pg_catalog.pg_operator o WHERE o.oid = d.refobjid) ELSE d.refobjid END
		FROM deps d WHERE d.refclassid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_operator'::regclass)`)
	if err != nil {
		return nil, fmt.Errorf("read what each source reads: %w", err)
	}
	var from, to object
	_, err = pgx.ForEachRow(rows, []any{&from.function, &from.oid, &to.function, &to.oid}, func() error {
		c.edges[from] = append(c.edges[from], to)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read what each source reads: %w", err)
	}
	return c, nil
}

// Written is the set of tables among oids, the relations a mutation
// wrote: its indexes and sequences are left out, and a relation this
// catalog does not know (made since it was read) is kept.
func (c *Catalog) Written(oids []uint32) Tables {
	var tables []uint32
	for _, oid := range oids {
		if k, ok := c.kinds[object{oid: oid}]; !ok || k == table {
			tables = append(tables, oid)
		}
	}
	return Of(tables...)
}

// Reads is what a statement naming sources (as the plan quotes them) may
// read: all tables when one is not in the catalog, or is, or calls, a
// function whose body is text.
func (c *Catalog) Reads(sources []string) Tables {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out Tables
	for _, name := range sources {
		t, ok := c.reads[name]
		if !ok {
			objects := c.names[name]
			if len(objects) == 0 {
				t = All() // not in this database: nothing is known of it
			}
			for _, o := range objects {
				t = t.Union(c.of(o, map[object]bool{}))
			}
			c.reads[name] = t
		}
		if out = out.Union(t); out.IsAll() {
			break
		}
	}
	return out
}

// of is what reading o reads; visiting holds the objects being walked,
// for a function that calls itself.
func (c *Catalog) of(o object, visiting map[object]bool) Tables {
	if t, ok := c.nested[o]; ok {
		return t
	}
	k, known := c.kinds[o]
	switch {
	case !known || o.oid < firstUserOID || visiting[o]:
		// The system's own objects, sequences, indexes and types read
		// no table of a user's; an object being walked adds what it
		// reads where its walk began.
		return Tables{}
	case k == opaque:
		return All()
	case k == compiled || k == other:
		return Tables{}
	}
	visiting[o] = true
	var t Tables
	if k == table {
		t = Of(o.oid)
	}
	for _, next := range c.edges[o] {
		if t = t.Union(c.of(next, visiting)); t.IsAll() {
			break
		}
	}
	delete(visiting, o)
	if len(visiting) == 0 {
		c.nested[o] = t // complete: no walk above it left anything out
	}
	return t
}
