// Package gotag reads gqlplan declarations written in Go source: object
// types, inputs and enums are Go types, and the root fields are the fields
// of structs named Query and Mutation, with sql_source, inject and the
// rest in struct tags. It produces the same decl model as the YAML front
// end, with positions in the Go file, so the two forms compile to
// byte-identical plans.
//
// The package parses with go/parser only: user code is never type-checked,
// built or run, and the user's module need not build.
package gotag
