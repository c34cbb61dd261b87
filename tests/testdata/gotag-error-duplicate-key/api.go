package api

//gqlplan:type
type Note struct {
	ID int `gql:"id" gql:"noteId"`
}

type Query struct {
	Notes []Note `sql_source:"note" sql_source:"v_note" inject:"owner_id=jwt:sub, owner_id=jwt:tenant"`
}
