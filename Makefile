# gqlplan — the two commands a new machine needs are `make demo` and `make test`.
GO       ?= go
# GraphiQL's bundle, built before anything embeds it (see the graphiql rules).
GRAPHIQL := internal/cli/playground/graphiql/graphiql.js.gz
FUZZTIME ?= 60s

.PHONY: graphiql all build deps test vet fmt-check golden bench bench-subscriptions bench-compiler bench-runtime fuzz faults demo demo-extend demo-check clean

all: build

# A static binary (no cgo: it runs on any Linux of its architecture, in a
# scratch or distroless container too), the source revision stamped in
# (gqlplan version prints it).
BUILD ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
build: $(GRAPHIQL)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X github.com/gqlplan/gqlplan/internal/cli.build=$(BUILD)" -o bin/gqlplan ./cmd/gqlplan

# Everything: formatting, vet, unit + golden + database tests under the race
# detector. Database tests start their own throwaway PostgreSQL cluster
# (internal/pgtest) unless GQLPLAN_TEST_DATABASE_URL points at one.
# Three modules: gqlplan; tests (its own, so what only the tests need stays
# out of a user's module graph); examples/extend (a server of one's own,
# built by tests/e2e from the module cache alone: deps fills it). Then the
# end-to-end suite again with every server through Debian's pgbouncer in
# transaction mode (--statement-cache describe); the browser's and the
# from-scratch module's tests have no database of their own to pool, and
# TestPgBouncer* runs its own. And the runtime's tests again with every
# server pipelining (but those that watch the lone path: serverOptions.lone).
test: fmt-check vet deps $(GRAPHIQL)
	$(GO) test -race -count=1 ./...
	GQLPLAN_TEST_PIPELINING=1 $(GO) test -race -count=1 ./runtime/
	cd tests && $(GO) test -race -count=1 ./...
	cd tests && GQLPLAN_TEST_PGBOUNCER=1 $(GO) test -count=1 -skip 'TestGraphiQL|TestReadmeExtendFromScratch|TestPgBouncer' ./e2e

vet:
	$(GO) vet ./...
	cd tests && $(GO) vet ./...
	cd examples/extend && $(GO) vet ./...

deps:
	$(GO) mod download
	cd tests && $(GO) mod download
	cd examples/extend && $(GO) mod download

