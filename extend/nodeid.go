package extend

import "github.com/gqlplan/gqlplan/internal/nodeid"

// NodeID is a global id of a node type (Relay's global object
// identification), decoded: what a resolver is given for an argument or
// an input field declared with node — the server has checked its type
// before the resolver runs — and what EncodeNodeID writes.
type NodeID struct {
	Type string // the node type's GraphQL name
	Key  []any  // the values of its key columns, in order; numbers as json.Number
}

// String is the id as a client sees it: the node's id field.
func (id NodeID) String() string { return nodeid.Encode(id.Type, id.Key...) }

// EncodeNodeID is the global id of the row of node type typ whose key
// columns hold key, byte for byte as the server writes a node's id field
// (seed 003's getNodeIdForTypeAndIdentifiers).
func EncodeNodeID(typ string, key ...any) string { return nodeid.Encode(typ, key...) }

// DecodeNodeID reads a global id (seed 003's
// getTypeAndIdentifiersFromNodeId). An error means it is not an id this
// server writes; a decoded id may still name a type or a row that does
// not exist.
func DecodeNodeID(id string) (NodeID, error) {
	typ, key, err := nodeid.Decode(id)
	if err != nil {
		return NodeID{}, err
	}
	return NodeID{Type: typ, Key: key}, nil
}
