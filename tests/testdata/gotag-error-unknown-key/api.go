package api

//gqlplan:enums
type Color string

//gqlplan:type
type Note struct {
	ID   int    `gql:"id,typ=ID!" json:"id" db:"id"`
	Body string `colum:"text"`
}

type Query struct {
	Notes []Note `sql_sorce:"note" shape:"columns" limit:"max=10, defualt=5"`
}
