package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	ByID     func(id int) *Note       `sql_source:"note" filter:"idd"`
	Search   func(text string) []Note `sql_source:"note" filter:"text=body contains"`
	Spaced   func(text string) []Note `sql_source:"note" filter:"text=body ilike extra"`
	Unfilter func(text string) []Note `sql_source:"note"`
	InList   func(ids []int) []Note   `sql_source:"note" filter:"ids=id"`
}

type Mutation struct {
	Pin func(id int) *Note `sql_source:"pin_note" params:"idd=p_id"`
}
