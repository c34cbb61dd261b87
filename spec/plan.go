package spec

import "encoding/json"

// FormatVersion is the plan format this package writes and reads. It
// changes whenever a runtime of the previous version could misread a plan.
const FormatVersion = 1

// Plan is a compiled declaration set.
type Plan struct {
	Format   int          `json:"format"`
	Compiler string       `json:"compiler"` // version of the gqlplan that wrote it
	Hash     string       `json:"hash"`     // "sha256:<hex>" of the compact JSON encoding with Hash empty
	SDL      string       `json:"sdl"`      // the GraphQL schema, printed
	Types    []ObjectType `json:"types"`
	// Interfaces are the interface types: those declared, then Node when
	// some type is a node.
	Interfaces []Interface `json:"interfaces,omitempty"`
	Unions     []Union     `json:"unions,omitempty"`
	Inputs     []InputType `json:"inputs"`
	Enums      []Enum      `json:"enums"`
	Queries    []Operation `json:"queries"`
	Mutations  []Operation `json:"mutations"`
	// Subscriptions are live queries, read again whenever their result
	// may have changed and sent when it did (over WebSocket).
	Subscriptions []Operation `json:"subscriptions,omitempty"`
	// Documents are the trusted documents, the clients' operations
	// compiled with the plan (compile --documents), sorted by ID.
	Documents []Document `json:"documents,omitempty"`
}

// Document is a trusted document: a text a client sends, checked against
// the plan when it was compiled, which requests may name by an id
// instead of sending it.
type Document struct {
	// ID is "sha256:" and the lowercase hex SHA-256 of Text, as GraphQL
	// over HTTP's persisted documents and Apollo's persisted queries name
	// it.
	ID string `json:"id"`
	// Aliases are the other ids a manifest gave it (a Relay id, an
	// Apollo manifest's), sorted.
	Aliases    []string            `json:"aliases,omitempty"`
	Operations []DocumentOperation `json:"operations"`
	Text       string              `json:"text"`
	// Sources are where compile read it, "file:line:col" relative to
	// where it ran (a .graphql file at 1:1, a manifest at its entry),
	// sorted: where gqlplan diff reports what a change breaks in it.
	Sources []string `json:"sources,omitempty"`
}

// DocumentOperation is an operation of a trusted document.
type DocumentOperation struct {
	Name string `json:"name,omitempty"` // "" when anonymous
	Kind string `json:"kind"`           // query, mutation or subscription
}

// ObjectType is a GraphQL object type whose fields map to SQL.
type ObjectType struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Fields      []Field `json:"fields"`
	// Key is the columns that identify a row. Every order ends with them,
	// so pages and cursors are stable.
	Key []ColumnRef `json:"key,omitempty"`
	// Generated says which part of a Relay connection gqlplan generated
	// this type as: "connection", "edge" or "pageInfo" ("" for a declared type).
	Generated string `json:"generated,omitempty"`
	// Interfaces are the interfaces the type implements, in order.
	Interfaces []string `json:"interfaces,omitempty"`
	// Node, for a node type, is where node(id:) fetches its rows by Key.
	Node *NodeSource `json:"node,omitempty"`
}

// NodeSource is the table or view a node type's rows are fetched from by
// key (node(id:), nodes(ids:), arguments of type ID that name the type).
type NodeSource struct {
	Source Source `json:"source"`
}

// Union is a GraphQL union of object types.
type Union struct {
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	PossibleTypes []string `json:"possibleTypes"` // sorted
}

// Interface is a GraphQL interface type.
type Interface struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Fields      []Field `json:"fields"`
	// PossibleTypes are the object types implementing it, sorted.
	PossibleTypes []string `json:"possibleTypes"`
}

// RootQuery is the query root type's name. A payload's field of this type
// (seed 003's RegisterUserPayload.query) is the root query, read with the
// client's selection after the resolver of the operation returning the
// payload ran.
const RootQuery = "Query"

// The Node interface of Relay's global object identification.
const (
	NodeInterface = "Node"
	NodeField     = "node"  // Query.node(id: ID!): Node
	NodesField    = "nodes" // Query.nodes(ids: [ID!]!): [Node]!
)

// Kinds of generated object types.
const (
	GeneratedConnection = "connection"
	GeneratedEdge       = "edge"
	GeneratedPageInfo   = "pageInfo"
)

