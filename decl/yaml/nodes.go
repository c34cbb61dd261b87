package yaml

import (
	"fmt"

	"github.com/gqlplan/gqlplan/decl"
	yamlv3 "gopkg.in/yaml.v3"
)

// pair is one key/value entry of a YAML mapping.
type pair struct {
	key   *yamlv3.Node
	value *yamlv3.Node
}

func (p pair) name(l *loader) decl.Text {
	return decl.Text{Value: p.key.Value, Range: l.rng(p.key)}
}

var kindNames = map[yamlv3.Kind]string{
	yamlv3.DocumentNode: "a document",
	yamlv3.SequenceNode: "a list",
	yamlv3.MappingNode:  "a mapping",
	yamlv3.ScalarNode:   "a scalar",
	yamlv3.AliasNode:    "an alias",
}

func isNull(n *yamlv3.Node) bool {
	return n.Kind == yamlv3.ScalarNode && n.Tag == "!!null"
}

// describe names what a node is for messages: "a mapping", "null", "the integer 3".
func describe(n *yamlv3.Node) string {
	if n.Kind == yamlv3.ScalarNode {
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		}
		return "a string"
	}
	return kindNames[n.Kind]
}

// alias reports aliases, which the format does not support: expanding them
// would let a small file describe an exponentially large tree, and a merged
// node's positions would point at the anchor instead of the use.
func (l *loader) alias(n *yamlv3.Node) bool {
	if n.Kind == yamlv3.AliasNode {
		l.diags.Errorf(l.rng(n), "yaml-alias", "YAML aliases (*%s) are not supported in declaration files; write the value out", n.Value)
		return true
	}
	return false
}

// expect reports a node of the wrong kind; msg says what was expected.
func (l *loader) expect(n *yamlv3.Node, kind yamlv3.Kind, msg string) bool {
	if l.alias(n) {
		return false
	}
	if n.Kind != kind {
		l.diags.Errorf(l.rng(n), "invalid-value", "%s, not %s", msg, describe(n))
		return false
	}
	return true
}

