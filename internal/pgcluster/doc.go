// Package pgcluster starts a throwaway PostgreSQL cluster from the
// system's server binaries: for tests (internal/pgtest) and for gqlplan
// dev. It listens only on a Unix socket in its temporary directory (no port
// to collide with) and runs with durability off, since its data is
// discarded. initdb refuses to run as root, so when run as root the server
// runs as the "postgres" user (or GQLPLAN_TEST_PG_USER); it is started with
// a parent-death signal, so even a process killed outright leaves no server
// running.
package pgcluster