// Field is an output field: a column, a relation or a computed field.
// Column is the SQL column (columns shape) or the key inside the data
// column (jsonb shape); SQL is Column quoted as an identifier.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // GraphQL type reference, e.g. "[String!]!"
	Description string `json:"description,omitempty"`
	Deprecated  string `json:"deprecated,omitempty"`
	Column      string `json:"column,omitempty"`
	SQL         string `json:"sql,omitempty"`
	// Filterable and Sortable put the field in its type's generated
	// filter input and order enum.
	Filterable bool `json:"filterable,omitempty"`
	Sortable   bool `json:"sortable,omitempty"`
	// Args are the field's GraphQL arguments: a computed field's, or the
	// paging, filter and order arguments of a list relation.
	Args     []InputValue `json:"args,omitempty"`
	Relation *Relation    `json:"relation,omitempty"`
	Function *Function    `json:"function,omitempty"`
	// GlobalID: the field is the global ID of a node type, made of the
	// type's name and its key columns (see package runtime's node ids).
	GlobalID bool `json:"globalId,omitempty"`
	// Resolver names the Go resolver that computes the field, given the
	// Requires columns of each row and the field's Args (see package
	// extend); a server without it refuses the plan.
	Resolver string      `json:"resolver,omitempty"`
	Requires []ColumnRef `json:"requires,omitempty"`
	// Lookahead, on a field of a type an operation's resolver returns, is
	// the table or view the field's rows are read from, by the keys the
	// resolver gives for it, with the selection beneath: SQL, as any. On a
	// field computed by a resolver, it is where the rows it picks for each
	// row come from.
	Lookahead *Source `json:"lookahead,omitempty"`
	// Limit, declared for a list of rows a field's resolver picks, pages
	// them (the field takes limit and offset); undeclared, a row's list
	// holds at most the server's page cap.
	Limit *Limit `json:"limit,omitempty"`
}

// ColumnRef is a column, by name and quoted.
type ColumnRef struct {
	Column string `json:"column"`
	SQL    string `json:"sql"`
}

// Relation is a field read from another table or view, joined on columns
// of the row it belongs to, inside the same statement.
type Relation struct {
	Source Source `json:"source"`
	// Join pairs a column of the parent row with one of the source:
	// every pair is equal.
	Join []Join `json:"join"`
	// List: one-to-many (a list or connection of rows); otherwise the
	// relation reads at most one row.
	List bool `json:"list"`
	Listing
}

// Join is one "parent.column = source.column" condition of a [Relation].
type Join struct {
	Parent ColumnRef `json:"parent"`
	Child  ColumnRef `json:"child"`
}

// Function is a computed field: a SQL function called with the row, then
// the field's arguments by name (so omitted ones take their SQL default).
type Function struct {
	SQL       string `json:"sql"` // quoted and schema-qualified
	Signature string `json:"signature,omitempty"`
	// Set: the function returns SETOF (each row one list element) rather
	// than one value.
	Set bool `json:"set,omitempty"`
	// Limit, declared for a list, bounds its rows: the field takes limit
	// and offset arguments as a list relation does.
	Limit *Limit        `json:"limit,omitempty"`
	Args  []FunctionArg `json:"args,omitempty"`
	// Reads are what a BEGIN ATOMIC body reads (see Source.Reads).
	Reads []Read `json:"reads,omitempty"`
}

// FunctionArg binds an argument or a claim to a named function
// parameter, passed in named notation (name => value).
type FunctionArg struct {
	Name string `json:"name"` // the SQL parameter name; "" for a call in positional notation
	SQL  string `json:"sql"`  // quoted
	// Default: the parameter has a default, so an argument the client
	// leaves out is left out of the call (a null one is passed as NULL).
	// Known only when the plan was compiled against the catalog.
	Default bool `json:"default,omitempty"`
	Param
}

// Listing is how a list of rows is read, for list operations and list
// relations alike: its fixed order and page size, and what a client may
// choose.
type Listing struct {
	// Node is the object type of the rows.
	Node    string      `json:"node,omitempty"`
	OrderBy []OrderTerm `json:"orderBy,omitempty"`
	Limit   *Limit      `json:"limit,omitempty"`
	// Connection: the field is a Relay connection (type <Node>Connection)
	// paged by first/after/last/before with keyset cursors; otherwise a
	// plain list paged by limit/offset.
	Connection bool `json:"connection,omitempty"`
	// Filter is the input type of the "where" argument ("" when the
	// client may not filter): and/or/not and one operator input per
	// filterable field of Node.
	Filter string `json:"filter,omitempty"`
	// Sort is the element input type of the "orderBy" argument ("" when
	// the client may not choose the order).
	Sort string `json:"sort,omitempty"`
}

