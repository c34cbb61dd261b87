//gqlplan:schema app
package resolvers

//gqlplan:type
type User struct {
	ID    int
	Name  string
	Email string
	Bio   *string
}

//gqlplan:type
type Product struct {
	ID             int
	Name           string
	PriceInUsCents int
	PriceInAuCents int                         `resolver:"priceInAuCents" requires:"price_in_us_cents"`
	Label          func(prefix *string) string `resolver:"label" requires:"name, id"`
	AlsoBought     []Product                   `resolver:"alsoBought" sql_source:"product" requires:"id" limit:"default=5, max=10"`
}

//gqlplan:type node=shops
type Shop struct {
	RowID int `gql:"rowId" column:"id"`
	Name  string
}

//gqlplan:type
type RegisterUserPayload struct {
	User    *User `sql_source:"users"`
	Message string
	Query   Query
}

//gqlplan:input
type RegisterUserInput struct {
	Name  string
	Email string
	Bio   *string
}

// A global id decoded for the resolver (resolvers' operations only).
//
//gqlplan:input
type CloseShopInput struct {
	Successor *ID `node:"Shop"`
	Reason    *string
}

type Query struct {
	Products              []Product               `sql_source:"product" order_by:"id"`
	RandomUser            *User                   `sql_source:"users" resolver:"randomUser"`
	RandomUsersList       func(count *int) []User `sql_source:"users" resolver:"randomUsersList"`
	RandomUsersConnection []User                  `sql_source:"users" resolver:"randomUsersConnection" connection:"true" limit:"default=10, max=50"`
	ServerTime            string                  `resolver:"serverTime"`
}

type Mutation struct {
	RegisterUser func(input RegisterUserInput) *RegisterUserPayload `resolver:"registerUser"`
	CloseShops   func(ids []ID, input *CloseShopInput) int          `resolver:"closeShops" nodes:"ids=Shop"`
}

// ID is GraphQL's ID.
type ID string
