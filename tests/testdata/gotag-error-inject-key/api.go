package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	// Seed 002: inject keys are identifiers.
	Notes []Note `sql_source:"note" inject:"owner-id=jwt:sub, 1tenant=jwt:tenant_id"`
}
