package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	A []Note `sql_source:"note" limit:"default=abc"`
	B []Note `sql_source:"note" limit:"default=50, max=10"`
	C []Note `sql_source:"note" limit:"max"`
	D *Note  `sql_source:"note" limit:"max=5"`
}
