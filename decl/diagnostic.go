package decl

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Severity says whether a diagnostic stops compilation.
type Severity int

const (
	// Error diagnostics make compile and check exit 1 and suppress the plan.
	Error Severity = iota
	// Warning diagnostics are reported but do not stop compilation.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is a problem found in declarations, located in a source file.
// Code is a stable, kebab-case identifier tools can match on
// ("inject-conflict"); Message is for people and may change between versions.
type Diagnostic struct {
	Severity Severity
	Code     string
	Message  string
	Range    Range
}

func (d Diagnostic) String() string {
	if d.Range.Filename == "" { // about the run, not a file: the database, the command line
		return fmt.Sprintf("%s: %s [%s]", d.Severity, d.Message, d.Code)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", d.Range, d.Severity, d.Message, d.Code)
}

// Diagnostics is the list of problems of one run. It implements error so a
// function can return every problem it found at once.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic.
func (ds *Diagnostics) Errorf(r Range, code, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Code: code, Message: fmt.Sprintf(format, args...), Range: r})
}

// Warnf appends a warning diagnostic.
func (ds *Diagnostics) Warnf(r Range, code, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...), Range: r})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Error joins the diagnostics, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders diagnostics by file, then position, then code and message, so
// that output is the same whatever order files were read or checks ran in.
// Exact duplicates are removed, and one problem found once for each
// operation that reaches it (a misspelled column of a type nine queries
// return) is reported once, naming them all.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Range.Filename, b.Range.Filename),
			cmp.Compare(a.Range.Start.Line, b.Range.Start.Line),
			cmp.Compare(a.Range.Start.Column, b.Range.Start.Column),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return mergeOperations(slices.Compact(ds))
}

// operationPrefix is how a diagnostic about one operation begins:
// `query "posts": …` or `mutation "register" calls …`.
var operationPrefix = regexp.MustCompile(`^((?:query|mutation) "[A-Za-z_][A-Za-z0-9_]*")(: | )`)

// mergeOperations makes the diagnostics that differ only in the operation
// they begin with one, at the first one's place in the order, beginning
// with every operation: `query "a", query "b": …`.
func mergeOperations(ds Diagnostics) Diagnostics {
	type key struct {
		file                  string
		line, column          int
		severity              Severity
		code, separator, rest string
	}
	first := map[key]int{}
	ops := map[int][]string{}
	out := ds[:0]
	for _, d := range ds {
		m := operationPrefix.FindStringSubmatchIndex(d.Message)
		if m == nil {
			out = append(out, d)
			continue
		}
		op, sep, rest := d.Message[m[2]:m[3]], d.Message[m[4]:m[5]], d.Message[m[1]:]
		k := key{d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, d.Severity, d.Code, sep, rest}
		if at, ok := first[k]; ok {
			ops[at] = append(ops[at], op)
			continue
		}
		first[k] = len(out)
		ops[len(out)] = []string{op}
		out = append(out, d)
	}
	for at, names := range ops {
		if len(names) > 1 {
			m := operationPrefix.FindStringSubmatchIndex(out[at].Message)
			out[at].Message = strings.Join(names, ", ") + out[at].Message[m[3]:]
		}
	}
	return out
}
