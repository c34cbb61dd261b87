package sqlgen

import (
	"fmt"
	"strconv"
	"strings"
)

// Renumber rewrites the parameters $1, $2, … of condition, SQL a
// resolver gives (extend.Where), to placeholders[0], placeholders[1], …:
// the statement's own numbering. Only real parameters are rewritten: a $
// inside a string, a quoted identifier, a comment, a dollar-quoted string
// or an identifier (a$1) is the SQL's own.
func Renumber(condition string, placeholders []string) (string, error) {
	var b strings.Builder
	s := condition
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			end := quoted(s, i, '\'', i > 0 && (s[i-1] == 'E' || s[i-1] == 'e') && (i < 2 || !identChar(s[i-2])))
			b.WriteString(s[i:end])
			i = end
		case c == '"':
			end := quoted(s, i, '"', false)
			b.WriteString(s[i:end])
			i = end
		case strings.HasPrefix(s[i:], "--"):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s) - i
			}
			b.WriteString(s[i : i+end])
			i += end
		case strings.HasPrefix(s[i:], "/*"):
			depth, j := 0, i
			for j < len(s) {
				if strings.HasPrefix(s[j:], "/*") {
					depth, j = depth+1, j+2
				} else if strings.HasPrefix(s[j:], "*/") {
					depth, j = depth-1, j+2
				} else {
					j++
				}
				if depth == 0 {
					break
				}
			}
			b.WriteString(s[i:j])
			i = j
		case c == '$' && (i == 0 || !identChar(s[i-1])):
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+1 { // $n
				n, err := strconv.Atoi(s[i+1 : j])
				if err != nil || n < 1 || n > len(placeholders) {
					return "", fmt.Errorf("the condition names $%s, but is given %d arguments", s[i+1:j], len(placeholders))
				}
				b.WriteString(placeholders[n-1])
				i = j
				continue
			}
			// A dollar-quoted string: $tag$ … $tag$.
			j = i + 1
			for j < len(s) && identChar(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '$' {
				tag := s[i : j+1]
				end := strings.Index(s[j+1:], tag)
				if end < 0 {
					return "", fmt.Errorf("the condition has an unterminated dollar-quoted string")
				}
				stop := j + 1 + end + len(tag)
				b.WriteString(s[i:stop])
				i = stop
				continue
			}
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// quoted returns the end of the quoted text at s[i] (quote q, doubled to
// escape it; with backslashes too in an E” string).
func quoted(s string, i int, q byte, backslashes bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslashes && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

func identChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
