package decl

// Text is a string as written in a declaration, with where it was written.
type Text struct {
	Value string
	Range Range
}

// Int is an integer as written in a declaration.
type Int struct {
	Value int64
	Range Range
}

// ValueKind is the kind of a literal [Value].
type ValueKind int

const (
	NullValue ValueKind = iota
	BoolValue
	IntValue
	FloatValue
	StringValue
	ListValue
	ObjectValue
)

// Value is a literal as written (a default value). Scalars keep their text;
// the compiler coerces them against the declared GraphQL type.
type Value struct {
	Kind   ValueKind
	Scalar string     // the text of a Bool, Int, Float or String
	List   []*Value   // ListValue elements
	Fields []*ValueKV // ObjectValue entries in written order
	Range  Range
}

// ValueKV is one entry of an object literal.
type ValueKV struct {
	Key   Text
	Value *Value
}

// File is one declaration file. Sections keep the order they were written in.
type File struct {
	Name    string // the path as given on the command line, never made absolute
	Version *Int
	Schema  *Text // default SQL schema for unqualified sql_source names
	// Roles are the roles requests may run as — the anonymous role and
	// each role a token may carry: the default roles of every operation.
	Roles      []Text
	Types      []*ObjectType
	Interfaces []*Interface
	Unions     []*Union
	Inputs     []*InputType
	Enums      []*Enum
	Queries    []*Operation
	Mutations  []*Operation
	// Subscriptions are live queries: the result again whenever it
	// changes, served over WebSocket.
	Subscriptions []*Operation
}

// Empty reports whether the file declares nothing.
func (f *File) Empty() bool {
	return len(f.Types)+len(f.Interfaces)+len(f.Unions)+len(f.Inputs)+len(f.Enums)+len(f.Queries)+len(f.Mutations)+len(f.Subscriptions) == 0
}

// ObjectType is an output object type ("types:" section).
type ObjectType struct {
	Name        Text
	Description *Text
	Fields      []*Field
	Key         []Text // the columns that identify a row
	KeyRange    Range  // where "key" was written (zero when it was not)
	// Node makes the type a Relay node: it implements Node, its id field
	// is a global ID, and node(id:) fetches it from this source.
	Node *Node
	// Implements are the interfaces the type implements ("implements:").
	Implements []Text
}

// Interface is an interface type ("interfaces:" section): the fields every
// type implementing it has.
type Interface struct {
	Name        Text
	Description *Text
	Fields      []*Field
}

// Union is a union type ("unions:" section) of object types.
type Union struct {
	Name        Text
	Description *Text
	Types       []Text
	TypesRange  Range // where "types" was written
}

// Node is where a node type's rows are fetched by key.
type Node struct {
	SQLSource Text // [schema.]name of the table or view
	Range     Range
}

// InputType is an input object type ("inputs:" section).
type InputType struct {
	Name        Text
	Description *Text
	Fields      []*Field
}

// Field is a field of an object or input type.
type Field struct {
	Name        Text
	Type        Text // GraphQL type reference, e.g. "[Post!]!"
	Description *Text
	Column      *Text  // SQL column (columns shape) or key in data (jsonb shape); object types only
	Deprecated  *Text  // deprecation reason; object types only
	Default     *Value // input types only
	// Node, on an input field of type ID, makes it a global id of this
	// node type: decoded for the resolver it is given to.
	Node *Text

	// Object types only: a field is a column (or jsonb key), a relation or
	// a computed field (a function taking the row).
	Relation   *Relation
	Function   *Text  // [schema.]name of the function
	Args       []*Arg // the function's (or the resolver's) arguments after the row
	Filterable *Bool
	Sortable   *Bool
	// Resolver names the Go resolver that computes the field from the
	// row's Requires columns (a server built with package extend runs it).
	Resolver *Text
	Requires []Text
	// RLSBypass acknowledges, with the reason a reviewer gave, that the
	// computed field's SECURITY DEFINER function bypasses row level
	// security (db-rls-bypass).
	RLSBypass *Text
	// Limit bounds the rows of a computed field returning a list (a
	// set-returning function), as a list relation's does.
	Limit *Limit
	// SQLSource, on a field of the type an operation's resolver returns,
	// is the table or view its rows are read from, by the keys the
	// resolver gives (look-ahead: the selection beneath is SQL).
	SQLSource *Text
}

