package auth

import (
	"fmt"
	"strconv"
	"strings"
)

// claimPath is where the role is found in the claims: "role",
// "app.role", `"https://example.com/claims".role`, "roles[0]".
type claimPath []pathStep

// pathStep is an object key, or an array index when key is "".
type pathStep struct {
	key   string
	index int
}

// parseClaimPath reads a dotted path of claim names; a name with dots or
// other punctuation is double-quoted, and [n] indexes an array.
func parseClaimPath(s string) (claimPath, error) {
	bad := func(why string) (claimPath, error) {
		return nil, fmt.Errorf("the role claim path %q is not valid: %s", s, why)
	}
	var path claimPath
	for i := 0; i < len(s); {
		if len(path) > 0 && s[i] != '[' {
			if s[i] != '.' {
				return bad(`expected "." or "[" at byte ` + strconv.Itoa(i+1))
			}
			i++
		}
		switch {
		case i < len(s) && s[i] == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end <= 0 {
				return bad("a quoted name is empty or not closed")
			}
			path = append(path, pathStep{key: s[i+1 : i+1+end]})
			i += end + 2
		case i < len(s) && s[i] == '[':
			end := strings.IndexByte(s[i:], ']')
			n, err := strconv.Atoi(s[i+1 : i+max(end, 1)])
			if len(path) == 0 || end < 0 || err != nil || n < 0 {
				return bad("an index must follow a name and be [0], [1], …")
			}
			path = append(path, pathStep{index: n})
			i += end + 1
		default:
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != '"' {
				j++
			}
			if j == i {
				return bad("a name is empty")
			}
			path = append(path, pathStep{key: s[i:j]})
			i = j
		}
	}
	if len(path) == 0 {
		return bad("it is empty")
	}
	return path, nil
}

// lookup returns the value at the path, and whether it is there.
func (p claimPath) lookup(claims map[string]any) (any, bool) {
	var v any = claims
	for _, step := range p {
		if step.key != "" {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = obj[step.key]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok || step.index >= len(arr) {
			return nil, false
		}
		v = arr[step.index]
	}
	return v, true
}

func (p claimPath) String() string {
	var b strings.Builder
	for i, step := range p {
		switch {
		case step.key == "":
			fmt.Fprintf(&b, "[%d]", step.index)
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			if strings.ContainsAny(step.key, `.[]`) {
				b.WriteString(`"` + step.key + `"`)
			} else {
				b.WriteString(step.key)
			}
		}
	}
	return b.String()
}
