package api

//gqlplan:type
type Note struct {
	ID    int    `gql:id`
	Body  string `gql:"body" column:"body`
	Title string `gql:"title" column:"ti\qtle"`
}

type Query struct {
	Notes []Note `sql_source:"note" inject:"owner_id"`
}
