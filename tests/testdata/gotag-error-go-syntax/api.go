package api

//gqlplan:type
type Note struct {
	ID int
	Body string
