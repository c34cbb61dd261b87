// Package forum is the forum API of seed 001 declared in Go: the same API
// as examples/forum/api.yaml, compiling to the same plan, byte for byte
// (tests/gotag_test.go checks it).
//
//gqlplan:schema forum_example
//gqlplan:roles forum_example_anonymous forum_example_person
package forum

// LocalDateTime is a Go type named after the gqlplan scalar, which it is:
// the tutorial's columns are timestamp without time zone.
type LocalDateTime string

// A user of the forum.
//
//gqlplan:type
type Person struct {
	// The primary unique identifier for the person.
	ID int
	// The person’s first name.
	FirstName string `filterable:"true" sortable:"true"`
	// The person’s last name.
	LastName *string `filterable:"true" sortable:"true"`
	// A short description about the user, written by the user.
	About *string
	// The time this person was created.
	CreatedAt *LocalDateTime `sortable:"true"`
	// The time this person was last updated.
	UpdatedAt *LocalDateTime
	// A person’s full name which is a concatenation of their first and last name.
	FullName *string `function:"person_full_name"`
	// Gets the latest post written by the person.
	LatestPost *Post `function:"person_latest_post"`
	// The person’s posts, newest first.
	Posts []Post `relation:"post" join:"id=author_id" order_by:"created_at desc nulls last" connection:"true" filterable:"true" limit:"default=10, max=100"`
}

// A forum post written by a user.
//
//gqlplan:type
type Post struct {
	ID int
	// The id of the author user.
	AuthorID int `gql:"authorId"`
	// The title written by the user.
	Headline string `filterable:"true" sortable:"true"`
	// The main body text of our post.
	Body *string `filterable:"true"`
	// The topic this has been posted in.
	Topic *PostTopic `filterable:"true" sortable:"true"`
	// The time this post was created.
	CreatedAt *LocalDateTime `filterable:"true" sortable:"true"`
	// The time this post was last updated.
	UpdatedAt *LocalDateTime
	// The person who wrote the post.
	Author Person `relation:"person" join:"author_id=id"`
	// A truncated version of the body for summaries.
	Summary func(length *int, omission *string) *string `function:"post_summary"`
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
	AllPeople  []Person             `sql_source:"person" connection:"true" filterable:"true" sortable:"true"`
	PersonByID func(id int) *Person `gql:"personById" sql_source:"person" filter:"id"`
	// Posts, newest first.
	AllPosts func(topic *PostTopic, authorId *int) []Post `sql_source:"post" filter:"topic, authorId=author_id" order_by:"created_at desc nulls last, id" limit:"default=20, max=100" filterable:"true" sortable:"true"`
	PostByID func(id int) *Post                           `gql:"postById" sql_source:"post" filter:"id"`
	// Returns posts containing a given search term.
	SearchPosts func(search string) []Post `sql_source:"search_posts" source_kind:"function" connection:"true" limit:"default=10, max=50"`
	// Gets the person who was identified by our JWT.
	CurrentPerson *Person `sql_source:"current_person" source_kind:"function"`
}

type Mutation struct {
	// Registers a single user and creates an account in our forum.
	RegisterPerson func(firstName, lastName, email, password string) *Person `sql_source:"register_person" roles:"forum_example_anonymous"`
	// Creates a JWT token that will securely identify a person and give them certain permissions.
	Authenticate func(email, password string) *string `sql_source:"authenticate" token:"true"`
	// Changes the caller's password; false when the current one is wrong.
	ChangePassword func(currentPassword, newPassword string) *bool `sql_source:"change_password" roles:"forum_example_person"`
	// Writes a post. The author must be the person of the token (Row Level Security refuses another); anonymous callers are denied.
	CreatePost func(authorId int, headline string, body *string, topic *PostTopic) *Post `sql_source:"create_post" roles:"forum_example_person"`
	// Edits one of the caller's posts (arguments left out keep their value); null when there is no such post of theirs.
	UpdatePost func(id int, headline, body *string, topic *PostTopic) *Post `sql_source:"update_post" roles:"forum_example_person"`
	// Deletes one of the caller's posts and returns it; null when there is no such post of theirs.
	DeletePost func(id int) *Post `sql_source:"delete_post" roles:"forum_example_person"`
}