// Bool is a boolean as written in a declaration.
type Bool struct {
	Value bool
	Range Range
}

// Relation reads a field from another table or view, joined on columns.
type Relation struct {
	SQLSource *Text
	// Columns pairs a column of the parent row (Parent) with one of the
	// source (Child); the rows joined have them equal.
	Columns []*JoinColumns
	List    // for list relations: order, page size, connection, filter, sort
	Range   Range
}

// JoinColumns is one "parent_column: source_column" pair of a relation.
type JoinColumns struct {
	Parent Text
	Child  Text
}

// List holds how a list field reads its rows; an operation and a list
// relation declare the same things.
type List struct {
	OrderBy    []Text // "column [asc|desc] [nulls first|last]"
	Limit      *Limit
	Connection *Bool
	Filterable *Bool
	Sortable   *Bool
}

// Enum is an enum type whose GraphQL values map to SQL values.
type Enum struct {
	Name        Text
	Description *Text
	SQLType     *Text // the PostgreSQL enum type, when there is one
	Values      []*EnumValue
}

// EnumValue is one value of an [Enum].
type EnumValue struct {
	Name        Text
	SQLValue    *Text // nil: the lower-cased GraphQL name
	Description *Text
	Deprecated  *Text
}

// OperationKind tells queries, mutations and subscriptions apart.
type OperationKind int

const (
	Query OperationKind = iota
	Mutation
	Subscription
)

func (k OperationKind) String() string {
	switch k {
	case Mutation:
		return "mutation"
	case Subscription:
		return "subscription"
	}
	return "query"
}

// Operation is a root field bound to a SQL source.
type Operation struct {
	Kind        OperationKind
	Name        Text
	Description *Text
	Deprecated  *Text
	Returns     *Text // GraphQL type reference
	SQLSource   *Text // [schema.]name of a view, table or function
	SourceKind  *Text // "relation" or "function"
	Shape       *Text // "columns" or "jsonb"
	DataColumn  *Text // the jsonb column of the jsonb shape
	Args        []*Arg
	Inject      []*Inject
	Token       *Bool // the row is the claim set of a JWT the server signs
	// Roles are the only roles that may call the operation (nil: the
	// file's roles).
	Roles []Text
	// TypeColumn, for an operation returning an interface or a union, is
	// the column of its rows that names each row's type.
	TypeColumn *Text
	// Resolver names the Go resolver that runs the operation (a server
	// built with package extend runs it); with SQLSource, it picks the
	// rows by key and the selection is read from the source.
	Resolver *Text
	// RLSBypass acknowledges, with the reason a reviewer gave, that the
	// operation's SECURITY DEFINER function bypasses row level security
	// (db-rls-bypass).
	RLSBypass *Text
	// Stream, on a subscription, makes it a stream: the rows after a
	// cursor, in batches, instead of the whole result again.
	Stream *Stream
	// Tables, on a subscription, are the tables it reads that the
	// catalog cannot reveal: those a function's body kept as a string
	// (PL/pgSQL) or a Go resolver reads. A change to one reads the
	// subscription again.
	Tables []Text
	List   // queries returning a list
}

// Stream is how a stream subscription reads its rows: in the order of
// Cursor, a column whose values are unique (the compiler proves it by a
// unique index), at most BatchSize at a time.
type Stream struct {
	Cursor    *Text
	BatchSize *Int
	Range     Range
}

// Arg is a GraphQL argument of an operation.
type Arg struct {
	Name        Text
	Type        Text
	Description *Text
	Default     *Value
	Filter      *Filter
	// Param is the function parameter the argument is passed as (a
	// function source); nil: the snake_case of Name.
	Param *Text
	// Node: the argument is a global id of this node type.
	Node *Text
}

// Filter binds a query argument to a comparison on a source column.
type Filter struct {
	Column Text
	Op     *Text // nil: equality
	Range  Range
}

// Inject binds a SQL parameter to a JWT claim ("owner_id": "jwt:sub").
type Inject struct {
	Key    Text
	Source Text
}

// Limit bounds the rows a list query returns.
type Limit struct {
	Default *Int
	Max     *Int
	Range   Range
}
