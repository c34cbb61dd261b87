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
			j := blockCommentEnd(s, i)
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

// blockCommentEnd returns the end of the /* comment */ at s[i]; SQL's
// block comments nest.
func blockCommentEnd(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth, i = depth+1, i+2
		case strings.HasPrefix(s[i:], "*/"):
			depth, i = depth-1, i+2
		default:
			i++
		}
		if depth == 0 {
			break
		}
	}
	return i
}

// FirstKeyword is the first word of sql after spaces and comments, in
// upper case, and what follows it.
func FirstKeyword(sql string) (word, rest string) {
	for {
		sql = strings.TrimLeft(sql, " \t\r\n\f")
		switch {
		case strings.HasPrefix(sql, "--"):
			i := strings.IndexByte(sql, '\n')
			if i < 0 {
				return "", ""
			}
			sql = sql[i+1:]
		case strings.HasPrefix(sql, "/*"):
			sql = sql[blockCommentEnd(sql, 0):]
		default:
			end := strings.IndexFunc(sql, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
			if end < 0 {
				end = len(sql)
			}
			return strings.ToUpper(sql[:end]), sql[end:]
		}
	}
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
