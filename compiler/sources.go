package compiler

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/decl/gotag"
	declyaml "github.com/gqlplan/gqlplan/decl/yaml"
	"github.com/gqlplan/gqlplan/spec"
)

// declarationExts are the file extensions LoadPaths reads from directories.
var declarationExts = []string{".yaml", ".yml", ".go"}

// LoadPaths reads the declaration files named by paths: files, or
// directories searched recursively for declaration files (hidden ones
// skipped). Relative paths are resolved against dir and reported as given;
// each file is read once, in sorted order.
//
// Problems in the declarations are diagnostics; files is nil when a file
// could not be parsed at all, since the set cannot be checked as a whole. An error is returned only
// when a path cannot be read at all; the caller treats that as an I/O
// failure, not as a finding about the declarations.
func LoadPaths(dir string, paths []string) ([]*decl.File, decl.Diagnostics, error) {
	var diags decl.Diagnostics
	var files []*decl.File
	loaded := map[string]bool{} // display name → declares something
	for _, p := range paths {
		found, err := expand(dir, p)
		if err != nil {
			return nil, nil, err
		}
		slices.Sort(found)
		declares := false
		for _, name := range found {
			if done, seen := loaded[name]; seen {
				declares = declares || done
				continue
			}
			data, err := readFile(resolve(dir, name))
			if err != nil {
				return nil, nil, err
			}
			f, ds, ok := loadFile(name, data)
			loaded[name] = ok
			diags = append(diags, ds...)
			if ok {
				files = append(files, f)
				declares = true
			}
		}
		if !declares {
			diags.Errorf(decl.Range{Filename: displayName(dir, p)}, "empty-input", "no declarations (%s files; Go files count when they declare something) found in %s", strings.Join(declarationExts, ", "), displayName(dir, p))
		}
	}
	if slices.Contains(files, nil) {
		// A file that could not be read at all may hold the types or
		// queries the others refer to; checking the rest without it would
		// report problems that are not there.
		files = nil
	}
	if len(paths) == 0 {
		diags.Errorf(decl.Range{}, "empty-input", "no declaration files given")
	}
	return files, diags, nil
}

// loadFile reads one file with the front end its extension names. ok is
// false for a Go file that declares nothing (any other file of a package).
func loadFile(name string, data []byte) (f *decl.File, diags decl.Diagnostics, ok bool) {
	if strings.EqualFold(filepath.Ext(name), ".go") {
		return gotag.Load(name, data)
	}
	f, diags = declyaml.Load(name, data)
	return f, diags, true
}

func resolve(dir, name string) string {
	if filepath.IsAbs(name) || dir == "" {
		return name
	}
	return filepath.Join(dir, name)
}

// displayName is how a path appears in diagnostics: as given, or relative
// to dir when it was given as an absolute path below dir. Plans never
// contain paths; diagnostics use relative ones so output is the same on
// every machine.
func displayName(dir, p string) string {
	if filepath.IsAbs(p) && dir != "" {
		if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// expand returns the declaration files a path names, as display names.
func expand(dir, p string) ([]string, error) {
	full := resolve(dir, p)
	info, err := os.Stat(full)
	if err != nil {
		return nil, fmt.Errorf("read declarations: %w", trimPathError(err, p))
	}
	if !info.IsDir() {
		if !isDeclarationFile(p) {
			return nil, fmt.Errorf("read declarations: %s is not a declaration file (%s)", p, strings.Join(declarationExts, ", "))
		}
		return []string{displayName(dir, p)}, nil
	}
	var out []string
	err = filepath.WalkDir(full, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != full && (strings.HasPrefix(d.Name(), ".") || d.IsDir() && d.Name() == "vendor") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isDeclarationFile(path) {
			rel, _ := filepath.Rel(full, path)
			out = append(out, displayName(dir, filepath.Join(p, rel)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read declarations: %w", err)
	}
	return out, nil
}

func isDeclarationFile(p string) bool {
	return slices.Contains(declarationExts, strings.ToLower(filepath.Ext(p))) && !strings.HasSuffix(p, "_test.go")
}

func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read declarations: %w", err)
	}
	return data, nil
}

// trimPathError reports a missing path as given by the user rather than
// as resolved against the working directory.
func trimPathError(err error, p string) error {
	if pe, ok := err.(*fs.PathError); ok {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return err
}

// SampleTargets lists the jsonb columns whose keys a database check
// samples: the data column of every jsonb-shaped query, with the bare
// name of its source (the catalog finds it in whichever schema it is).
func SampleTargets(files []*decl.File) []catalog.SampleTarget {
	var out []catalog.SampleTarget
	for _, f := range files {
		for _, op := range append(slices.Clone(f.Queries), f.Subscriptions...) {
			if op.Shape == nil || op.Shape.Value != spec.ShapeJSONB || op.SQLSource == nil {
				continue
			}
			parts := strings.Split(op.SQLSource.Value, ".")
			t := catalog.SampleTarget{Relation: parts[len(parts)-1], Column: "data"}
			if op.DataColumn != nil {
				t.Column = op.DataColumn.Value
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b catalog.SampleTarget) int {
		return cmp.Or(cmp.Compare(a.Relation, b.Relation), cmp.Compare(a.Column, b.Column))
	})
	return out
}
