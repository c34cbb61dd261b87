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
}
