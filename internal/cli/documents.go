package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// documentFlags are the trusted documents of compile and check.
type documentFlags struct {
	Documents []string `name:"documents" placeholder:"PATH" help:"The clients' operations, checked against the plan as the server will read them and recorded in it as trusted documents: .graphql and .gql files, directories and globs of them, Apollo persisted-query manifests, Relay or codegen {id: text} JSON maps (repeat, or comma-separated)."`
}

// clientDocument is one document a client sends, and where it was read.
type clientDocument struct {
	text string
	file string
	// at is where the document starts in file: 1:1 for a .graphql file,
	// its entry in a manifest.
	at       decl.Pos
	manifest bool
	ids      []string // the ids a manifest gave it
}

// readDocuments reads the documents of paths (see documentFlags); a
// manifest it cannot read is a diagnostic, a path it cannot read an error.
func readDocuments(env *Env, paths []string) ([]clientDocument, decl.Diagnostics, error) {
	var files []string
	for _, p := range paths {
		p = resolvePath(env.Dir, p)
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil || len(matches) == 0 {
				return nil, nil, fmt.Errorf("--documents %s: no file matches", p)
			}
		}
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				return nil, nil, fmt.Errorf("--documents: %w", err)
			}
			if !info.IsDir() {
				files = append(files, m)
				continue
			}
			err = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && isGraphQLFile(path) {
					files = append(files, path)
				}
				return err
			})
			if err != nil {
				return nil, nil, fmt.Errorf("--documents: %w", err)
			}
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	var docs []clientDocument
	var diags decl.Diagnostics
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("--documents: %w", err)
		}
		name := relativeTo(env.Dir, f)
		switch {
		case isGraphQLFile(f):
			docs = append(docs, clientDocument{text: string(data), file: name, at: decl.Pos{Line: 1, Column: 1}})
		case strings.HasSuffix(f, ".json"):
			more, diag := readManifest(name, data)
			if diag != nil {
				diags = append(diags, *diag)
			}
			docs = append(docs, more...)
		default:
			return nil, nil, fmt.Errorf("--documents %s: not a .graphql, .gql or .json file", name)
		}
	}
	return docs, diags, nil
}

func isGraphQLFile(path string) bool {
	return strings.HasSuffix(path, ".graphql") || strings.HasSuffix(path, ".gql")
}

// readManifest reads the documents of a JSON manifest: Apollo's
// persisted-query manifest ({"format": "apollo-persisted-query-manifest",
// "operations": [{id, name, type, body}]}) or a flat {id: text} map, as
// relay-compiler's persistConfig and codegen write. yaml.v3 reads the
// JSON, for the positions of its entries.
func readManifest(file string, data []byte) ([]clientDocument, *decl.Diagnostic) {
	fail := func(at *yaml.Node, format string, args ...any) ([]clientDocument, *decl.Diagnostic) {
		pos := decl.Pos{Line: 1, Column: 1}
		if at != nil {
			pos = decl.Pos{Line: at.Line, Column: at.Column}
		}
		return nil, &decl.Diagnostic{Severity: decl.Error, Code: "document-manifest", Message: fmt.Sprintf(format, args...),
			Range: decl.Range{Filename: file, Start: pos, End: pos}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return fail(nil, "not a JSON object: neither an Apollo persisted-query manifest nor an {id: text} map")
	}
	top := root.Content[0]
	at := func(n *yaml.Node) decl.Pos { return decl.Pos{Line: n.Line, Column: n.Column} }
	if format := mappingValue(top, "format"); format != nil {
		if format.Value != "apollo-persisted-query-manifest" {
			return fail(format, "format %q: the manifests read are Apollo's (apollo-persisted-query-manifest) and {id: text} maps", format.Value)
		}
		ops := mappingValue(top, "operations")
		if ops == nil || ops.Kind != yaml.SequenceNode {
			return fail(top, `an Apollo manifest needs "operations", a list`)
		}
		var docs []clientDocument
		for _, op := range ops.Content {
			body, id := mappingValue(op, "body"), mappingValue(op, "id")
			if body == nil || body.Kind != yaml.ScalarNode || body.Value == "" {
				return fail(op, `an operation of the manifest has no "body"`)
			}
			doc := clientDocument{text: body.Value, file: file, at: at(op), manifest: true}
			if id != nil && id.Value != "" {
				doc.ids = []string{id.Value}
			}
			docs = append(docs, doc)
		}
		return docs, nil
	}
	var docs []clientDocument
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		if value.Kind != yaml.ScalarNode || value.Tag != "!!str" {
			return fail(value, "the value of %q is not a document's text: a map of trusted documents is {id: text}", key.Value)
		}
		docs = append(docs, clientDocument{text: value.Value, file: file, at: at(key), manifest: true, ids: []string{key.Value}})
	}
	return docs, nil
}

