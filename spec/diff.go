package spec

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Change is one difference between two plans' GraphQL schemas that can
// break a client (Breaking) or change what it sees without breaking it
// (otherwise: dangerous): a removed type, field, argument or enum value;
// a field or argument whose type a client's document no longer fits; a
// new required argument or input field; an added enum value or union
// member, which an exhaustive switch in a client does not handle; a
// changed default.
type Change struct {
	Breaking bool
	Code     string // type-removed, field-removed, … (see gqlplan's diagnostic codes)
	Path     string // Type.field(arg)
	Message  string
}

// Diff is the changes from old to new, sorted by path, then code.
func Diff(old, new *Plan) []Change {
	d := &differ{}
	oldOut, newOut := outputTypes(old), outputTypes(new)
	for _, name := range sortedKeys(oldOut) {
		o, n := oldOut[name], newOut[name]
		if n == nil {
			d.add(true, "type-removed", name, "type %s was removed", name)
			continue
		}
		d.fields(name, o, n)
	}
	oldIn, newIn := inputTypes(old), inputTypes(new)
	for _, name := range sortedKeys(oldIn) {
		n := newIn[name]
		if n == nil {
			d.add(true, "type-removed", name, "input type %s was removed", name)
			continue
		}
		d.inputs(name, oldIn[name], n, true)
	}
	oldEnums, newEnums := byName(old.Enums, func(e Enum) string { return e.Name }), byName(new.Enums, func(e Enum) string { return e.Name })
	for _, name := range sortedKeys(oldEnums) {
		n, ok := newEnums[name]
		if !ok {
			d.add(true, "type-removed", name, "enum %s was removed", name)
			continue
		}
		was := valueNames(oldEnums[name])
		for _, v := range was {
			if !slices.Contains(valueNames(n), v) {
				d.add(true, "enum-value-removed", name+"."+v, "value %s of enum %s was removed", v, name)
			}
		}
		for _, v := range valueNames(n) {
			if !slices.Contains(was, v) {
				d.add(false, "enum-value-added", name+"."+v, "value %s was added to enum %s: a client that switches over its values does not know it", v, name)
			}
		}
	}
	oldUnions, newUnions := byName(old.Unions, func(u Union) string { return u.Name }), byName(new.Unions, func(u Union) string { return u.Name })
	for _, name := range sortedKeys(oldUnions) {
		n, ok := newUnions[name]
		if !ok {
			d.add(true, "type-removed", name, "union %s was removed", name)
			continue
		}
		for _, m := range oldUnions[name].PossibleTypes {
			if !slices.Contains(n.PossibleTypes, m) {
				d.add(true, "union-member-removed", name+"."+m, "%s is no longer a member of union %s", m, name)
			}
		}
		for _, m := range n.PossibleTypes {
			if !slices.Contains(oldUnions[name].PossibleTypes, m) {
				d.add(false, "union-member-added", name+"."+m, "%s was added to union %s: a client that switches over its members does not know it", m, name)
			}
		}
	}
	slices.SortFunc(d.out, func(a, b Change) int {
		return strings.Compare(a.Path+"\x00"+a.Code, b.Path+"\x00"+b.Code)
	})
	return d.out
}

type differ struct{ out []Change }

