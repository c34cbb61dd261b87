package document

import (
	"fmt"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// scanDocument is a cheap lexical pass over a document before the parser
// sees it: it measures the text, counts tokens, directives and aliases,
// and tracks the nesting of { [ ( so that a document too deep or too
// costly to be worth parsing is refused in linear time. It is not a lexer:
// anything it lets through is still parsed and validated.
func scanDocument(text string, limits Limits) *wire.Error {
	if len(text) > limits.MaxDocumentBytes {
		return &wire.Error{Message: fmt.Sprintf("The document is longer than %d bytes.", limits.MaxDocumentBytes), Code: wire.CodeDocumentTooLarge}
	}
	at := func(i int, code, format string, limit int) *wire.Error {
		return &wire.Error{Message: fmt.Sprintf(format, limit), Code: code, Locations: []wire.Location{lineColumn(text, i)}}
	}
	// open holds, for each bracket around the current position, whether
	// it holds values: a ( or [, or anything inside one. A ":" inside
	// brackets none of which holds values follows an alias.
	open := make([]bool, 0, 16)
	tokens, directives, aliases, values := 0, 0, 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
			continue
		case c == '#':
			for i < len(text) && text[i] != '\n' && text[i] != '\r' {
				i++
			}
			continue
		case c == '"':
			i = skipString(text, i)
		case c == '{' || c == '[' || c == '(':
			if len(open) == limits.MaxDepth {
				return at(i, wire.CodeDocumentTooDeep, "The document nests deeper than %d levels.", limits.MaxDepth)
			}
			value := c != '{' || values > 0
			if value {
				values++
			}
			open = append(open, value)
			i++
		case c == '}' || c == ']' || c == ')':
			if n := len(open); n > 0 {
				if open[n-1] {
					values--
				}
				open = open[:n-1]
			}
			i++
		case c == '@':
			directives++
			if directives > limits.MaxDirectives {
				return at(i, wire.CodeTooManyDirectives, "The document has more than %d directives.", limits.MaxDirectives)
			}
			i++
		case c == ':':
			if values == 0 && len(open) > 0 {
				aliases++
				if aliases > limits.MaxAliases {
					return at(i, wire.CodeTooManyAliases, "The document has more than %d aliases.", limits.MaxAliases)
				}
			}
			i++
		case isNameByte(c) || c == '-':
			for i++; i < len(text) && (isNameByte(text[i]) || text[i] == '.' || text[i] == '+' || text[i] == '-'); i++ {
			}
		case c == '.' && len(text)-i >= 3 && text[i:i+3] == "...":
			i += 3
		default:
			i++
		}
		tokens++
		if tokens > limits.MaxTokens {
			return at(i-1, wire.CodeTooManyTokens, "The document has more than %d tokens.", limits.MaxTokens)
		}
	}
	return nil
}

// skipString returns the index after the string starting at text[i],
// block string or not (or len(text) when it is not terminated; the parser
// reports that).
func skipString(text string, i int) int {
	if len(text)-i >= 3 && text[i:i+3] == `"""` {
		for j := i + 3; j < len(text); j++ {
			switch {
			case text[j] == '\\' && len(text)-j >= 4 && text[j+1:j+4] == `"""`:
				j += 3
			case len(text)-j >= 3 && text[j:j+3] == `"""`:
				return j + 3
			}
		}
		return len(text)
	}
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n', '\r':
			return j
		}
	}
	return len(text)
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// lineColumn is the 1-based position of byte offset at (columns count bytes).
func lineColumn(text string, at int) wire.Location {
	line, col := 1, 1
	for i := 0; i < at && i < len(text); i++ {
		if text[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return wire.Location{Line: line, Column: col}
}
