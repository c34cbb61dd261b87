package cli

import (
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// DiffCmd reports what changed from one plan to the next that can break
// a client: the schema's breaking changes (errors) and dangerous ones
// (warnings), then each fault the new plan finds in the old plan's
// trusted documents, where compile read them. Exit 1 on a breaking
// change or a broken document.
type DiffCmd struct {
	Old    string `arg:"" name:"old" help:"The plan clients use now."`
	New    string `arg:"" name:"new" help:"The plan that would replace it."`
	Format string `enum:"text,json,github" default:"text" env:"GQLPLAN_FORMAT" help:"Diagnostics format: text (file:line:col), json, or github (Actions annotations)."`
}

func (c *DiffCmd) Run(env *Env) error {
	old, err := readPlan(env, c.Old)
	if err != nil {
		return err
	}
	next, err := readPlan(env, c.New)
	if err != nil {
		return err
	}
	var diags decl.Diagnostics
	for _, ch := range spec.Diff(old, next) {
		severity := decl.Warning
		if ch.Breaking {
			severity = decl.Error
		}
		diags = append(diags, decl.Diagnostic{Severity: severity, Code: ch.Code, Message: ch.Message, Range: decl.Range{Filename: c.New}})
	}
	if len(old.Documents) > 0 {
		checker, err := runtime.NewDocumentChecker(next, runtime.Limits{})
		if err != nil {
			return err
		}
		for _, doc := range old.Documents {
			faults := checker.Check(doc.Text).Faults
			for _, source := range sourcesOf(doc) {
				for _, f := range faults {
					d := documentDiagnostic(source, f)
					d.Message = "with " + c.New + ": " + d.Message
					diags = append(diags, d)
				}
			}
		}
	}
	_, err = report(env, diags, nil, c.Format)
	return err
}

// sourcesOf are where compile read doc (Document.Sources), or, for a plan
// that did not record them, the document by its id.
func sourcesOf(doc spec.Document) []clientDocument {
	var out []clientDocument
	for _, s := range doc.Sources {
		file, line, col, ok := splitPosition(s)
		if !ok {
			continue
		}
		out = append(out, clientDocument{text: doc.Text, file: file, at: decl.Pos{Line: line, Column: col}, manifest: strings.HasSuffix(file, ".json")})
	}
	if len(out) == 0 {
		out = append(out, clientDocument{text: doc.Text, file: "document " + doc.ID, at: decl.Pos{Line: 1, Column: 1}, manifest: true})
	}
	return out
}

// splitPosition splits "file:line:col".
func splitPosition(s string) (file string, line, col int, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j < 0 {
		return "", 0, 0, false
	}
	line, err1 := strconv.Atoi(s[j+1 : i])
	col, err2 := strconv.Atoi(s[i+1:])
	return s[:j], line, col, err1 == nil && err2 == nil
}

// staleDocuments are the plan's trusted documents that read what no
// longer matches the database, each at the places compile read it.
func staleDocuments(plan *spec.Plan, stale *runtime.StalePlanError) (decl.Diagnostics, error) {
	if len(plan.Documents) == 0 {
		return nil, nil
	}
	checker, err := runtime.NewDocumentChecker(plan, runtime.Limits{})
	if err != nil {
		return nil, err
	}
	var diags decl.Diagnostics
	for _, doc := range plan.Documents {
		reads := checker.Reads(doc.Text, stale.Users)
		if len(reads) == 0 {
			continue
		}
		for _, source := range sourcesOf(doc) {
			r := decl.Range{Filename: source.file, Start: source.at, End: source.at}
			diags.Errorf(r, "stale-plan", "this trusted document reads what no longer matches the database: %s", strings.Join(reads, ", "))
		}
	}
	return diags, nil
}
