package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	Notes []Note
}

type Mutation struct {
	CreateNote func(body string) *Note `source_kind:"relation"`
}
