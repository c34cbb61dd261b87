package pgtest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
)

// EnvDatabaseURL names a server to use instead of starting a cluster. Its
// user must be allowed to create databases.
const EnvDatabaseURL = "GQLPLAN_TEST_DATABASE_URL"

var (
	mainCalled atomic.Bool
	startOnce  sync.Once
	shared     *pgcluster.Cluster
	adminDSN   string
	startErr   error
	dbCounter  atomic.Int64
)

// Main runs the package's tests and then stops the shared cluster, if one
// was started. Use it as TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is [Main] for a TestMain with work of its own after the tests: it
// runs them, stops the shared cluster and returns the exit code.
func Run(m *testing.M) int {
	mainCalled.Store(true)
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = max(code, 1)
		}
	}
	return code
}

// Database creates a fresh, empty database for the test and returns its
// connection string; the database is dropped when the test ends. The test
// fails (it is never skipped) when no server can be had.
func Database(t testing.TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain so the cluster is stopped after the tests")
	}
	startOnce.Do(func() {
		if url := os.Getenv(EnvDatabaseURL); url != "" {
			adminDSN = url
			return
		}
		shared, startErr = pgcluster.StartCluster(context.Background())
		if startErr == nil {
			adminDSN = shared.AdminDSN()
		}
	})
	if startErr != nil {
		t.Fatal(startErr)
	}
	name := databaseName(t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	dsn, err := pgcluster.WithDatabase(adminDSN, name)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvDatabaseURL, err)
	}
	return dsn
}

// admin runs one statement as the administrative user.
func admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName derives a readable, unique name from the test name, within
// PostgreSQL's 63-byte limit.
func databaseName(test string) string {
	base := unsafeChars.ReplaceAllString(strings.ToLower(test), "_")
	suffix := fmt.Sprintf("_%d_%d", os.Getpid(), dbCounter.Add(1))
	if len(base) > 63-len(suffix)-2 {
		base = base[:63-len(suffix)-2]
	}
	return "t_" + base + suffix
}

// WithUser returns dsn connecting as user (see [pgcluster.WithUser]).
func WithUser(dsn, user string) (string, error) { return pgcluster.WithUser(dsn, user) }

// quoteIdent quotes a database name built by this package.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
