package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server in a temporary directory.
type Cluster struct {
	dir      string // temporary directory holding data, socket and log
	bin      string // the server binaries' directory
	data     string
	sock     string
	cred     *syscall.Credential
	settings []string // -c name=value after the defaults
	adminDSN string

	mu   sync.Mutex // guards proc, which Halt and Resume replace
	proc *process
}

// process is one run of the postmaster.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when it has exited
}

// startTimeout bounds initdb plus server start-up.
const startTimeout = 60 * time.Second

// StartCluster runs initdb in a new temporary directory and starts a server
// on a Unix socket inside it. Call Stop to shut it down and remove the files.
//
// The server trades durability for speed (no fsync, asynchronous commit):
// a crash may lose the last commits. settings ("name=value") are given
// after those, and win: synchronous_commit=on for a test that crashes the
// server and counts commits.
func StartCluster(ctx context.Context, settings ...string) (_ *Cluster, err error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, data, sock, err := makeDirs("gqlplan-pg-", cred)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgcluster: initdb: %w\n%s", err, out)
	}

	c := &Cluster{
		dir: dir, bin: bin, cred: cred, data: data, sock: sock, settings: settings,
		adminDSN: fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", sock),
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// StartStandby makes a streaming replica of c (pg_basebackup -R: a copy
// of its data that follows its write-ahead log) in a new temporary
// directory, and starts it with settings after the defaults:
// recovery_min_apply_delay=2s for a replica that lags. Call Stop to shut
// it down and remove its files.
func (c *Cluster) StartStandby(ctx context.Context, settings ...string) (_ *Cluster, err error) {
	dir, data, sock, err := makeDirs("gqlplan-pg-standby-", c.cred)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	backup := exec.CommandContext(ctx, c.Bin("pg_basebackup"), "-D", data, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
		"-h", c.sock, "-p", "5432", "-U", "postgres")
	backup.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := backup.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgcluster: pg_basebackup: %w\n%s", err, out)
	}
	s := &Cluster{
		dir: dir, bin: c.bin, cred: c.cred, data: data, sock: sock, settings: settings,
		adminDSN: fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", sock),
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs postgres on the cluster's data and waits until it accepts
// connections.
func (c *Cluster) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	logFile, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	args := []string{"-D", c.data, "-k", c.sock, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB"}
	for _, s := range c.settings {
		args = append(args, "-c", s)
	}
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// SIGQUIT is PostgreSQL's immediate shutdown: if the test binary dies,
	// the server goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	c.mu.Lock()
	c.proc = p
	c.mu.Unlock()
	if err := c.waitReady(ctx); err != nil {
		c.kill()
		return fmt.Errorf("pgcluster: postgres did not start: %w\n%s", err, c.logTail())
	}
	return nil
}

// Halt stops the server without removing anything: a fast shutdown
// (sessions are disconnected, their transactions rolled back) or an
// immediate one (every process killed at once, as in a crash; the next
// start recovers from the WAL). [Cluster.Resume] starts it again on the
// same data and socket.
func (c *Cluster) Halt(immediate bool) error {
	p := c.process()
	sig := syscall.SIGINT
	if immediate {
		sig = syscall.SIGQUIT
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return nil
	case <-time.After(30 * time.Second):
		c.kill()
		return errors.New("pgcluster: the server did not stop within 30s; killed")
	}
}

// Resume starts a halted server again.
func (c *Cluster) Resume(ctx context.Context) error { return c.start(ctx) }

// AdminDSN is a connection string for the cluster's superuser.
func (c *Cluster) AdminDSN() string { return c.adminDSN }

// Bin is the path of one of the PostgreSQL programs the cluster runs with
// (pgbench, psql, …), of the server's version.
func (c *Cluster) Bin(name string) string { return filepath.Join(c.bin, name) }

// PID is the server's process id.
func (c *Cluster) PID() int { return c.process().cmd.Process.Pid }

// Dir is the temporary directory the cluster lives in.
func (c *Cluster) Dir() string { return c.dir }

func (c *Cluster) waitReady(ctx context.Context) error {
	for {
		conn, err := pgx.Connect(ctx, c.adminDSN)
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.process().exited:
			return errors.New("the server exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (fast shutdown: sessions are disconnected)
// and removes the cluster's files.
func (c *Cluster) Stop() error {
	p := c.process()
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		c.kill()
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("pgcluster: remove cluster: %w", err)
	}
	return nil
}

func (c *Cluster) kill() {
	p := c.process()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) // the server and its children
	<-p.exited
}

// process is the server's current process.
func (c *Cluster) process() *process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc
}

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// findBinDir locates initdb and postgres: GQLPLAN_PG_BIN, then PATH, then
// the newest /usr/lib/postgresql/<version>/bin (Debian's layout).
func findBinDir() (string, error) {
	if dir := os.Getenv("GQLPLAN_PG_BIN"); dir != "" {
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgcluster: no PostgreSQL server binaries found (install the postgresql package, set GQLPLAN_PG_BIN, or set GQLPLAN_TEST_DATABASE_URL)")
}

func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// serverCredential returns the user to run the server as: nil (ourselves)
// unless we are root, which initdb and postgres refuse to run as.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	name := os.Getenv("GQLPLAN_TEST_PG_USER")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, so the server must run as another user, but %w (create it or set GQLPLAN_TEST_PG_USER)", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// makeDirs makes a temporary directory (its name starting with prefix)
// holding a cluster's data and socket directories, the server's own.
func makeDirs(prefix string, cred *syscall.Credential) (dir, data, sock string, err error) {
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", "", fmt.Errorf("pgcluster: %w", err)
	}
	data, sock = filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	if err := prepareDirs(dir, cred, data, sock); err != nil {
		os.RemoveAll(dir)
		return "", "", "", err
	}
	return dir, data, sock, nil
}

func prepareDirs(dir string, cred *syscall.Credential, data, sock string) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if cred != nil {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("pgcluster: %w", err)
			}
		}
	}
	// The socket directory must be reachable by the (root) test process
	// and the server alike.
	return os.Chmod(sock, 0o755)
}
