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

type Mutation struct {
	// Pins a note; the function's parameters are p_id and p_pinned.
	PinNote func(id int64, pinned bool) *Note `sql_source:"pin_note" params:"id=p_id,pinned=p_pinned"`
}