func (d *differ) add(breaking bool, code, path, format string, args ...any) {
	d.out = append(d.out, Change{Breaking: breaking, Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
}

// outputField is a field of an output type or a root operation: its
// type and arguments.
type outputField struct {
	typ  string
	args []InputValue
}

// outputTypes are the object and interface types, and the root types, by
// name, each its fields by name.
func outputTypes(p *Plan) map[string]map[string]outputField {
	out := map[string]map[string]outputField{}
	addFields := func(name string, fields []Field) {
		m := map[string]outputField{}
		for _, f := range fields {
			m[f.Name] = outputField{typ: f.Type, args: f.Args}
		}
		out[name] = m
	}
	for _, t := range p.Types {
		addFields(t.Name, t.Fields)
	}
	for _, t := range p.Interfaces {
		addFields(t.Name, t.Fields)
	}
	for root, ops := range map[string][]Operation{"Query": p.Queries, "Mutation": p.Mutations, "Subscription": p.Subscriptions} {
		if len(ops) == 0 {
			continue
		}
		m := map[string]outputField{}
		for _, op := range ops {
			m[op.Name] = outputField{typ: op.Returns, args: op.Args}
		}
		out[root] = m
	}
	return out
}

// fields compares the fields of output type name.
func (d *differ) fields(name string, old, new map[string]outputField) {
	for _, f := range sortedKeys(old) {
		path := name + "." + f
		n, ok := new[f]
		if !ok {
			d.add(true, "field-removed", path, "field %s was removed", path)
			continue
		}
		if o := old[f]; !outputFits(parseRef(o.typ), parseRef(n.typ)) {
			d.add(true, "type-changed", path, "field %s was %s and is %s: a client's document may not fit the new type", path, o.typ, n.typ)
		}
		d.inputs(path, old[f].args, n.args, false)
	}
}

// inputTypes are the input object types by name.
func inputTypes(p *Plan) map[string][]InputValue {
	out := map[string][]InputValue{}
	for _, t := range p.Inputs {
		out[t.Name] = t.Fields
	}
	return out
}

// inputs compares the arguments of a field at path (fields: the input
// fields of an input type).
func (d *differ) inputs(path string, old, new []InputValue, fields bool) {
	what, removed, added := "argument", "argument-removed", "required-argument-added"
	if fields {
		what, removed, added = "input field", "input-field-removed", "required-input-field-added"
	}
	oldBy, newBy := byName(old, func(v InputValue) string { return v.Name }), byName(new, func(v InputValue) string { return v.Name })
	at := func(name string) string {
		if fields {
			return path + "." + name
		}
		return path + "(" + name + ")"
	}
	for _, name := range sortedKeys(oldBy) {
		o, n := oldBy[name], newBy[name]
		switch {
		case n.Name == "":
			d.add(true, removed, at(name), "%s %s was removed", what, at(name))
		case !inputFits(parseRef(o.Type), parseRef(n.Type)):
			d.add(true, "type-changed", at(name), "%s %s was %s and is %s: a value a client sends may not fit the new type", what, at(name), o.Type, n.Type)
		case !bytes.Equal(o.Default, n.Default):
			d.add(false, "default-changed", at(name), "the default of %s %s was %s and is %s", what, at(name), orNone(o.Default), orNone(n.Default))
		}
	}
	for _, name := range sortedKeys(newBy) {
		if n := newBy[name]; oldBy[name].Name == "" && strings.HasSuffix(n.Type, "!") && n.Default == nil {
			d.add(true, added, at(name), "%s %s (%s) was added, required: a client's document does not give it", what, at(name), n.Type)
		}
	}
}

func orNone(v []byte) string {
	if v == nil {
		return "none"
	}
	return string(v)
}

// typeRef is a parsed GraphQL type reference.
type typeRef struct {
	name    string
	list    *typeRef
	nonNull bool
}

func parseRef(s string) typeRef {
	var t typeRef
	if strings.HasSuffix(s, "!") {
		t.nonNull, s = true, strings.TrimSuffix(s, "!")
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		elem := parseRef(s[1 : len(s)-1])
		t.list = &elem
		return t
	}
	t.name = s
	return t
}

// outputFits: a client reading old can read new — the same type, or one
// that promises more (nullable made non-null).
func outputFits(old, new typeRef) bool {
	if old.nonNull && !new.nonNull {
		return false
	}
	return sameShape(old, new, outputFits)
}

// inputFits: a value a client sends for old fits new — the same type, or
// one that takes more (non-null made nullable).
func inputFits(old, new typeRef) bool {
	if !old.nonNull && new.nonNull {
		return false
	}
	return sameShape(old, new, inputFits)
}

func sameShape(old, new typeRef, fits func(typeRef, typeRef) bool) bool {
	switch {
	case old.list != nil && new.list != nil:
		return fits(*old.list, *new.list)
	case old.list == nil && new.list == nil:
		return old.name == new.name
	}
	return false
}

func valueNames(e Enum) []string {
	out := make([]string, len(e.Values))
	for i, v := range e.Values {
		out[i] = v.Name
	}
	return out
}

func byName[T any](items []T, name func(T) string) map[string]T {
	out := make(map[string]T, len(items))
	for _, it := range items {
		out[name(it)] = it
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
