package document

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// Redact is text, a GraphQL document, without what a client may have put
// in it that is not the API's: every string and number literal becomes
// "?", comments are left out, tokens are separated by one space. A trace
// shows what was asked, never a literal password. A document the lexer
// stops at is redacted up to there, then "…".
func Redact(text string) string {
	lex := lexer.New(&ast.Source{Input: text})
	var b strings.Builder
	for {
		tok, err := lex.ReadToken()
		if err != nil {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("…")
			return b.String()
		}
		if tok.Kind == lexer.EOF {
			return b.String()
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch tok.Kind {
		case lexer.Name:
			b.WriteString(tok.Value)
		case lexer.Int, lexer.Float, lexer.String, lexer.BlockString:
			b.WriteByte('?')
		default:
			b.WriteString(tok.Kind.String())
		}
	}
}
