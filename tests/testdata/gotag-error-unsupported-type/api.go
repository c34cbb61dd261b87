package api

//gqlplan:type
type Note struct {
	ID     int
	Size   uint64
	Tags   map[string]int
	Events chan int
	Body   [4]string
}

type Query struct {
	Notes func(filter interface{}) []Note `sql_source:"notes" source_kind:"function"`
}
