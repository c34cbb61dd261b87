// Package spec is the contract between the compiler and the runtime: the Go
// types of a compiled plan ([Plan]), its format version ([FormatVersion]),
// its deterministic encoding with a content hash ([Encode]), verified
// loading ([Decode]), and the JSON Schemas of the declaration file format
// and of the plan ([DeclarationSchema], [PlanSchema]).
//
// A plan is self-contained: it holds every decision the compiler made —
// quoted SQL identifiers, parameter order, where conditions, limits — so the
// runtime executes it without re-deriving anything. It holds no positions,
// paths or timestamps, so equal declarations give byte-identical plans
// whichever front end or file order they came from.
package spec