# Go files under testdata are golden inputs of the Go-tag front end, some
# malformed on purpose; the Go toolchain ignores them too.
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' ':!:**/testdata/**' 2>/dev/null || find . -name '*.go' -not -path '*/testdata/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# GraphiQL's bundle, which the binary embeds: built from the pinned npm
# packages of tools/graphiql (needs node and npm) and checked against the
# committed SHA256SUMS; not committed itself. make graphiql rebuilds it
# after a version changed in tools/graphiql/package.json, writing the new
# SHA256SUMS to commit.
$(GRAPHIQL): tools/graphiql/package-lock.json tools/graphiql/entry.js tools/graphiql/build.sh internal/cli/playground/graphiql/SHA256SUMS
	@command -v npm >/dev/null || { echo "GraphiQL's bundle is built with npm (tools/graphiql/build.sh): install node and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	bash tools/graphiql/build.sh

graphiql:
	bash tools/graphiql/build.sh --update

# Regenerate golden files after an intended change; review the diff.
golden:
	cd tests && $(GO) test . -run TestGolden -update
	$(GO) test ./runtime/ -run TestComposedSQL -update

# gqlplan (and beside it gqlplan with metrics on, with tracing on, with
# --pipelining, with --statement-cache none, through Debian's pgbouncer in
# transaction mode, and reading from a streaming standby) against
# the SQL it sends and its data statement alone (pgbench), the floor of a bare
# server sending it, and PostGraphile v4 and v5
# (npm; v5 on Node.js 22, the npm package node@22), five
# workloads on the forum example scaled up, in rounds with the servers taking
# turns (the report takes each one's median); at 8 clients, writing
# docs/BENCHMARKS.md and docs/benchmarks.svg, then at 64 clients
# (docs/BENCHMARKS-64.md). BENCH_FLAGS: e.g. -rounds 5 -duration 30s
# -concurrency 16, -only 'by id', -pprof /tmp/profiles, -no-peer,
# -gqlplan-before /tmp/gqlplan-old (another build, measured beside this one;
# -gqlplan-before-args --pipelining serves it so).
BENCH_FLAGS ?=
bench: build
	@command -v wrk >/dev/null || { echo "make bench: installing wrk (Debian)"; apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
	@[ -x /usr/sbin/pgbouncer ] || { echo "make bench: installing pgbouncer (Debian)"; apt-get install -y -qq pgbouncer >/dev/null || { apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; }; service pgbouncer stop >/dev/null 2>&1 || true; }
	$(GO) run ./bench $(BENCH_FLAGS)
	$(GO) run ./bench -concurrency 64 -out docs/BENCHMARKS-64.md -chart docs/benchmarks-64.svg $(BENCH_FLAGS)

# Subscriptions (bench/subscriptions.go): 10,000 subscribers of the forum's
# latestPosts in 100 groups; one change they all read, then one a second for
# 60 s; writes docs/SUBSCRIPTIONS.md. BENCH_FLAGS: e.g. -subscribers 2000 -sustain 10s.
bench-subscriptions: build
	$(GO) run ./bench -subscriptions $(BENCH_FLAGS)

# Go benchmarks of the compiler, and check --database-url on the forum.
bench-compiler:
	$(GO) test -run '^$$' -bench . -benchmem ./compiler/
	cd tests && $(GO) test -run '^$$' -bench CheckForumAgainstDatabase -benchmem .

# The runtime's request path: without the database, and end to end against
# a throwaway PostgreSQL (sequential and parallel); each prints req/s.
bench-runtime:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3s ./runtime/

# The longer fault cases of tests/e2e (a 10 s outage, terminated backends,
# ten restarts, a soak of FAULTS_SOAK, 2m by default), under load; each
# logs its figures. The short ones run in make test.
FAULTS_SOAK ?= 2m
faults:
	cd tests && FAULTS_SOAK=$(FAULTS_SOAK) $(GO) test -tags faults -count=1 -v -timeout 30m -run 'TestFault' ./e2e/

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./decl/yaml/
	$(GO) test -run '^$$' -fuzz '^FuzzTag$$' -fuzztime $(FUZZTIME) ./decl/gotag/
	$(GO) test -run '^$$' -fuzz '^FuzzCursor$$' -fuzztime $(FUZZTIME) ./runtime/internal/sqlgen/
	$(GO) test -run '^$$' -fuzz '^FuzzRenumber$$' -fuzztime $(FUZZTIME) ./runtime/internal/sqlgen/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/nodeid/
	$(GO) test -run '^$$' -fuzz '^FuzzParseArray$$' -fuzztime $(FUZZTIME) ./internal/nodeid/
	$(GO) test -run '^$$' -fuzz '^FuzzFind$$' -fuzztime $(FUZZTIME) ./runtime/internal/markers/
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./runtime/internal/nonnull/
	$(GO) test -run '^$$' -fuzz '^FuzzReadJSON$$' -fuzztime $(FUZZTIME) ./runtime/internal/wire/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./runtime/internal/wsproto/
	$(GO) test -run '^$$' -fuzz '^FuzzFrames$$' -fuzztime $(FUZZTIME) ./runtime/internal/wsconn/
	$(GO) test -run '^$$' -fuzz '^FuzzIsSettingName$$' -fuzztime $(FUZZTIME) ./runtime/internal/pgexec/
	$(GO) test -run '^$$' -fuzz '^FuzzDocument$$' -fuzztime $(FUZZTIME) ./runtime/internal/document/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) ./auth/
	# Each fuzz worker starts its own PostgreSQL cluster: one worker.
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) -parallel 1 ./runtime/

# The forum example on a throwaway PostgreSQL: prints the URL, a development
# token and a curl command, reloads on every change; Ctrl-C stops it all.
DEMO_LISTEN ?= 127.0.0.1:8080
demo: build
	./bin/gqlplan dev examples/forum --listen $(DEMO_LISTEN) \
		--default-role forum_example_anonymous \
		--token '{"role":"forum_example_person","person_id":1}'

# examples/extend (seed 003): gqlplan with the example's Go resolvers, on a
# throwaway PostgreSQL. Set EXCHANGE_RATE_URL and SMTP_ADDR to use real
# services; unset, the rate is 1.5 and the welcome email is logged.
DEMO_EXTEND_LISTEN ?= 127.0.0.1:8081
demo-extend: $(GRAPHIQL)
	cd examples/extend && $(GO) build -o ../../bin/extend-server ./server
	./bin/extend-server dev examples/extend --listen $(DEMO_EXTEND_LISTEN) \
		--default-role extend_anonymous \
		--token '{"role":"extend_user","sub":1}'

# CI proof that `make demo` works on a fresh clone: start it, query it, stop it.
demo-check: build
	@bash .ci/demo-check

clean:
	rm -rf bin
