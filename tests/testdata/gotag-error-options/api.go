package api

//gqlplan:type
type Note struct {
	ID   int    `gql:"id,deprecated"`
	Body string `gql:"body text"`
	Old  string `gql:"-"`
}

type Query struct {
	Notes []Note `gql:",deprecated=use notes2,type=X" sql_source:"note"`
}
