package compiler

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/gqlplan/gqlplan/decl"
)

var (
	graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)
	// sqlIdent is what gqlplan accepts as a SQL identifier: PostgreSQL's
	// unquoted form, so a name means the same quoted or not (apart from
	// case, which checkSQLIdent warns about).
	sqlIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// The inject contract (seed 002), exactly.
	injectKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// The inject contract (seed 002), with an optional declared SQL type
	// of the claim (jwt:user_id::int), which the claim is cast to.
	injectSource = regexp.MustCompile(`^jwt:[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)?$`)
)

// maxIdentLen is PostgreSQL's NAMEDATALEN-1: longer names are truncated by
// the server, so two distinct declarations could name one object.
const maxIdentLen = 63

// checkName reports a GraphQL name that is malformed or reserved.
func (c *checker) checkName(n decl.Text, what string) bool {
	switch {
	case !graphQLName.MatchString(n.Value):
		c.diags.Errorf(n.Range, "invalid-name", "%s name %q is not a valid GraphQL name (letters, digits and _, not starting with a digit)", what, n.Value)
		return false
	case strings.HasPrefix(n.Value, "__"):
		c.diags.Errorf(n.Range, "reserved-name", "%s name %q starts with \"__\", which GraphQL reserves for introspection", what, n.Value)
		return false
	}
	return true
}

// checkSQLIdent validates one SQL identifier and returns it quoted.
func (c *checker) checkSQLIdent(value string, r decl.Range, what string) (string, bool) {
	switch {
	case value == "":
		c.diags.Errorf(r, "invalid-sql-identifier", "%s: empty SQL identifier", what)
		return "", false
	case !sqlIdent.MatchString(value):
		c.diags.Errorf(r, "invalid-sql-identifier", "%s: %q is not a safe SQL identifier (use letters, digits and _, not starting with a digit)", what, value)
		return "", false
	case len(value) > maxIdentLen:
		c.diags.Errorf(r, "invalid-sql-identifier", "%s: %q is longer than PostgreSQL's %d-byte limit", what, value, maxIdentLen)
		return "", false
	}
	if strings.IndexFunc(value, unicode.IsUpper) >= 0 {
		c.diags.Warnf(r, "sql-identifier-case", "%s: %q has upper-case letters: gqlplan quotes identifiers, so it matches only an object created as %s, not %s", what, value, quoteIdent(value), strings.ToLower(value))
	}
	return quoteIdent(value), true
}

// quoteIdent quotes an identifier that checkSQLIdent accepted; such names
// hold no quote characters, so no escaping is needed.
func quoteIdent(s string) string { return `"` + s + `"` }

// snakeCase maps a GraphQL field name to its default SQL name:
// createdAt → created_at, userID → user_id, HTMLBody → html_body.
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// upperSnake maps a GraphQL field name to an enum value name:
// createdAt → CREATED_AT.
func upperSnake(s string) string { return strings.ToUpper(snakeCase(s)) }

// camelCase maps a SQL name to the GraphQL name whose snakeCase it is:
// author_id → authorId.
func camelCase(s string) string {
	parts := strings.Split(strings.Trim(s, "_"), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// withArticle puts "a" or "an" before a noun: an enum, a type.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
