package yaml

import "github.com/gqlplan/gqlplan/decl"

// LoadUnguarded is Load without its panic guard, so the fuzzer sees panics.
func LoadUnguarded(name string, data []byte) (*decl.File, decl.Diagnostics) {
	l := &loader{name: name}
	f := l.load(data)
	return f, l.diags
}