// mappingValue is the value of key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// checkDocuments checks docs against plan, as serve will read them, and
// returns their diagnostics and the plan's trusted documents: each text
// once, by its SHA-256, with the other ids manifests gave it.
func checkDocuments(plan *spec.Plan, docs []clientDocument) (decl.Diagnostics, []spec.Document, error) {
	checker, err := runtime.NewDocumentChecker(plan, runtime.Limits{})
	if err != nil {
		return nil, nil, err
	}
	var diags decl.Diagnostics
	byID := map[string]*spec.Document{}
	firstSeen := map[string]clientDocument{} // an id's first document, for conflicts
	for _, d := range docs {
		checked := checker.Check(d.text)
		for _, f := range checked.Faults {
			diags = append(diags, documentDiagnostic(d, f))
		}
		sum := sha256.Sum256([]byte(d.text))
		id := "sha256:" + hex.EncodeToString(sum[:])
		out := byID[id]
		if out == nil {
			out = &spec.Document{ID: id, Text: d.text, Operations: []spec.DocumentOperation{}}
			for _, op := range checked.Operations {
				out.Operations = append(out.Operations, spec.DocumentOperation{Name: op.Name, Kind: op.Kind})
			}
			byID[id] = out
		}
		if source := fmt.Sprintf("%s:%d:%d", filepath.ToSlash(d.file), d.at.Line, d.at.Column); !slices.Contains(out.Sources, source) {
			out.Sources = append(out.Sources, source)
		}
		for _, alias := range d.ids {
			if first, seen := firstSeen[alias]; seen && first.text != d.text {
				pos := decl.Range{Filename: d.file, Start: d.at, End: d.at}
				diags.Errorf(pos, "document-id-conflict", "the id %q names another document too (%s:%d:%d): an id names one text", alias, first.file, first.at.Line, first.at.Column)
				continue
			}
			firstSeen[alias] = d
			if alias != id && alias != strings.TrimPrefix(id, "sha256:") && !slices.Contains(out.Aliases, alias) {
				out.Aliases = append(out.Aliases, alias)
			}
		}
	}
	var out []spec.Document
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		d := byID[id]
		slices.Sort(d.Aliases)
		slices.Sort(d.Sources)
		out = append(out, *d)
	}
	return diags, out, nil
}

// documentDiagnostic is the diagnostic of fault f of d: at its place in
// a .graphql file; in a manifest, at the entry, the place in the text in
// the message.
func documentDiagnostic(d clientDocument, f runtime.DocumentFault) decl.Diagnostic {
	pos, msg := decl.Pos{Line: f.Line, Column: f.Column}, f.Message
	if d.manifest {
		where := fmt.Sprintf("line %d, column %d of its text", f.Line, f.Column)
		if f.Operation != "" {
			where = "operation " + f.Operation + ", " + where
		}
		pos, msg = d.at, where+": "+msg
	}
	return decl.Diagnostic{Severity: decl.Error, Code: documentCode(f.Code), Message: msg, Range: decl.Range{Filename: d.file, Start: pos, End: pos}}
}

// documentCode is the diagnostic code of a request error's code.
func documentCode(code string) string {
	switch code {
	case runtime.CodeParseFailed:
		return "document-syntax"
	case runtime.CodeCostTooHigh:
		return "document-cost"
	case runtime.CodeForbidden:
		return "document-role"
	case runtime.CodeDocumentTooLarge, runtime.CodeDocumentTooDeep, runtime.CodeTooManyTokens, runtime.CodeTooManyFields,
		runtime.CodeTooManyAliases, runtime.CodeTooManyRootFields, runtime.CodeTooManyDirectives, runtime.CodePageTooLarge:
		return "document-limit"
	}
	return "document-invalid"
}
