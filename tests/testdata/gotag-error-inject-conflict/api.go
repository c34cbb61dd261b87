package api

//gqlplan:type
type Note struct{ ID int }

type Mutation struct {
	// A client could supply owner_id itself: refused.
	CreateNote func(body string, owner_id string) *Note `sql_source:"create_note" inject:"owner_id=jwt:sub"`
}

type Query struct {
	Notes []Note `sql_source:"note"`
}
