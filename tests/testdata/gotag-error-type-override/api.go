package api

//gqlplan:type
type Note struct {
	ID   int    `gql:",type=[ID!"`
	Body string `gql:",type=Strng"`
	Meta []byte `gql:",type=JSON"`
}

type Query struct {
	Notes func(ids []string) []Note `sql_source:"note" args:"ids=[UUID!]!, bad" filter:"ids=id in" returns:"[Note!]!"`
}
