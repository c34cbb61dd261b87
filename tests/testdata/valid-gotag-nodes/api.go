// The node types of valid-nodes, declared in Go: the same plan, byte for
// byte (TestGoTagParity).
//
//gqlplan:schema app
package nodes

// Someone.
//
//gqlplan:type node=person
type Person struct {
	RowID   int `gql:"rowId" column:"id"`
	Name    string
	Shelves []Shelf `relation:"shelf" join:"id=owner_id" order_by:"room"`
}

//gqlplan:type key=room,position node=app.shelf
type Shelf struct {
	Room     string
	Position int
	Label    *string
}

type Query struct {
	People []Person                               `sql_source:"person" order_by:"id"`
	Shelf  func(room string, position int) *Shelf `sql_source:"shelf" filter:"room,position"`
}
