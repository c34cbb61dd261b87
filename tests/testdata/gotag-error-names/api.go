package api

//gqlplan:type
type Note struct {
	ID int `gql:"__id"`
}

//gqlplan:type
type Query2 struct {
	X int `gql:"x-y"`
}

type Query struct {
	Notes  []Note   `sql_source:"note"`
	Notes2 []Query2 `gql:"notes" sql_source:"public.note.x"`
}
