// Package catalog reads what the compiler needs to know about a live
// PostgreSQL database: relations and their columns, functions and their
// signatures, types, enum labels, privileges, the serving role's
// search_path, and a sample of the keys of jsonb columns.
//
// Reading is read-only (one READ ONLY transaction with a short statement
// timeout) and happens once, up front; the compiler then checks
// declarations against the in-memory [Catalog] without further I/O.
package catalog

import (
	"slices"
	"strings"
)

// Name is a schema-qualified object name, unquoted.
type Name struct {
	Schema string
	Name   string
}

func (n Name) String() string { return n.Schema + "." + n.Name }

// Catalog is a snapshot of the parts of a database gqlplan checks.
type Catalog struct {
	// Role is the role privileges were checked for ("" when no --role was
	// given) and whose search_path resolves unqualified names.
	Role string
	// SearchPath is the serving role's effective search_path: existing
	// schemas in lookup order, pg_catalog first when not listed.
	SearchPath []string

	Relations map[Name]*Relation
	Functions map[Name][]*Function // overloads, ordered by signature
	Types     map[uint32]*Type     // every type by OID
	Schemas   map[string]*Schema

	// Samples holds, per relation and jsonb column, the keys found in a
	// sample of rows; see Options.Sample.
	Samples map[Name]map[string]*Sample

	// By OID, while loading.
	relationsByOID map[uint32]*Relation
	functionsByOID map[uint32]*Function
}

// Schema is a namespace.
type Schema struct {
	Name   string
	Usable bool // the role has USAGE (true when no role was given)
}

// Relation kinds, from pg_class.relkind.
const (
	Table            = 'r'
	View             = 'v'
	MaterializedView = 'm'
	ForeignTable     = 'f'
	PartitionedTable = 'p'
	// Composite is the relation behind CREATE TYPE … AS (…); it is loaded
	// for its attributes and is never a source.
	Composite = 'c'
)

// Relation is a table, view, materialized view or foreign table.
type Relation struct {
	Name
	Kind       byte
	Columns    []*Column // in attnum order, dropped columns left out
	Selectable bool      // the role has SELECT on the whole relation

	// Row security: what decides whose rows a request reading the
	// relation sees.
	RowSecurity      bool   // ENABLE ROW LEVEL SECURITY
	ForceRowSecurity bool   // FORCE ROW LEVEL SECURITY: its owner is subject to it too
	Owner            string // the owning role
	// OwnerBypassesRLS: the owner is a superuser or has BYPASSRLS, so a
	// view it owns reads every row of what it reads.
	OwnerBypassesRLS bool
	// PoliciesShowAll: a policy lets everyone read every row (FOR SELECT
	// TO PUBLIC USING (true)) and none restricts it, so row security
	// hides no row from a reader.
	PoliciesShowAll bool
	// SecurityInvoker: a view whose relations are read with the caller's
	// privileges and row security (security_invoker = true), not its
	// owner's.
	SecurityInvoker bool
	// Reads are the relations a view or materialized view reads (from its
	// rewrite rule's dependencies), in the user schemas.
	Reads []*Relation
	// Comment is COMMENT ON TABLE (VIEW, …).
	Comment string
	// NotifiesChanges: the table has the trigger gqlplan triggers writes,
	// which tells subscriptions of each committed change to it.
	NotifiesChanges bool
	// SessionReads are what decides, beyond the relations read, which
	// rows a reader sees: the USING expressions of the policies that
	// apply to SELECT, and a view's definition, as PostgreSQL prints
	// them; Calls are the user functions those call.
	SessionReads []string
	Calls        []*Function
	// PolicyReads are the relations the USING expressions of those
	// policies read (a subquery's): a change to one may change which
	// rows a reader sees, and a reader the policy applies to reads it
	// with its own privileges.
	PolicyReads []PolicyRead
	// UniqueColumns are the columns a valid unique index (or the primary
	// key) covers alone, without a predicate: no two rows share a value.
	UniqueColumns []string
}

// KindName is the relation kind as PostgreSQL's documentation names it.
func (r *Relation) KindName() string {
	switch r.Kind {
	case Table, PartitionedTable:
		return "table"
	case View:
		return "view"
	case MaterializedView:
		return "materialized view"
	case ForeignTable:
		return "foreign table"
	case Composite:
		return "composite type"
	}
	return "relation"
}

// Column returns the column called name, or nil.
func (r *Relation) Column(name string) *Column {
	for _, c := range r.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ColumnNames lists the columns in order, for suggestions.
func (r *Relation) ColumnNames() []string {
	out := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		out[i] = c.Name
	}
	return out
}

// Column is a column of a relation or an attribute of a composite type.
type Column struct {
	Name       string
	Type       *Type
	TypeSQL    string // format_type(): "character varying(20)", "app.order_status"
	NotNull    bool   // only tables carry NOT NULL; view columns are always false
	Selectable bool   // the role may SELECT the column
	Comment    string // COMMENT ON COLUMN
}

// Type kinds, from pg_type.typtype.
const (
	BaseType       = 'b'
	CompositeType  = 'c'
	DomainType     = 'd'
	EnumType       = 'e'
	PseudoType     = 'p'
	RangeType      = 'r'
	MultirangeType = 'm'
)

// Type is a pg_type row, with what the compiler needs to compare it with
// GraphQL types.
type Type struct {
	OID      uint32
	Name     Name
	SQL      string // format_type(oid, NULL): how a cast names it
	Kind     byte
	Category byte  // typcategory: 'S' string, 'N' numeric, 'A' array, …
	Elem     *Type // arrays: the element type
	Base     *Type // domains: the base type
	Relation Name  // composites: the relation whose row type this is
	Labels   []string
}