// Arguments gqlplan adds to list fields.
const (
	ArgLimit   = "limit"
	ArgOffset  = "offset"
	ArgFirst   = "first"
	ArgAfter   = "after"
	ArgLast    = "last"
	ArgBefore  = "before"
	ArgWhere   = "where"
	ArgOrderBy = "orderBy"
)

// InputType is a GraphQL input object type.
type InputType struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Fields      []InputValue `json:"fields"`
}

// InputValue is an input field or an argument.
type InputValue struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Description string          `json:"description,omitempty"`
	Default     json.RawMessage `json:"default,omitempty"` // coerced to the type, as JSON
	// Node, on an argument of a resolver's operation or an input field,
	// is the node type the value (of type ID) is a global id of: the
	// resolver is given it decoded, and an id of another type is refused
	// before it runs. (A SQL operation's node arguments are Params.)
	Node string `json:"node,omitempty"`
}

// Enum is a GraphQL enum; each value maps to a SQL value.
type Enum struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	SQLType     string      `json:"sqlType,omitempty"` // quoted, schema-qualified
	Values      []EnumValue `json:"values"`
}

// EnumValue is one value of an [Enum].
type EnumValue struct {
	Name        string `json:"name"`
	SQLValue    string `json:"sqlValue"`
	Description string `json:"description,omitempty"`
	Deprecated  string `json:"deprecated,omitempty"`
}

// Source kinds and shapes.
const (
	SourceRelation = "relation" // a table, view or materialized view
	SourceFunction = "function"
	// SourceNodes is the source of node and nodes: the node types' own,
	// chosen by the type each global id names.
	SourceNodes = "nodes"
	// SourceResolver is the source of an operation whose resolver gives
	// its value: no SQL object.
	SourceResolver = "resolver"

	ShapeColumns = "columns" // one field per column
	ShapeJSONB   = "jsonb"   // the object is a jsonb column; plain columns filter
)

// Operation is a root Query or Mutation field.
type Operation struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Deprecated  string       `json:"deprecated,omitempty"`
	Returns     string       `json:"returns"` // GraphQL type reference
	List        bool         `json:"list"`    // returns a list (many rows)
	Source      Source       `json:"source"`
	Args        []InputValue `json:"args"`
	// Call is the parameter list of a function source, in call order:
	// explicit arguments as declared, then injected claims, each by the
	// name of the function parameter it is passed as (positionally when
	// the function has an unnamed parameter).
	Call []FunctionArg `json:"call,omitempty"`
	// Where is AND-ed into the query: argument filters, then injected claims.
	Where []Condition `json:"where,omitempty"`
	// Claims lists the JWT claims the operation needs, sorted; a request
	// without a verified token carrying each of them is refused before SQL.
	Claims []string `json:"claims,omitempty"`
	// Roles are the only roles a request may run as to call the
	// operation, sorted; empty: any. A request of another role is refused
	// (FORBIDDEN) before SQL.
	Roles []string `json:"roles,omitempty"`
	// TypeColumn, for an operation returning an interface or a union, is
	// the column naming each row's object type; the row also holds that
	// type's key columns, and the object is read from its node source.
	TypeColumn *ColumnRef `json:"typeColumn,omitempty"`
	// Token: the row the source returns (a composite or a jsonb object)
	// is the claim set of a JWT the server signs; the field's value is
	// the token, null when the row is null.
	Token bool `json:"token,omitempty"`
	// Resolver names the Go resolver that runs the operation in the
	// request's transaction (see package extend). With a relation
	// source, the resolver gives the keys of the rows and the selection
	// is read from the source; with SourceResolver, the resolver's value
	// is the result.
	Resolver string `json:"resolver,omitempty"`
	// Tables, on a subscription of a plan compiled against the catalog,
	// are the tables its result is read from (through views, relations
	// and computed fields), sorted: a committed change to one of them
	// reads it again (see gqlplan triggers). Empty when they are not all
	// known (no catalog, or a function whose body is not BEGIN ATOMIC):
	// then every change reads it again.
	Tables []Table `json:"tables,omitempty"`
	// GroupClaims, on a subscription whose Tables are known, are the
	// claims whose values may change what it reads for a subscriber,
	// sorted: its inject rules', and those the row security policies,
	// views and functions it reads through name (jwt.claims.<name>).
	// Subscribers of the same document, variables and role with the same
	// values of these share one read. AllClaims: which cannot be known (a
	// setting named by an expression, request.jwt.claims, a function
	// whose body is not parsed), so subscribers share a read only with
	// the same claims, all of them.
	GroupClaims []string `json:"groupClaims,omitempty"`
	AllClaims   bool     `json:"allClaims,omitempty"`
	// Stream makes a subscription a stream: its rows are read in the
	// order of Cursor, BatchSize at a time (the Listing's order and
	// limit), after the cursor of the last row sent (the argument
	// "after", compared in Where).
	Stream *Stream `json:"stream,omitempty"`
	Listing
}

