package compiler

import (
	"cmp"
	"slices"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Compile checks a declaration set and builds its plan. It reports every
// problem it finds, sorted; the plan is nil when any of them is an error.
// The result does not depend on the order of files.
func Compile(files []*decl.File) (*spec.Plan, decl.Diagnostics) {
	return CompileWith(files, Options{})
}

// Options adds checks to Compile.
type Options struct {
	// Catalog, when set, is the database the plan will be served from:
	// declarations are checked against it, unqualified sql_source names
	// resolve along its search_path, and the plan records the catalog
	// facts (types, signatures) the checks relied on.
	Catalog *catalog.Catalog
	// StrictRLS makes the row security findings (db-rls-off,
	// db-rls-bypass) errors instead of warnings, for CI.
	StrictRLS bool
}

// CompileWith is Compile with options.
func CompileWith(files []*decl.File, opts Options) (*spec.Plan, decl.Diagnostics) {
	c := newChecker(files)
	c.cat = opts.Catalog
	c.strictRLS = opts.StrictRLS
	plan := c.run()
	diags := c.diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	return plan, diags
}

// typeKind classifies named GraphQL types by where they may be used.
type typeKind int

const (
	kindScalar typeKind = iota
	kindEnum
	kindObject
	kindInput
	kindInterface
	kindUnion
)

func (k typeKind) String() string {
	return [...]string{"scalar", "enum", "type", "input", "interface", "union"}[k]
}

// isAbstract: the type of a value is one of several object types.
func (k typeKind) isAbstract() bool { return k == kindInterface || k == kindUnion }

// isInput and isOutput follow the GraphQL spec's input and output types.
func (k typeKind) isInput() bool  { return k != kindObject && !k.isAbstract() }
func (k typeKind) isOutput() bool { return k != kindInput }

// reservedTypeNames are the root operation types gqlplan generates.
var reservedTypeNames = []string{"Mutation", "Query", "Subscription"}

// definition is a named type declared in some file.
type definition struct {
	kind   typeKind
	name   decl.Text
	file   *decl.File
	object *decl.ObjectType
	input  *decl.InputType
	enum   *decl.Enum
	iface  *decl.Interface
	union  *decl.Union
}

type checker struct {
	files []*decl.File
	diags decl.Diagnostics
	defs  map[string]*definition
	names []string // every type name, sorted, for suggestions

	cat          *catalog.Catalog // nil: no database checks
	strictRLS    bool             // row security findings are errors
	roles        []string         // the files' top-level roles, sorted
	castsWarned  map[string]bool  // claim and type of each db-inject-cast reported
	enumsChecked map[string]bool  // enum/PostgreSQL type pairs compared

	objects map[string]*spec.ObjectType // the plan's object types, once built
	keys    map[string][]spec.ColumnRef // object type → key, once something orders by it
	gen     generatedTypes

	rowsChecked map[string]bool // relations and (type, source) pairs checked against the catalog
	// functionsUsed are the functions sources and computed fields call,
	// by quoted name, as the catalog knows them.
	functionsUsed map[string]*catalog.Function
}

func newChecker(files []*decl.File) *checker {
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b *decl.File) int { return cmp.Compare(a.Name, b.Name) })
	return &checker{
		files: files, defs: make(map[string]*definition), enumsChecked: make(map[string]bool),
		objects: map[string]*spec.ObjectType{}, keys: map[string][]spec.ColumnRef{}, rowsChecked: map[string]bool{}, castsWarned: map[string]bool{}, functionsUsed: map[string]*catalog.Function{},
		gen: generatedTypes{types: map[string]spec.ObjectType{}, inputs: map[string]spec.InputType{}, enums: map[string]spec.Enum{}},
	}
}

func (c *checker) run() *spec.Plan {
	c.checkFileSchemas()
	c.declareTypes()
	plan := &spec.Plan{
		Format:    spec.FormatVersion,
		Compiler:  Version,
		Types:     []spec.ObjectType{},
		Inputs:    []spec.InputType{},
		Enums:     []spec.Enum{},
		Queries:   []spec.Operation{},
		Mutations: []spec.Operation{},
	}
	for _, name := range c.names {
		d := c.defs[name]
		switch d.kind {
		case kindObject:
			plan.Types = append(plan.Types, c.objectType(d))
		case kindInput:
			plan.Inputs = append(plan.Inputs, c.inputType(d))
		case kindEnum:
			plan.Enums = append(plan.Enums, c.enumType(d))
		}
	}
	for i := range plan.Types {
		c.objects[plan.Types[i].Name] = &plan.Types[i]
	}
	c.abstractTypes(plan)
	if c.cat != nil {
		c.checkEnumsInCatalog(plan)
	}
	c.relationListings()
	c.roles = c.fileRoles()
	queries, mutations, subscriptions := c.operations()
	for _, op := range queries {
		plan.Queries = append(plan.Queries, c.operation(op))
	}
	for _, op := range mutations {
		plan.Mutations = append(plan.Mutations, c.operation(op))
	}
	for _, op := range subscriptions {
		plan.Subscriptions = append(plan.Subscriptions, c.operation(op))
	}
	c.nodeFields(plan)
	if c.cat != nil {
		c.checkNodesInCatalog(plan)
		c.watchTables(plan, subscriptions)
	}
	c.checkDocumentTypes(plan)
	c.checkLookaheadsFilled(plan, queries, append(mutations, subscriptions...))
	c.checkNodeInputsReachResolvers(plan)
	for i := range plan.Types {
		plan.Types[i].Key = c.keys[plan.Types[i].Name]
	}
	c.addGenerated(plan)
	if len(c.files) > 0 && !c.declaresQueries() {
		f := c.files[0]
		c.diags.Errorf(fileStart(f), "no-queries", "no queries are declared: a GraphQL schema needs at least one query")
	}
	c.warnUnused(queries, append(mutations, subscriptions...))
	if c.diags.HasErrors() {
		return nil
	}
	plan.SDL = printSDL(plan)
	return plan
}

