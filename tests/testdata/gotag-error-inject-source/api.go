package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	// Seed 002: a source is jwt:<claim>, lower-case prefix, claim an identifier.
	A []Note `sql_source:"note" inject:"owner_id=sub"`
	B []Note `sql_source:"note" inject:"owner_id=JWT:sub"`
	C []Note `sql_source:"note" inject:"owner_id=jwt:"`
	D []Note `sql_source:"note" inject:"owner_id=header:x-user"`
	E []Note `sql_source:"note" inject:"owner_id=jwt:user-id"`
}
