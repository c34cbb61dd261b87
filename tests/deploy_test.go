package tests

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDockerfileBuildsAsMakeBuild: deploy/Dockerfile builds the binary as
// make build does (static, the revision stamped in, GraphiQL's bundle
// built first), on the Go that
// go.mod names, and runs it on a static base as a non-root user, with the
// plan where the Kubernetes manifest mounts it.
func TestDockerfileBuildsAsMakeBuild(t *testing.T) {
	docker := readRepoFile(t, "deploy/Dockerfile")
	makefile := readRepoFile(t, "Makefile")
	goMod := readRepoFile(t, "go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(goMod)
	if goVersion == nil || !strings.Contains(docker, "FROM golang:"+goVersion[1]+"-") {
		t.Errorf("the Dockerfile does not build on the Go of go.mod (%v)", goVersion)
	}
	ldflags := regexp.MustCompile(`-ldflags "-X ([^=]+)=`).FindStringSubmatch(makefile)
	if ldflags == nil || !strings.Contains(docker, "CGO_ENABLED=0 go build -trimpath -ldflags \"-X "+ldflags[1]+"=${BUILD}\"") {
		t.Errorf("the Dockerfile's build is not make build's (%v)", ldflags)
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(docker, -1)
	if last := froms[len(froms)-1][1]; !strings.HasPrefix(last, "gcr.io/distroless/static") || !strings.HasSuffix(last, ":nonroot") {
		t.Errorf("the image's base: %v, want distroless static, nonroot", froms)
	}
	// The binary embeds GraphiQL's bundle, which is built, not committed.
	if !strings.Contains(docker, "RUN bash tools/graphiql/build.sh") || !strings.Contains(docker, "COPY --from=graphiql") {
		t.Error("the Dockerfile does not build GraphiQL's bundle into the binary")
	}
	if !regexp.MustCompile(`(?m)^USER nonroot`).MatchString(docker) {
		t.Error("the image does not run as a non-root user")
	}
	for _, want := range []string{"GQLPLAN_ADMIN_LISTEN=0.0.0.0:9090", "GQLPLAN_PLAN=/etc/gqlplan/plan.json", "EXPOSE 8080 9090"} {
		if !strings.Contains(docker, want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
}

// TestKubernetesManifestIsServes: every flag and GQLPLAN_ variable the
// Deployment passes is one serve has; the probes are /live and /ready on
// the admin listener's port, which Prometheus is told to scrape; the plan
// is mounted from a ConfigMap where --plan reads it, and --watch-plan
// follows it; the grace period outlasts --shutdown-timeout.
func TestKubernetesManifestIsServes(t *testing.T) {
	code, help, stderr := run(t, "", "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: %d %s", code, stderr)
	}
	dec := yaml.NewDecoder(strings.NewReader(readRepoFile(t, "deploy/kubernetes/gqlplan.yaml")))
	var deployment map[string]any
	kinds := map[string]bool{}
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			break
		}
		kinds[doc["kind"].(string)] = true
		if doc["kind"] == "Deployment" {
			deployment = doc
		}
	}
	if !kinds["Deployment"] || !kinds["Service"] {
		t.Fatalf("the manifest holds %v, want a Deployment and a Service", kinds)
	}
	at := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}
	pod := at(deployment, "spec", "template")
	container := at(pod, "spec", "containers", 0)
	args := map[string]string{}
	for _, a := range at(container, "args").([]any) {
		flag, value, _ := strings.Cut(a.(string), "=")
		if strings.HasPrefix(flag, "--") {
			if !strings.Contains(help, "  "+flag+"=") && !strings.Contains(help, "  "+flag+" ") && !strings.Contains(help, "  "+flag+"\n") {
				t.Errorf("serve has no flag %s", flag)
			}
			args[flag] = value
		}
	}
	for _, e := range at(container, "env").([]any) {
		name := e.(map[string]any)["name"].(string)
		if strings.HasPrefix(name, "GQLPLAN_") && !strings.Contains(help, "$"+name) {
			t.Errorf("serve reads no variable %s", name)
		}
	}
	ports := map[string]string{}
	for _, p := range at(container, "ports").([]any) {
		ports[p.(map[string]any)["name"].(string)] = strings.TrimSpace(yamlString(p.(map[string]any)["containerPort"]))
	}
	if !strings.HasSuffix(args["--admin-listen"], ":"+ports["admin"]) || !strings.HasSuffix(args["--listen"], ":"+ports["http"]) {
		t.Errorf("the listeners %q, %q are not the ports %v", args["--admin-listen"], args["--listen"], ports)
	}
	for probe, path := range map[string]string{"livenessProbe": "/live", "readinessProbe": "/ready"} {
		if at(container, probe, "httpGet", "path") != path || at(container, probe, "httpGet", "port") != "admin" {
			t.Errorf("%s: %v, want %s on the admin port", probe, at(container, probe), path)
		}
	}
	if a := at(pod, "metadata", "annotations").(map[string]any); a["prometheus.io/port"] != ports["admin"] || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("the scrape annotations %v do not point at the admin listener", a)
	}
	mount := at(container, "volumeMounts", 0).(map[string]any)
	volume := at(pod, "spec", "volumes", 0).(map[string]any)
	if _, watched := args["--watch-plan"]; !watched || args["--plan"] != mount["mountPath"].(string)+"/plan.json" || volume["configMap"] == nil || volume["name"] != mount["name"] {
		t.Errorf("the plan: --plan %q, mounted %v from %v; want plan.json of a ConfigMap's volume, watched", args["--plan"], mount, volume)
	}
	grace := at(pod, "spec", "terminationGracePeriodSeconds").(int)
	if shutdown := args["--shutdown-timeout"]; shutdown == "" || grace <= atoiSeconds(t, shutdown) {
		t.Errorf("the grace period (%ds) does not outlast --shutdown-timeout %s", grace, shutdown)
	}
}

func yamlString(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func atoiSeconds(t *testing.T, d string) int {
	t.Helper()
	m := regexp.MustCompile(`^(\d+)s$`).FindStringSubmatch(d)
	if m == nil {
		t.Fatalf("a duration in seconds: %q", d)
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile("../" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
