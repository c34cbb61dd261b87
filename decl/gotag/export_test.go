package gotag

import (
	"go/token"

	"github.com/gqlplan/gqlplan/decl"
)

// LoadUnguarded is Load without its panic guard, so the fuzzer sees panics.
func LoadUnguarded(name string, src []byte) (*decl.File, decl.Diagnostics, bool) {
	l := &loader{name: name, fset: token.NewFileSet()}
	f, declares := l.parse(src)
	return f, l.diags, declares
}
