package decl

// Codes lists every diagnostic code gqlplan reports, with what it means.
// Codes are stable: tools match on them, the README documents them, and
// tests check that each has a golden case.
var Codes = map[string]string{
	// Reading files.
	"empty-input":        "no declaration files were found, or a file is empty",
	"file-too-large":     "a declaration file is larger than the 8 MiB limit",
	"yaml-syntax":        "a file is not valid YAML",
	"yaml-alias":         "a file uses YAML anchors/aliases, which the format does not support",
	"multiple-documents": "a file holds more than one YAML document",
	"missing-version":    "a file has no \"version\" key",
	"unknown-version":    "a file's \"version\" is not one this gqlplan reads",
	"unknown-key":        "a key is not part of the format (with a suggestion)",
	"duplicate-key":      "a key appears twice in one mapping",
	"invalid-value":      "a value has the wrong YAML kind (a list where a mapping belongs, a number for a string, …)",
	"missing-type":       "a field or argument has no type",

	// Go source (decl/gotag).
	"go-syntax":           "a .go file is not valid Go",
	"tag-syntax":          "a struct tag, or an option inside one, is malformed",
	"unsupported-go-type": "a Go type has no GraphQL counterpart (with how to name the type instead)",

	// Names and types.
	"invalid-name":         "a GraphQL name is malformed, or an enum value is true/false/null",
	"reserved-name":        "a name starts with \"__\" or takes a root type name (Query, Mutation, Subscription)",
	"duplicate-definition": "a type, input or enum name is declared twice (possibly in different files) or redefines a built-in scalar",
	"duplicate-operation":  "a query or mutation name is declared twice",
	"type-syntax":          "a type reference is malformed, e.g. \"[Post!\"",
	"unknown-type":         "a type reference names no declared or built-in type (with a suggestion)",
	"output-type-in-input": "an argument or input field has an object type",
	"input-type-in-output": "a field or result has an input type",
	"empty-type":           "an object or input type has no fields",
	"empty-enum":           "an enum has no values",
	"duplicate-enum-value": "two values of one enum map to the same SQL value",
	"default-type":         "a default value does not fit its type",
	"unused-type":          "(warning) a type is not reachable from any operation",

	// Operations and SQL.
	"no-queries":                "the declarations hold no query; GraphQL needs at least one",
	"missing-returns":           "an operation has no \"returns\" type",
	"invalid-returns":           "an operation's result type does not fit its source (a scalar from a view, a list of lists)",
	"missing-sql-source":        "an operation has no \"sql_source\"",
	"invalid-sql-identifier":    "a SQL name is empty, unsafe, has too many dots, or is longer than 63 bytes",
	"sql-identifier-case":       "(warning) a SQL name has upper-case letters, which quoting makes case-sensitive",
	"invalid-source-kind":       "\"source_kind\" is not relation or function, or a mutation is given a relation",
	"invalid-shape":             "\"shape\" is not columns or jsonb",
	"data-column-without-jsonb": "\"data_column\" is set on an operation whose shape is not jsonb",
	"missing-filter":            "a query argument on a table or view has no \"filter\" column",
	"filter-on-mutation":        "a mutation argument has a \"filter\"",
	"invalid-filter-op":         "a filter \"op\" is unknown",
	"filter-op-type":            "a filter op does not fit the argument's type (\"in\" needs a list; only \"in\" takes one)",
	"reserved-argument":         "a list query declares an argument named limit or offset, which gqlplan adds",
	"order-by-syntax":           "an order_by term is not \"column [asc|desc] [nulls first|last]\"",
	"order-by-not-list":         "order_by is set on an operation that does not return a list",
	"invalid-limit":             "a limit is below 1, or the default exceeds the max",
	"limit-not-list":            "limit is set on an operation that does not return a list",

	// The inject contract (seed 002).
	"inject-key":      "an inject key is not an identifier (^[A-Za-z_][A-Za-z0-9_]*$)",
	"inject-source":   "an inject source is not jwt:<claim> (^jwt:[A-Za-z_][A-Za-z0-9_]*$)",
	"inject-conflict": "an inject key has the name of a declared argument",

	// Checks against the database (compile/check --database-url).
	"db-unreachable":         "the database cannot be reached or its catalog cannot be read (exit 2)",
	"db-unknown-role":        "--role names a role that does not exist (exit 2)",
	"db-missing-source":      "a sql_source names no relation or function the serving role's search_path finds (with a suggestion)",
	"db-source-kind":         "a sql_source is the wrong kind of object: a function where a view belongs, a composite type, …",
	"db-missing-column":      "a field, filter, inject key, order_by or data column names no column of the source (with a suggestion)",
	"db-type-mismatch":       "a column, function argument or result has a PostgreSQL type that does not fit the GraphQL type",
	"db-int-range":           "(warning) an Int field reads a bigint or numeric column, whose values may not fit 32 bits",
	"db-inject-cast":         "(warning) a claim (text) is injected into a column or argument of another type, so it is cast and a malformed claim fails the request",
	"db-data-column-type":    "the data column of a jsonb-shaped source is not of type jsonb",
	"db-jsonb-key-missing":   "a field's key is in none of the sampled rows of a jsonb source (with a suggestion)",
	"db-jsonb-key-sometimes": "(warning) a non-null field's key is absent or null in some sampled rows",
	"db-jsonb-value-type":    "(warning) a field's key holds JSON values of a kind its GraphQL type does not accept",
	"db-sample-failed":       "(warning) a jsonb source could not be sampled (the query failed)",
	"db-function-arity":      "no overload of a function takes the operation's explicit plus injected arguments",
	"db-function-ambiguous":  "several overloads of a function fit the operation's arguments",
	"db-returns-mismatch":    "a function's return type does not fit the operation's \"returns\" (a set for a single value, a scalar for an object, …)",
	"db-returns-set":         "(warning) an operation returning one value calls a set-returning function; a second row fails the request",
	"db-volatile-query":      "(warning) a query calls a VOLATILE function; queries run in read-only transactions",
	"db-nullability":         "(warning) a non-null field reads a table column that allows NULL",
	"db-missing-type":        "an enum's sql_type names no type, or one that is not an enum",
	"db-enum-mismatch":       "an enum value maps to a SQL value that is not a label of the PostgreSQL enum (with a suggestion)",
	"db-enum-uncovered":      "(warning) a PostgreSQL enum has labels no GraphQL value maps to; rows holding them fail the request",
	"db-privilege":           "--role lacks a privilege a request needs: USAGE on the schema, SELECT on the relation or columns, EXECUTE on the function",
	"db-security-definer":    "(warning) a SECURITY DEFINER function has no fixed search_path, so a caller's objects can shadow the ones it uses",
}
