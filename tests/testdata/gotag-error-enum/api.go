package api

//gqlplan:enum
type Level int

//gqlplan:enum sql_type=note_color
type Color string

const (
	Red   Color = "red"
	Green Color = "green"
	Also  Color = "Red"
	Blue  Color = 3
	Lost  Color
	None  Color = "null"
)

//gqlplan:enum sqltype=x
type Shade string

const Dark Shade = "dark"

//gqlplan:type
type Note struct {
	ID    int
	Color Color
	Shade Shade
}

type Query struct {
	Notes []Note `sql_source:"note"`
}
