package api

//gqlplan:type
type Note struct {
	ID     int
	Author Persn
	Tags   []Tag
}

//gqlplan:type
type Person struct{ ID int }

type Query struct {
	Notes []Note `sql_source:"note"`
}
