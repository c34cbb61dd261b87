package api

//gqlplan:type key=id
type Author struct {
	ID    int
	Name  string `filterable:"yes"`
	Books []Book `relation:"book" join:"id"`
	Count int    `connection:"true" order_by:"id"`
	Label func(style string) string
}

//gqlplan:type keys=id
type Book struct {
	ID     int
	Author *Author `relation:"author" join:"author_id=id" filterable:"maybe"`
}

type Query struct {
	Authors []Author `sql_source:"author" connection:"1"`
}
