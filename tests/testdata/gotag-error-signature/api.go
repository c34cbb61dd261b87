package api

//gqlplan:type
type Note struct{ ID int }

type Query struct {
	Two     func(id int) (*Note, error) `sql_source:"note_by_id" source_kind:"function"`
	None    func(id int)                `sql_source:"note_by_id" source_kind:"function"`
	Unnamed func(int) *Note             `sql_source:"note_by_id" source_kind:"function"`
	Fine    []Note                      `sql_source:"note"`
}