// declaresQueries reports whether any query is declared, valid or not.
func (c *checker) declaresQueries() bool {
	for _, f := range c.files {
		if len(f.Queries) > 0 {
			return true
		}
	}
	return false
}

func fileStart(f *decl.File) decl.Range {
	p := decl.Pos{Line: 1, Column: 1}
	return decl.Range{Filename: f.Name, Start: p, End: p}
}

// declareTypes registers every type, input and enum. Declarations are
// visited in (file, position) order, so the one reported as a duplicate is
// always the later one, whatever order files were given in.
func (c *checker) declareTypes() {
	var all []*definition
	for _, f := range c.files {
		for _, t := range f.Types {
			all = append(all, &definition{kind: kindObject, name: t.Name, file: f, object: t})
		}
		for _, t := range f.Inputs {
			all = append(all, &definition{kind: kindInput, name: t.Name, file: f, input: t})
		}
		for _, e := range f.Enums {
			all = append(all, &definition{kind: kindEnum, name: e.Name, file: f, enum: e})
		}
		for _, in := range f.Interfaces {
			all = append(all, &definition{kind: kindInterface, name: in.Name, file: f, iface: in})
		}
		for _, u := range f.Unions {
			all = append(all, &definition{kind: kindUnion, name: u.Name, file: f, union: u})
		}
	}
	slices.SortStableFunc(all, func(a, b *definition) int { return compareRange(a.name.Range, b.name.Range) })
	for s := range spec.Scalars { // the README documents their wire formats
		c.defs[s] = &definition{kind: kindScalar, name: decl.Text{Value: s}}
	}
	for _, d := range all {
		if !c.checkName(d.name, d.kind.String()) {
			continue
		}
		if slices.Contains(reservedTypeNames, d.name.Value) {
			c.diags.Errorf(d.name.Range, "reserved-name", "%s name %q is reserved for the root type gqlplan generates", d.kind, d.name.Value)
			continue
		}
		if prev, dup := c.defs[d.name.Value]; dup {
			if prev.kind == kindScalar {
				c.diags.Errorf(d.name.Range, "duplicate-definition", "%s %q redefines the built-in scalar %s", d.kind, d.name.Value, d.name.Value)
			} else {
				c.diags.Errorf(d.name.Range, "duplicate-definition", "%s %q is already declared as %s at %s", d.kind, d.name.Value, withArticle(prev.kind.String()), prev.name.Range)
			}
			continue
		}
		c.defs[d.name.Value] = d
	}
	for name := range c.defs {
		c.names = append(c.names, name)
	}
	slices.Sort(c.names)
}

func compareRange(a, b decl.Range) int {
	return cmp.Or(
		cmp.Compare(a.Filename, b.Filename),
		cmp.Compare(a.Start.Line, b.Start.Line),
		cmp.Compare(a.Start.Column, b.Start.Column),
	)
}

// resolveType parses a type reference and checks that its named type exists
// and may stand where it is used (input or output). It returns nil after
// reporting a problem.
func (c *checker) resolveType(t decl.Text, input bool, what string) *spec.TypeRef {
	ref, err := spec.ParseTypeRef(t.Value)
	if err != nil {
		c.diags.Errorf(t.Range, "type-syntax", "malformed type %q for %s: %v", t.Value, what, err)
		return nil
	}
	name := ref.Named()
	d, ok := c.defs[name]
	if !ok {
		c.diags.Errorf(t.Range, "unknown-type", "unknown type %q for %s%s", name, what, decl.DidYouMean(name, c.names))
		return nil
	}
	switch {
	case input && !d.kind.isInput():
		c.diags.Errorf(t.Range, "output-type-in-input", "%s is an input, but %q is an output object type; declare an input type under \"inputs\" for it", what, name)
		return nil
	case !input && !d.kind.isOutput():
		c.diags.Errorf(t.Range, "input-type-in-output", "%s is an output, but %q is an input type; declare an object type under \"types\" for it", what, name)
		return nil
	}
	return ref
}

// kindOf returns the kind of a resolved type reference.
func (c *checker) kindOf(t *spec.TypeRef) typeKind { return c.defs[t.Named()].kind }
