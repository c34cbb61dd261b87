package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
)

// writeDiagnostics prints diagnostics in one of the formats tools read.
func writeDiagnostics(env *Env, diags decl.Diagnostics, format string) error {
	// Text is for people and goes to standard error; json and github are
	// for tools and go to standard output — unless the plan does (compile
	// -o -), which keeps standard output to itself.
	w := env.Stderr
	if format != "text" && !env.planOnStdout {
		w = env.Stdout
	}
	switch format {
	case "json":
		return writeJSON(w, diags)
	case "github":
		return writeGitHub(w, diags)
	}
	for _, d := range diags {
		if _, err := fmt.Fprintln(w, d.String()); err != nil {
			return err
		}
	}
	return nil
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type jsonDiagnostic struct {
	File     string  `json:"file"`
	Line     int     `json:"line"`
	Column   int     `json:"column"`
	End      jsonPos `json:"end"`
	Severity string  `json:"severity"`
	Code     string  `json:"code"`
	Message  string  `json:"message"`
}

func writeJSON(w io.Writer, diags decl.Diagnostics) error {
	out := make([]jsonDiagnostic, len(diags))
	for i, d := range diags {
		out[i] = jsonDiagnostic{
			File: d.Range.Filename, Line: d.Range.Start.Line, Column: d.Range.Start.Column,
			End:      jsonPos{Line: d.Range.End.Line, Column: d.Range.End.Column},
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message,
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeGitHub prints GitHub Actions workflow commands, which the Actions
// runner turns into annotations on the pull request's diff.
func writeGitHub(w io.Writer, diags decl.Diagnostics) error {
	for _, d := range diags {
		var props []string
		if d.Range.Filename != "" {
			props = append(props, "file="+ghProperty(d.Range.Filename))
		}
		if d.Range.Start.Line > 0 {
			props = append(props,
				fmt.Sprintf("line=%d", d.Range.Start.Line), fmt.Sprintf("col=%d", d.Range.Start.Column),
				fmt.Sprintf("endLine=%d", d.Range.End.Line), fmt.Sprintf("endColumn=%d", d.Range.End.Column))
		}
		props = append(props, "title="+ghProperty("gqlplan "+d.Code))
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", d.Severity, strings.Join(props, ","), ghData(d.Message)); err != nil {
			return err
		}
	}
	return nil
}

// Escaping as the Actions runner's command parser expects.
var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func ghData(s string) string     { return ghDataEscaper.Replace(s) }
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }
