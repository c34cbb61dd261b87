package e2e

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeWalkthrough runs the README's forum walkthrough — its shell
// blocks, as a user pastes them, curl and sed included — against
// `gqlplan dev examples/forum`, and checks what each step promises.
func TestReadmeWalkthrough(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "<!-- walkthrough:forum -->")
	section, _, ok := strings.Cut(section, "<!-- /walkthrough -->")
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1)
	if !ok || len(blocks) < 4 {
		t.Fatalf("README.md has no forum walkthrough (%d shell blocks)", len(blocks))
	}
	script := "set -euo pipefail\n"
	for _, b := range blocks {
		script += b[1]
	}
	addr, _ := startDev(t)
	script = strings.ReplaceAll(script, "127.0.0.1:8080", addr)
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the walkthrough fails: %v\n%s", err, out)
	}
	// One line per command, in order.
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	want := []string{
		`"allPosts":\[\{"rowId" ?: ?36, "headline" ?: ?"Triggers that set updated_at", "author" ?: ?\{"fullName" ?: ?"Diego Ortiz"`,
		`"searchPosts":\{"totalCount" ?: ?3, .*"hasNextPage" ?: ?true`,
		`"registerPerson":\{"rowId" ?: ?13, "fullName" ?: ?"Eve Example"\}`,
		`^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$`,
		`"code":"UNAUTHENTICATED"`,
		`"createPost":\{"id" ?: ?"ZzFbIlBvc3QiLCAzN10", "rowId" ?: ?37, "headline" ?: ?"Hello, forum", "author" ?: ?\{"fullName" ?: ?"Eve Example"\}`,
		`"code":"FORBIDDEN".*"createPost":null`,
		`"updatePost":\{"headline" ?: ?"Hello again"`,
		`^\{"data":\{"updatePost":null\}\}$`,
		`"currentPerson":\{"rowId" ?: ?13, .*"totalCount" ?: ?1, "nodes" ?: ?\[\{"headline" ?: ?"Hello again"\}\]`,
		`^\{"data":\{"changePassword":true\}\}$`,
		`"deletePost":\{"rowId" ?: ?37`,
		`^data: \{"data":\{"latestPosts":\[\{"headline" ?: ?"Triggers that set updated_at", "author" ?: ?\{"fullName" ?: ?"Diego Ortiz"\}\}\]\}\}$`,
		`^data: \{"data":\{"latestPosts":\[\{"headline" ?: ?"Live from the walkthrough", "author" ?: ?\{"fullName" ?: ?"Eve Example"\}\}\]\}\}$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("the walkthrough printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("step %d: %s\ndoes not match %s", i+1, lines[i], w)
		}
	}
}
