package main

// workload is one request shape, written for each server: gqlplan's
// declarations (examples/forum/api.yaml) and PostGraphile v4's generated
// schema name things differently, but each pair selects the same data.
type workload struct {
	name     string
	short    string // for the chart
	token    bool   // sent with a person's JWT
	mutation bool
	// cursor is set on the connection workload: the request's $after, read
	// from each server once before it runs.
	cursor       bool
	gqlplan      string
	postgraphile string
	variables    map[string]any
	// gqlplanVariables, when set, are gqlplan's: its posts are named by
	// global ids (Relay nodes), PostGraphile's postById by the row key.
	gqlplanVariables map[string]any
}

// benchPerson is the author the createPost workload writes as.
const benchPerson = 42

var workloads = []workload{
	{
		name: "1. one post by id", short: "post by id",
		gqlplan:          `query($id: ID!) { postById(id: $id) { rowId headline body topic createdAt } }`,
		postgraphile:     `query($id: Int!) { postById(id: $id) { id headline body topic createdAt } }`,
		variables:        map[string]any{"id": 4242},
		gqlplanVariables: map[string]any{"id": "ZzFbIlBvc3QiLCA0MjQyXQ"}, // post 4242
	},
	{
		name: "2. a list of 20 posts", short: "20 posts",
		gqlplan:      `{ allPosts(limit: 20) { rowId headline topic createdAt } }`,
		postgraphile: `{ allPosts(first: 20, orderBy: [CREATED_AT_DESC, ID_ASC]) { nodes { id headline topic createdAt } } }`,
	},
	{
		name: "3. nested: posts → author → latest post", short: "nested",
		gqlplan:      `{ allPosts(limit: 10) { rowId headline author { fullName latestPost { rowId headline } } } }`,
		postgraphile: `{ allPosts(first: 10, orderBy: [CREATED_AT_DESC, ID_ASC]) { nodes { id headline personByAuthorId { fullName latestPost { id headline } } } } }`,
	},
	{
		name: "4. a connection page after a cursor", short: "page after cursor", cursor: true,
		gqlplan:      `query($after: String) { allPeople(first: 20, after: $after) { edges { cursor node { rowId firstName lastName } } pageInfo { hasNextPage endCursor } } }`,
		postgraphile: `query($after: Cursor) { allPeople(first: 20, after: $after, orderBy: PRIMARY_KEY_ASC) { edges { cursor node { id firstName lastName } } pageInfo { hasNextPage endCursor } } }`,
	},
	{
		name: "5. createPost with a JWT", short: "createPost", token: true, mutation: true,
		gqlplan:      `mutation($author: Int!) { createPost(authorId: $author, headline: "Benchmark", body: "Written by make bench.", topic: DISCUSSION) { rowId } }`,
		postgraphile: `mutation($author: Int!) { createPost(input: {post: {authorId: $author, headline: "Benchmark", body: "Written by make bench.", topic: DISCUSSION}}) { post { id } } }`,
		variables:    map[string]any{"author": benchPerson},
	},
}

// cursorQueries page through allPeople to the cursor the connection
// workload starts after (person 5,000: in the middle of the table).
var cursorQueries = map[string]string{
	"gqlplan":      `query($after: String) { q: allPeople(first: 1000, after: $after) { pageInfo { endCursor } } }`,
	"postgraphile": `query($after: Cursor) { q: allPeople(first: 1000, after: $after, orderBy: PRIMARY_KEY_ASC) { pageInfo { endCursor } } }`,
}
