// The interface and union of valid-abstract, declared in Go: the same
// plan, byte for byte (TestGoTagParity).
//
//gqlplan:schema app
package abstract

import "time"

// Something with a time.
//
//gqlplan:interface
type Dated struct {
	CreatedAt time.Time
}

//gqlplan:type node=person implements=Dated
type Person struct {
	RowID     int `gql:"rowId" column:"id"`
	Name      string
	CreatedAt time.Time
}

//gqlplan:type node=post implements=Dated
type Post struct {
	RowID     int `gql:"rowId" column:"id"`
	Title     string
	CreatedAt time.Time
}

// A person or a post.
//
//gqlplan:union Post Person
type SearchResult any

type Query struct {
	Search func(text string) []SearchResult `sql_source:"search_index" filter:"text=words ilike" order_by:"rank desc" limit:"default=10, max=50"`
	Newest []Dated                          `sql_source:"timeline" type_column:"kind" order_by:"at desc"`
}
