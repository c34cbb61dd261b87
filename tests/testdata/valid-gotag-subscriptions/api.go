//gqlplan:schema app
//gqlplan:roles app_user
package subscriptions

//gqlplan:type
type Post struct {
	ID       int
	Headline string
	AuthorID int `gql:"authorId"`
}

type Query struct {
	Posts []Post `sql_source:"posts" order_by:"id"`
}

type Subscription struct {
	// The newest posts, sent again whenever they change.
	LatestPosts []Post                    `sql_source:"posts" order_by:"id desc" limit:"default=10, max=50"`
	PostsOf     func(authorId int) []Post `sql_source:"posts" order_by:"id" filter:"authorId=author_id" tables:"authors"`
	// A stream: 25 posts at a time, by id.
	NewPosts []Post `sql_source:"posts" stream:"cursor=id,batch_size=25"`
}
