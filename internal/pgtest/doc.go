// Package pgtest gives tests a real PostgreSQL: a throwaway cluster started
// from the system's server binaries, or the server GQLPLAN_TEST_DATABASE_URL
// points at, with one fresh database per test.
//
// A package that uses it calls [Main] from TestMain, so the cluster is
// stopped and its files removed when the tests end, and each test calls
// [Database] for a connection string of its own. The cluster starts on first
// use, listens only on a Unix socket in its temporary directory (no port to
// collide with), and runs with durability off, since its data is discarded.
//
// initdb refuses to run as root, so when the tests run as root the server
// runs as the "postgres" user (or GQLPLAN_TEST_PG_USER). The server is
// started with a parent-death signal, so even a test binary killed outright
// leaves no server running. Roles are cluster-wide: tests that create roles
// must name them per test.
package pgtest