// pairs returns the entries of a mapping in written order, reporting
// duplicate and non-scalar keys. A null value (an empty section) yields no
// entries and no diagnostic.
func (l *loader) pairs(n *yamlv3.Node, what string) []pair {
	if isNull(n) {
		return nil
	}
	if !l.expect(n, yamlv3.MappingNode, what+" must be a mapping") {
		return nil
	}
	seen := make(map[string]*yamlv3.Node, len(n.Content)/2)
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if l.alias(k) || l.alias(v) {
			continue
		}
		if k.Kind != yamlv3.ScalarNode {
			l.diags.Errorf(l.rng(k), "invalid-value", "keys in %s must be plain names, not %s", what, describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.diags.Errorf(l.rng(k), "duplicate-key", "%q is already declared in %s at line %d", k.Value, what, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{key: k, value: v})
	}
	return out
}

// entries reads a mapping whose keys are fixed vocabulary, reporting
// unknown keys with a suggestion.
func (l *loader) entries(n *yamlv3.Node, allowed []string, what string) map[string]pair {
	out := make(map[string]pair)
	pairs := l.pairs(n, what)
	for _, p := range pairs {
		if !contains(allowed, p.key.Value) {
			l.diags.Errorf(l.rng(p.key), "unknown-key", "unknown key %q in %s%s", p.key.Value, what, misplaced(p.key.Value, allowed, pairs))
			continue
		}
		out[p.key.Value] = p
	}
	return out
}

// misplaced is the suggestion for an unknown key: where it belongs when
// that is a mapping beside it — a relation's paging and ordering written
// next to "relation:" instead of inside it — or a key it is close to.
func misplaced(key string, allowed []string, siblings []pair) string {
	for _, p := range siblings {
		if p.key.Value == "relation" && contains(relationKeys, key) {
			return fmt.Sprintf(": it belongs inside \"relation:\" (relation: {…, %s: …})", key)
		}
	}
	return decl.DidYouMean(key, allowed)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text reads a string scalar. Numbers and booleans are refused rather than
// silently turned into strings: "type: 1" is a mistake, not a type named "1".
func (l *loader) text(n *yamlv3.Node, what string) *decl.Text {
	if !l.expect(n, yamlv3.ScalarNode, what+" must be a string") {
		return nil
	}
	if n.Tag != "!!str" {
		l.diags.Errorf(l.rng(n), "invalid-value", "%s must be a string, not %s", what, describe(n))
		return nil
	}
	return &decl.Text{Value: n.Value, Range: l.rng(n)}
}

// integer reads an integer scalar.
func (l *loader) integer(n *yamlv3.Node, what string) *decl.Int {
	if !l.expect(n, yamlv3.ScalarNode, what+" must be an integer") {
		return nil
	}
	v, ok := parseInt(n)
	if !ok {
		l.diags.Errorf(l.rng(n), "invalid-value", "%s must be an integer, not %s", what, describe(n))
		return nil
	}
	return &decl.Int{Value: v, Range: l.rng(n)}
}

// boolean reads true or false.
func (l *loader) boolean(n *yamlv3.Node, what string) *decl.Bool {
	if !l.expect(n, yamlv3.ScalarNode, what+" must be true or false") {
		return nil
	}
	var b bool
	if n.Tag != "!!bool" || n.Decode(&b) != nil {
		l.diags.Errorf(l.rng(n), "invalid-value", "%s must be true or false, not %s", what, describe(n))
		return nil
	}
	return &decl.Bool{Value: b, Range: l.rng(n)}
}

// texts reads one string or a list of strings.
func (l *loader) texts(n *yamlv3.Node, what string) []decl.Text {
	if n.Kind == yamlv3.ScalarNode {
		if t := l.text(n, what); t != nil {
			return []decl.Text{*t}
		}
		return nil
	}
	if !l.expect(n, yamlv3.SequenceNode, what+" must be a string or a list of strings") {
		return nil
	}
	var out []decl.Text
	for _, c := range n.Content {
		if t := l.text(c, "an entry of "+what); t != nil {
			out = append(out, *t)
		}
	}
	return out
}

// deprecated reads a deprecation: a reason, or true for the GraphQL default
// reason. false means not deprecated.
func (l *loader) deprecated(n *yamlv3.Node) *decl.Text {
	if n.Kind == yamlv3.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			if !b {
				return nil
			}
			return &decl.Text{Value: "No longer supported", Range: l.rng(n)}
		}
	}
	return l.text(n, "deprecated")
}

// value converts a literal (a default) to the model, keeping YAML's
// resolution of plain scalars: 3 is an Int, "3" a String.
func (l *loader) value(n *yamlv3.Node) *decl.Value {
	if l.alias(n) {
		return nil
	}
	v := &decl.Value{Range: l.rng(n)}
	switch n.Kind {
	case yamlv3.SequenceNode:
		v.Kind = decl.ListValue
		for _, c := range n.Content {
			if e := l.value(c); e != nil {
				v.List = append(v.List, e)
			}
		}
	case yamlv3.MappingNode:
		v.Kind = decl.ObjectValue
		for _, p := range l.pairs(n, "a default value") {
			if e := l.value(p.value); e != nil {
				v.Fields = append(v.Fields, &decl.ValueKV{Key: p.name(l), Value: e})
			}
		}
	case yamlv3.ScalarNode:
		v.Scalar = n.Value
		switch n.Tag {
		case "!!null":
			v.Kind = decl.NullValue
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			v.Kind, v.Scalar = decl.BoolValue, map[bool]string{true: "true", false: "false"}[b]
		case "!!int":
			i, ok := parseInt(n)
			if !ok { // out of int64 range: let the compiler report it against the type
				v.Kind = decl.FloatValue
				break
			}
			v.Kind, v.Scalar = decl.IntValue, formatInt(i)
		case "!!float":
			v.Kind = decl.FloatValue
		case "!!str", "!!timestamp", "!!binary":
			v.Kind = decl.StringValue
		default:
			l.diags.Errorf(l.rng(n), "invalid-value", "unsupported YAML tag %s in a default value", n.Tag)
			return nil
		}
	default:
		l.diags.Errorf(l.rng(n), "invalid-value", "a default value cannot be %s", describe(n))
		return nil
	}
	return v
}