// Stream is how a stream subscription's rows are read.
type Stream struct {
	Cursor    ColumnRef `json:"cursor"`
	BatchSize int64     `json:"batchSize"`
}

// Table is a table by schema and name, unquoted.
type Table struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
}

// Source is the SQL object an operation reads or calls.
type Source struct {
	// Schema, Name and SQL are empty only for SourceNodes.
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name,omitempty"`
	SQL    string `json:"sql,omitempty"` // quoted and schema-qualified
	Kind   string `json:"kind"`
	Shape  string `json:"shape"`
	// DataColumn is the quoted jsonb column of the jsonb shape.
	DataColumn string `json:"dataColumn,omitempty"`

	// The catalog facts below are recorded when the plan was compiled with
	// --database-url, and are empty otherwise.

	// Object is what the catalog says the source is: "table", "view",
	// "materialized view", "foreign table" or "function".
	Object string `json:"object,omitempty"`
	// Signature is the function overload the call resolves to, with its
	// argument types: "app"."f"(text, uuid).
	Signature string `json:"signature,omitempty"`
	// Columns are the source's columns the operation reads, filters or
	// orders on, with their PostgreSQL types, sorted by name.
	Columns []Column `json:"columns,omitempty"`
	// RowType, for a mutation's function returning rows of a composite
	// type, is that type: the runtime reads the mutation's payload from
	// the rows the call returned, in a statement after it, which sees
	// the call's writes.
	RowType string `json:"rowType,omitempty"`
	// Reads are the relations a view, or a function whose body is BEGIN
	// ATOMIC, reads in turn (through views, to any depth), and whose
	// privileges they are read with, sorted: what else must be granted
	// for the source to work, which the runtime verifies with the rest.
	Reads []Read `json:"reads,omitempty"`
}

// Read is a relation a source reads in turn, and as whom: Owner, a view
// or SECURITY DEFINER function's owner; "" for the caller (a
// security_invoker view, a SECURITY INVOKER function), whose roles are
// the operation's.
type Read struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Owner  string `json:"owner,omitempty"`
}

// Column is a catalog fact about one column of a source.
type Column struct {
	Name    string `json:"name"`
	SQLType string `json:"sqlType"` // as format_type prints it
	NotNull bool   `json:"notNull,omitempty"`
}

// Param is a value bound to a SQL parameter: exactly one of Arg (a GraphQL
// argument name) or Claim (a JWT claim name) is set.
type Param struct {
	Arg   string `json:"arg,omitempty"`
	Claim string `json:"claim,omitempty"`
	// Node: the argument is a global id of this node type, and the value
	// bound is the Key-th value of its key.
	Node string `json:"node,omitempty"`
	Key  int    `json:"key,omitempty"`
	// SQLType, when the catalog was read, is the PostgreSQL type the value
	// is cast to: the function argument's or the compared column's type.
	// The runtime writes $n::<SQLType>, so overloads and operators resolve
	// exactly as they were checked.
	SQLType string `json:"sqlType,omitempty"`
}

// Comparison operators of [Condition].
var Operators = map[string]string{
	"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
	"like": "LIKE", "ilike": "ILIKE", "in": "= ANY",
}

// Condition is "<SQL> <Op> <param>" in a query's WHERE clause.
type Condition struct {
	ColumnRef
	Op string `json:"op"` // a key of Operators
	Param
}

// OrderTerm is one ORDER BY term.
type OrderTerm struct {
	ColumnRef
	Descending bool   `json:"descending,omitempty"`
	Nulls      string `json:"nulls,omitempty"` // "first", "last" or "" for PostgreSQL's default
}

// Limit bounds a list query: Default rows unless the client asks for fewer
// or more, never more than Max.
type Limit struct {
	Default int64 `json:"default"`
	Max     int64 `json:"max"`
}
