package pgtest

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
)

func TestMain(m *testing.M) { Main(m) }

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestDatabasesAreRealAndIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := connect(t, Database(t)), connect(t, Database(t))

	var version string
	if err := a.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if len(version) < 10 || version[:10] != "PostgreSQL" {
		t.Fatalf("version() = %q, want a PostgreSQL server", version)
	}
	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (id int); INSERT INTO only_in_a VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.QueryRow(ctx, "SELECT count(*) FROM only_in_a").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count in a = %d, %v; want 1", n, err)
	}
	var exists bool
	if err := b.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatal("a table created in one test database is visible in another")
	}
}

func TestDatabaseIsDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		conn := connect(t, Database(t))
		if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		conn.Close(context.Background()) // WITH (FORCE) would also end it; be polite
	})
	if name == "" {
		t.Fatal("inner test did not report its database")
	}
	conn := connect(t, adminDSN)
	var exists bool
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func TestStopLeavesNothingBehind(t *testing.T) {
	if os.Getenv(EnvDatabaseURL) != "" {
		t.Skip("this machine uses " + EnvDatabaseURL + " instead of local server binaries")
	}
	c, err := pgcluster.StartCluster(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, c.AdminDSN())
	var one int
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	pid, dir := c.PID(), c.Dir()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("server process %d still exists after Stop (kill -0: %v)", pid, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cluster directory %s still exists after Stop (%v)", dir, err)
	}
}

func TestDatabaseNameIsSafeAndBounded(t *testing.T) {
	long := "TestSomething/with spaces and \"quotes\"/" + string(make([]byte, 100))
	got := databaseName(long)
	if len(got) > 63 {
		t.Fatalf("databaseName length %d > 63: %q", len(got), got)
	}
	for _, r := range got {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			t.Fatalf("databaseName %q has unsafe character %q", got, r)
		}
	}
	if databaseName("x") == databaseName("x") {
		t.Fatal("databaseName returned the same name twice")
	}
}
