// Package forum is the forum API of seed 001 declared in Go: the same API
// as examples/forum/api.yaml, compiling to the same plan, byte for byte
// (tests/gotag_test.go checks it). Most descriptions come from the SQL's
// COMMENT ON statements when compiled with --database-url; only what SQL
// cannot say is written here.
//
//gqlplan:schema forum_example
//gqlplan:roles forum_example_anonymous forum_example_person
package forum

// LocalDateTime is a Go type named after the gqlplan scalar, which it is:
// the tutorial's columns are timestamp without time zone.
type LocalDateTime string

// ID is a Go type named after the GraphQL scalar: the global ids of nodes.
type ID string

// Person and Post are nodes (Relay's global object identification): id
// is a global ID, unique across types, which node(id:) fetches; the row
// key is rowId.

//gqlplan:type node=person
type Person struct {
	RowID      int     `gql:"rowId" column:"id"`
	FirstName  string  `filterable:"true" sortable:"true"`
	LastName   *string `filterable:"true" sortable:"true"`
	About      *string
	CreatedAt  *LocalDateTime `sortable:"true"`
	UpdatedAt  *LocalDateTime
	FullName   *string `function:"person_full_name"`
	LatestPost *Post   `function:"person_latest_post"`
	// The person’s posts, newest first.
	Posts []Post `relation:"post" join:"id=author_id" order_by:"created_at desc nulls last" connection:"true" filterable:"true" limit:"default=10, max=100"`
}

//gqlplan:type node=post
type Post struct {
	RowID     int            `gql:"rowId" column:"id"`
	AuthorID  int            `gql:"authorId"`
	Headline  string         `filterable:"true" sortable:"true"`
	Body      *string        `filterable:"true"`
	Topic     *PostTopic     `filterable:"true" sortable:"true"`
	CreatedAt *LocalDateTime `filterable:"true" sortable:"true"`
	UpdatedAt *LocalDateTime
	// The person who wrote the post.
	Author  Person                                      `relation:"person" join:"author_id=id"`
	Summary func(length *int, omission *string) *string `function:"post_summary"`
}

// What an edit changes; a field left out keeps its value, a null one clears it.
//
//gqlplan:input
type PostPatch struct {
	Headline *string
	Body     *string
	Topic    *PostTopic
}

// A topic for a post.
//
//gqlplan:enum sql_type=post_topic
type PostTopic string

const (
	TopicDiscussion  PostTopic = "discussion"
	TopicInspiration PostTopic = "inspiration"
	TopicHelp        PostTopic = "help"
	TopicShowcase    PostTopic = "showcase"
)

type Query struct {
	// Everyone on the forum.
	AllPeople  []Person            `sql_source:"person" connection:"true" filterable:"true" sortable:"true"`
	PersonByID func(id ID) *Person `gql:"personById" sql_source:"person" nodes:"id=Person"`
	// Posts, newest first.
	AllPosts      func(topic *PostTopic, authorId *int) []Post `sql_source:"post" filter:"topic, authorId=author_id" order_by:"created_at desc nulls last, id" limit:"default=20, max=100" filterable:"true" sortable:"true"`
	PostByID      func(id ID) *Post                            `gql:"postById" sql_source:"post" nodes:"id=Post"`
	SearchPosts   func(search string) []Post                   `sql_source:"search_posts" source_kind:"function" connection:"true" limit:"default=10, max=50"`
	CurrentPerson *Person                                      `sql_source:"current_person" source_kind:"function"`
}

type Mutation struct {
	RegisterPerson func(firstName, lastName, email, password string) *Person                 `sql_source:"register_person" roles:"forum_example_anonymous"`
	Authenticate   func(email, password string) *string                                      `sql_source:"authenticate" token:"true"`
	ChangePassword func(currentPassword, newPassword string) *bool                           `sql_source:"change_password" roles:"forum_example_person"`
	CreatePost     func(authorId int, headline string, body *string, topic *PostTopic) *Post `sql_source:"create_post" roles:"forum_example_person"`
	UpdatePost     func(id ID, patch PostPatch) *Post                                        `sql_source:"update_post" roles:"forum_example_person" nodes:"id=Post"`
	DeletePost     func(id ID) *Post                                                         `sql_source:"delete_post" roles:"forum_example_person" nodes:"id=Post"`
}

type Subscription struct {
	// The newest posts with their authors, sent again whenever they change.
	LatestPosts []Post `sql_source:"post" order_by:"created_at desc nulls last, id" limit:"default=5, max=20"`
	// Each post once, as it is written: the posts after rowId "after", 20 at a time.
	NewPosts []Post `sql_source:"post" stream:"cursor=id,batch_size=20"`
}
