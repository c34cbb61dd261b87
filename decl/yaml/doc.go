// Package yaml reads declaration files written in YAML (format version 1)
// into the [decl] model.
//
// Decoding is strict and positional: the file is parsed into yaml.v3 nodes,
// the version is read first (an unknown version stops decoding, so a future
// format is not misread), then every mapping is checked against the keys
// its section allows. Unknown keys, duplicate keys, values of the wrong
// kind, anchors and aliases are reported as diagnostics with the position
// of the offending node; the loader never stops at the first problem and
// never panics on any input (see FuzzLoad).
package yaml
