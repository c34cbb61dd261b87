package nonnull

import (
	"encoding/json"
	"strconv"
)

// Marker is the marker of site number site, for a value written into a
// result after PostgreSQL built it (a field resolver's): Apply places it
// as it places the statement's own.
func Marker(site int) json.RawMessage {
	return json.RawMessage(`{` + string(quotedKey) + `:` + strconv.Itoa(site) + `}`)
}
