package yaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
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
	fileKeys      = []string{"version", "schema", "roles", "types", "inputs", "enums", "queries", "mutations"}
	objectKeys    = []string{"description", "fields", "key"}
	inputKeys     = []string{"description", "fields"}
	fieldKeys     = []string{"type", "description", "column", "deprecated", "relation", "function", "args", "filterable", "sortable"}
	relationKeys  = []string{"sql_source", "columns", "order_by", "limit", "connection", "filterable", "sortable"}
	inputFieldKey = []string{"type", "description", "default"}
	enumKeys      = []string{"description", "sql_type", "values"}
	enumValueKeys = []string{"value", "description", "deprecated"}
	operationKeys = []string{"description", "returns", "sql_source", "source_kind", "shape", "data_column", "args", "inject", "token", "order_by", "limit", "connection", "filterable", "sortable", "deprecated", "roles"}
	argKeys       = []string{"type", "description", "default", "filter", "param"}
	filterKeys    = []string{"column", "op"}
	limitKeys     = []string{"default", "max"}
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
		l.syntaxError(err)
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

// syntaxError turns yaml.v3's "yaml: line N: message" into a positioned
// diagnostic; yaml.v3 reports no column.
func (l *loader) syntaxError(err error) {
	r := l.fileStart()
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		if line, err := strconv.Atoi(m[1]); err == nil {
			r.Start.Line, r.End.Line = line, line
		}
		msg = m[2]
	}
	l.diags.Errorf(r, "yaml-syntax", "invalid YAML: %s", msg)
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
