package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/internal/logbuf"
)

// TestReadmeExtendFromScratch runs the README's "Extending the API in Go"
// steps as a user pastes them, from an empty directory: go mod init, go
// get gqlplan at the README's version, the files it shows, go build, the
// server running and answering. go get is served this checkout as that
// version by a module proxy of plain files (the layout of GOPROXY=file://),
// and everything else from the module cache make fills: no network.
func TestReadmeExtendFromScratch(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "<!-- walkthrough:extend -->")
	section, _, ok := strings.Cut(section, "<!-- /walkthrough -->")
	steps := regexp.MustCompile("(?s)(?:<!-- file: ([^ ]+) -->\n)?```(\\w+)\n(.*?)```").FindAllStringSubmatch(section, -1)
	var scripts []string
	files := map[string]string{}
	for _, s := range steps {
		switch {
		case s[1] != "":
			files[s[1]] = s[3]
		case s[2] == "sh":
			scripts = append(scripts, s[3])
		}
	}
	if !ok || len(scripts) != 3 || len(files) < 3 {
		t.Fatalf("README.md has no extend walkthrough of three shell blocks and its files (%d blocks, files %v)", len(scripts), slices.Sorted(maps.Keys(files)))
	}
	version := "v" + compiler.Version
	if !strings.Contains(scripts[0], "github.com/gqlplan/gqlplan/extend/server@"+version) {
		t.Fatalf("the README's go get is not of this version, %s:\n%s", version, scripts[0])
	}

	home := t.TempDir()
	proxy := moduleProxy(t, "../..", version)
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"GOPROXY=file://"+proxy+",file://"+filepath.Join(strings.TrimSpace(string(cache)), "cache", "download"),
		"GOSUMDB=off", "GOFLAGS=-modcacherw", "GOMODCACHE="+filepath.Join(home, "modcache"), "GOWORK=off")
	run := func(script string) string {
		t.Helper()
		cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
		cmd.Dir, cmd.Env = home, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v:\n%s\n%s", err, script, out)
		}
		return string(out)
	}

	// The first block makes the module; the files go into it; the second
	// builds and starts the server; the third asks it.
	run(scripts[0])
	shop := filepath.Join(home, "shop")
	// None of what only gqlplan's tests use is in the user's module graph.
	if graph := run("cd shop && go mod graph"); strings.Contains(graph, "chromedp") || strings.Contains(graph, "jsonschema") {
		t.Errorf("a dependency of gqlplan's tests is in the module graph of a server built with it:\n%s", graph)
	}
	for name, text := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(shop, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shop, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	startScript(t, shop, env, strings.ReplaceAll(scripts[1], "127.0.0.1:8080", addr))
	out := run(strings.ReplaceAll(scripts[2], "127.0.0.1:8080", addr))
	want := regexp.MustCompile(`^\{"data":\{"products":\[\{"name" ?: ?"Tea", "priceInCents" ?: ?350, "priceWithTax" ?: ?420\}, \{"name" ?: ?"Cake", "priceInCents" ?: ?420, "priceWithTax" ?: ?504\}\],"hello":"Hello, Go!"\}\}\s*$`)
	if !want.MatchString(out) {
		t.Errorf("the server answered\n%s\nwant %s", out, want)
	}
}

// startScript runs a shell script that ends by starting a server, in dir,
// until it prints that it serves; the test's end stops the script and the
// server (Ctrl-C to its process group).
func startScript(t *testing.T, dir string, env []string, script string) {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := &logbuf.Buffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Errorf("the server did not stop on Ctrl-C:\n%s", stderr)
		}
	})
	ready := make(chan bool, 1)
	go func() {
		scan := bufio.NewScanner(stdout)
		for scan.Scan() {
			if strings.HasPrefix(strings.TrimSpace(scan.Text()), "gqlplan dev: GraphQL at") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("the script ended without serving:\n%s", stderr)
		}
	case <-time.After(3 * time.Minute): // a cold build, then initdb
		t.Fatalf("the server did not start:\n%s", stderr)
	}
}

// moduleProxy writes a module proxy of plain files (GOPROXY=file://…)
// serving the gqlplan module of the checkout at root as version: its
// files as git would publish them (tracked and new, not ignored), without
// the modules nested in it.
func moduleProxy(t *testing.T, root, version string) string {
	t.Helper()
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	paths := strings.Split(strings.TrimSuffix(string(list), "\x00"), "\x00")
	var nested []string
	for _, p := range paths {
		if filepath.Base(p) == "go.mod" && p != "go.mod" {
			nested = append(nested, filepath.Dir(p)+"/")
		}
	}
	const module = "github.com/gqlplan/gqlplan"
	var zipped bytes.Buffer
	w := zip.NewWriter(&zipped)
	for _, p := range slices.Sorted(slices.Values(paths)) {
		if slices.ContainsFunc(nested, func(dir string) bool { return strings.HasPrefix(p, dir) }) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			continue // deleted, not yet committed
		}
		f, err := w.Create(module + "@" + version + "/" + p)
		if err == nil {
			_, err = f.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	at := filepath.Join(dir, module, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": fmt.Appendf(nil, `{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version),
		version + ".mod":  goMod,
		version + ".zip":  zipped.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// freeAddr is a local address no one listens on, for a server to take.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
