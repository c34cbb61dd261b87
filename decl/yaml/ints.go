package yaml

import (
	"strconv"

	yamlv3 "gopkg.in/yaml.v3"
)

// parseInt decodes an !!int scalar in any YAML notation (0x1F, 0o17, 1_000).
func parseInt(n *yamlv3.Node) (int64, bool) {
	if n.Tag != "!!int" {
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		return 0, false
	}
	return v, true
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }
