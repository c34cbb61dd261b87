package yaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gqlplan/gqlplan/decl"
	yamlv3 "gopkg.in/yaml.v3"
)

// CurrentVersion is the only declaration format version this package reads.
const CurrentVersion = 1

// MaxFileSize bounds a declaration file; larger files are refused before
// parsing, since no real declaration set needs megabytes per file.
const MaxFileSize = 8 << 20

// Keys allowed in each kind of mapping. They are the format's vocabulary;
// the README's format reference documents each one.
var (
	fileKeys      = []string{"version", "schema", "roles", "types", "interfaces", "unions", "inputs", "enums", "queries", "mutations", "subscriptions"}
	objectKeys    = []string{"description", "fields", "key", "node", "implements"}
	interfaceKeys = []string{"description", "fields"}
	ifaceFieldKey = []string{"type", "description", "deprecated"}
	unionKeys     = []string{"description", "types"}
	nodeKeys      = []string{"sql_source"}
	inputKeys     = []string{"description", "fields"}
	fieldKeys     = []string{"type", "description", "column", "deprecated", "relation", "function", "args", "filterable", "sortable", "resolver", "requires", "sql_source", "rls_bypass", "limit"}
	relationKeys  = []string{"sql_source", "columns", "order_by", "limit", "connection", "filterable", "sortable"}
	inputFieldKey = []string{"type", "description", "default", "node"}
	enumKeys      = []string{"description", "sql_type", "values"}
	enumValueKeys = []string{"value", "description", "deprecated"}
	operationKeys = []string{"description", "returns", "sql_source", "source_kind", "shape", "data_column", "args", "inject", "token", "order_by", "limit", "connection", "filterable", "sortable", "deprecated", "roles", "type_column", "resolver", "rls_bypass", "stream", "tables"}
	argKeys       = []string{"type", "description", "default", "filter", "param", "node"}
	filterKeys    = []string{"column", "op"}
	limitKeys     = []string{"default", "max"}
	streamKeys    = []string{"cursor", "batch_size"}
)

// Load reads one declaration file. name is used in positions as given. The
// returned file is non-nil whenever the document could be parsed, even if
// diagnostics were reported, so the compiler can keep checking the rest.
func Load(name string, data []byte) (file *decl.File, diags decl.Diagnostics) {
	l := &loader{name: name}
	defer func() {
		// yaml.v3 has panicked on hostile input in the past; a declaration
		// file must never crash a CI job or an editor.
		if r := recover(); r != nil {
			file = nil
			diags = append(l.diags, decl.Diagnostic{
				Severity: decl.Error, Code: "yaml-syntax",
				Message: fmt.Sprintf("cannot parse YAML: %v", r),
				Range:   l.fileStart(),
			})
		}
	}()
	file = l.load(data)
	return file, l.diags
}

type loader struct {
	name  string
	diags decl.Diagnostics
}

func (l *loader) fileStart() decl.Range {
	p := decl.Pos{Line: 1, Column: 1}
	return decl.Range{Filename: l.name, Start: p, End: p}
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) load(data []byte) *decl.File {
	if len(data) > MaxFileSize {
		l.diags.Errorf(l.fileStart(), "file-too-large", "declaration file is %d bytes; the limit is %d", len(data), MaxFileSize)
		return nil
	}
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var doc yamlv3.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.emptyFile()
			return nil
		}
		l.syntaxError(err, data)
		return nil
	}
	var next yamlv3.Node
	if err := dec.Decode(&next); err == nil {
		l.diags.Errorf(l.rng(&next), "multiple-documents", "a declaration file holds one YAML document; split further documents into their own files")
	}
	if len(doc.Content) == 0 {
		l.emptyFile()
		return nil
	}
	root := doc.Content[0]
	if isNull(root) {
		l.emptyFile()
		return nil
	}
	if !l.expect(root, yamlv3.MappingNode, "a declaration file must be a mapping of sections (version, schema, types, …)") {
		return nil
	}
	f := &decl.File{Name: l.name}
	entries := l.entries(root, fileKeys, "the top level")
	if !l.version(f, root, entries) {
		return nil
	}
	if e, ok := entries["schema"]; ok {
		f.Schema = l.text(e.value, "schema")
	}
	if e, ok := entries["roles"]; ok {
		f.Roles = l.texts(e.value, "roles")
	}
	if e, ok := entries["types"]; ok {
		for _, kv := range l.pairs(e.value, "types") {
			f.Types = append(f.Types, l.objectType(kv))
		}
	}
	if e, ok := entries["interfaces"]; ok {
		for _, kv := range l.pairs(e.value, "interfaces") {
			f.Interfaces = append(f.Interfaces, l.interfaceType(kv))
		}
	}
	if e, ok := entries["unions"]; ok {
		for _, kv := range l.pairs(e.value, "unions") {
			f.Unions = append(f.Unions, l.union(kv))
		}
	}
	if e, ok := entries["inputs"]; ok {
		for _, kv := range l.pairs(e.value, "inputs") {
			f.Inputs = append(f.Inputs, l.inputType(kv))
		}
	}
	if e, ok := entries["enums"]; ok {
		for _, kv := range l.pairs(e.value, "enums") {
			f.Enums = append(f.Enums, l.enum(kv))
		}
	}
	if e, ok := entries["queries"]; ok {
		for _, kv := range l.pairs(e.value, "queries") {
			f.Queries = append(f.Queries, l.operation(decl.Query, kv))
		}
	}
	if e, ok := entries["mutations"]; ok {
		for _, kv := range l.pairs(e.value, "mutations") {
			f.Mutations = append(f.Mutations, l.operation(decl.Mutation, kv))
		}
	}
	if e, ok := entries["subscriptions"]; ok {
		for _, kv := range l.pairs(e.value, "subscriptions") {
			f.Subscriptions = append(f.Subscriptions, l.operation(decl.Subscription, kv))
		}
	}
	return f
}

