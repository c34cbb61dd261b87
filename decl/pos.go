package decl

import "fmt"

// Pos is a position in a declaration file. Line and Column are 1-based;
// Column counts bytes, as YAML parsers and editors in byte mode do.
type Pos struct {
	Line   int
	Column int
}

// Range is a span of text in one file. End is exclusive; where a front end
// cannot know the end, End equals Start.
type Range struct {
	Filename string
	Start    Pos
	End      Pos
}

// String renders the range as "file:line:col", the form editors jump to.
func (r Range) String() string {
	if r.Start.Line == 0 {
		return r.Filename
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
