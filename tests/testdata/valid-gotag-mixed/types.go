package mixed

import "time"

// A note.
//
//gqlplan:type
type Note struct {
	ID        int64
	Body      string
	CreatedAt time.Time
}

// Not a declaration: a Go file may hold other code too.
func helper() int { return 1 }

// What a new note holds.
//
//gqlplan:input
type NoteInput struct {
	Body   string
	Pinned *bool `gql:"isPinned"`
}