// Underlying follows domains to their base type.
func (t *Type) Underlying() *Type {
	for t != nil && t.Kind == DomainType && t.Base != nil {
		t = t.Base
	}
	return t
}

// Argument modes, from pg_proc.proargmodes.
const (
	In       = 'i'
	Out      = 'o'
	InOut    = 'b'
	Variadic = 'v'
	TableArg = 't' // a column of RETURNS TABLE
)

// PolicyRead is a relation a row security policy's expression reads.
type PolicyRead struct {
	Policy   string
	Relation *Relation
	// AppliesToRole: the policy applies to Catalog.Role (its roles name
	// it, one it is a member of, or PUBLIC), which row security does not
	// let bypass the table (a superuser, BYPASSRLS, or its owner without
	// FORCE): reading the table, the role evaluates the expression.
	AppliesToRole bool
}

// Function is one overload of a function or procedure.
type Function struct {
	Name
	OID             uint32
	Args            []*Arg // input arguments (in, inout, variadic), in order
	Defaults        int    // how many trailing input arguments have defaults
	Result          *Type
	Columns         []*Column // RETURNS TABLE / OUT parameters, in order
	ReturnsSet      bool
	Volatility      byte // 'i' immutable, 's' stable, 'v' volatile
	SecurityDefiner bool
	FixedSearchPath bool // SET search_path in the function's configuration
	Procedure       bool
	Executable      bool   // the role has EXECUTE
	Comment         string // COMMENT ON FUNCTION
	// Owner is the owning role, whose rights a SECURITY DEFINER function
	// runs with; OwnerBypassesRLS: it is a superuser or has BYPASSRLS.
	Owner            string
	OwnerBypassesRLS bool
	// Reads, for a SQL function whose body is BEGIN ATOMIC (parsed when
	// it was created, so PostgreSQL records what it depends on), are the
	// tables and views it names, in the user schemas; BodyKnown says
	// whether they are known (any other body is a string until it runs).
	Reads     []*Relation
	BodyKnown bool
	// Body is the function's source (prosrc), or its SQL-standard body
	// as PostgreSQL prints it; Calls, for the latter, are the user
	// functions it calls.
	Body  string
	Calls []*Function
}

// Arg is an input argument of a function.
type Arg struct {
	Name string // "" when unnamed
	Type *Type
	Mode byte
}

// Signature is how PostgreSQL prints the function: app.f(text, uuid).
func (f *Function) Signature() string {
	types := make([]string, len(f.Args))
	for i, a := range f.Args {
		types[i] = a.Type.SQL
	}
	return f.Name.String() + "(" + strings.Join(types, ", ") + ")"
}

// VolatilityName spells out Volatility.
func (f *Function) VolatilityName() string {
	return map[byte]string{'i': "IMMUTABLE", 's': "STABLE", 'v': "VOLATILE"}[f.Volatility]
}

// Sample is what the keys of one jsonb column look like in a sample of
// rows of a relation.
type Sample struct {
	Rows int // rows sampled whose value is a JSON object
	Keys map[string]*KeyStats
	Err  string // why the relation could not be sampled, if it could not
}

// KeyStats counts one key across the sampled rows.
type KeyStats struct {
	Rows  int            // rows holding the key
	Types map[string]int // jsonb_typeof of its values: "string", "number", "null", …
}

// Resolve finds a relation or the overloads of a function by name: in the
// given schema, or, when schema is "", along the search_path as
// PostgreSQL would. It returns the schema it was found in ("" if nowhere).
func (c *Catalog) Resolve(schema, name string) (found string, rel *Relation, fns []*Function) {
	schemas := c.SearchPath
	if schema != "" {
		schemas = []string{schema}
	}
	for _, s := range schemas {
		n := Name{s, name}
		if r := c.Relations[n]; r != nil {
			return s, r, nil
		}
		if f := c.Functions[n]; len(f) > 0 {
			return s, nil, f
		}
	}
	return "", nil, nil
}

// Names lists relation and function names that a lookup in schema (or
// along the search_path, for "") could have meant, for suggestions:
// unqualified names of objects in those schemas, sorted.
func (c *Catalog) Names(schema string) []string {
	schemas := c.SearchPath
	if schema != "" {
		schemas = []string{schema}
	}
	seen := map[string]bool{}
	for n := range c.Relations {
		if slices.Contains(schemas, n.Schema) {
			seen[n.Name] = true
		}
	}
	for n := range c.Functions {
		if slices.Contains(schemas, n.Schema) {
			seen[n.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TypeByName finds a type by schema and name (schema "" searches the
// search_path).
func (c *Catalog) TypeByName(schema, name string) *Type {
	schemas := c.SearchPath
	if schema != "" {
		schemas = []string{schema}
	}
	for _, s := range schemas {
		for _, t := range c.Types {
			if t.Name.Schema == s && t.Name.Name == name {
				return t
			}
		}
	}
	return nil
}

// EnumNames lists the enum types in schema (or along the search_path,
// for ""), sorted, for suggestions.
func (c *Catalog) EnumNames(schema string) []string {
	schemas := c.SearchPath
	if schema != "" {
		schemas = []string{schema}
	}
	var out []string
	for _, t := range c.Types {
		if t.Kind == EnumType && slices.Contains(schemas, t.Name.Schema) {
			out = append(out, t.Name.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// RowColumns returns the columns of a composite type's relation, or nil.
func (c *Catalog) RowColumns(t *Type) []*Column {
	t = t.Underlying()
	if t == nil || t.Kind != CompositeType {
		return nil
	}
	if r := c.Relations[t.Relation]; r != nil {
		return r.Columns
	}
	return nil
}