// version reads the version first and reports whether the rest of the file
// may be decoded as format 1.
func (l *loader) version(f *decl.File, root *yamlv3.Node, entries map[string]pair) bool {
	e, ok := entries["version"]
	if !ok {
		l.diags.Errorf(l.rng(root), "missing-version", "missing \"version: %d\" at the top of the file", CurrentVersion)
		return true // decode as the current version to report everything else too
	}
	v := e.value
	if v.Kind == yamlv3.ScalarNode && v.Tag == "!!str" {
		l.diags.Errorf(l.rng(v), "unknown-version", "version must be the number %d, not the string %q", CurrentVersion, v.Value)
		return false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if v.Kind != yamlv3.ScalarNode || v.Tag != "!!int" || err != nil || n != CurrentVersion {
		l.diags.Errorf(l.rng(v), "unknown-version", "unknown declaration format version %q: this gqlplan reads version %d", v.Value, CurrentVersion)
		return false
	}
	f.Version = &decl.Int{Value: n, Range: l.rng(v)}
	return true
}

func (l *loader) emptyFile() {
	l.diags.Errorf(l.fileStart(), "empty-input", "file is empty: a declaration file needs at least \"version: 1\" and one section")
}

// syntaxError turns yaml.v3's "yaml: line N: message" into a diagnostic
// at the offending token. yaml.v3 gives a line only, and for an unclosed
// bracket the line where it gave up, so the text is looked at directly
// for the two commonest mistakes: a tab in indentation, and a { or [ that
// is never closed.
func (l *loader) syntaxError(err error, data []byte) {
	r := l.fileStart()
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		if line, err := strconv.Atoi(m[1]); err == nil {
			r.Start.Line, r.End.Line = line, line
			r.Start.Column = firstNonSpace(data, line)
			r.End.Column = r.Start.Column
		}
		msg = m[2]
	}
	if line, col, ok := indentTab(data); ok {
		r.Start, r.End = decl.Pos{Line: line, Column: col}, decl.Pos{Line: line, Column: col + 1}
		l.diags.Errorf(r, "yaml-syntax", "invalid YAML: a tab in indentation; YAML indents with spaces only (%s)", msg)
		return
	}
	if strings.Contains(msg, "did not find expected") {
		if line, col, open, ok := unclosedBracket(data); ok {
			r.Start, r.End = decl.Pos{Line: line, Column: col}, decl.Pos{Line: line, Column: col + 1}
			l.diags.Errorf(r, "yaml-syntax", "invalid YAML: this %c is never closed (%s)", open, msg)
			return
		}
	}
	l.diags.Errorf(r, "yaml-syntax", "invalid YAML: %s", msg)
}

// firstNonSpace is the column of the first character of line that is not
// a space (1 for a blank line or one past the end).
func firstNonSpace(data []byte, line int) int {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return 1
	}
	return len(lines[line-1]) - len(strings.TrimLeft(lines[line-1], " ")) + 1
}

// indentTab finds the first tab in the indentation of a line.
func indentTab(data []byte) (line, col int, ok bool) {
	for i, text := range strings.Split(string(data), "\n") {
		for j, c := range text {
			if c == '\t' {
				return i + 1, j + 1, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// unclosedBracket finds a { or [ of a flow collection that is never
// closed, outside quotes and comments (a rough scan: yaml.v3 has already
// said the document is broken; this only points at where).
func unclosedBracket(data []byte) (line, col int, open rune, ok bool) {
	type pos struct {
		line, col int
		c         rune
	}
	var stack []pos
	for i, text := range strings.Split(string(data), "\n") {
		var quote rune
		for j, c := range text {
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '#' && (j == 0 || text[j-1] == ' '):
				goto nextLine
			case c == '{' || c == '[':
				stack = append(stack, pos{i + 1, j + 1, c})
			case c == '}' || c == ']':
				if n := len(stack); n > 0 {
					stack = stack[:n-1]
				}
			}
		}
	nextLine:
	}
	if len(stack) == 0 {
		return 0, 0, 0, false
	}
	p := stack[0]
	return p.line, p.col, p.c, true
}

// rng is the range of a node. yaml.v3 gives only a start; for one-line
// scalars the end is computed from the text so editors can underline it.
func (l *loader) rng(n *yamlv3.Node) decl.Range {
	start := decl.Pos{Line: n.Line, Column: n.Column}
	if start.Line == 0 {
		start = decl.Pos{Line: 1, Column: 1}
	}
	end := start
	if n.Kind == yamlv3.ScalarNode && !bytes.ContainsAny([]byte(n.Value), "\n\r") {
		width := utf8.RuneCountInString(n.Value)
		switch n.Style {
		case yamlv3.DoubleQuotedStyle, yamlv3.SingleQuotedStyle:
			width += 2
		case yamlv3.LiteralStyle, yamlv3.FoldedStyle:
			width = 0
		}
		end.Column += width
	}
	return decl.Range{Filename: l.name, Start: start, End: end}
}
