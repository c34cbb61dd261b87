package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PgBouncer is the system's pgbouncer (Debian's package) in front of a
// server, in transaction mode: a client's server connection is its own
// only for a transaction, then another client's.
type PgBouncer struct {
	dir    string
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// PgBouncerBin is where Debian installs pgbouncer.
const PgBouncerBin = "/usr/sbin/pgbouncer"

// StartPgBouncer starts pgbouncer on a free loopback port, pooling the
// connections of users (trusted, as the cluster trusts them) to every
// database of the server upstream (a connection string) in transaction
// mode, with at most poolSize server connections per database and user.
// It runs as the cluster's server does (pgbouncer, like postgres, refuses
// root); Stop ends it. After a failed server login it tries again within
// a second (server_login_retry; its default, 15 s, refuses every client
// needing a new server connection that long after a restart of the
// server, longer than gqlplan's retries last).
func StartPgBouncer(ctx context.Context, upstream string, users []string, poolSize int) (_ *PgBouncer, err error) {
	up, err := pgconn.ParseConfig(upstream)
	if err != nil {
		return nil, errors.New("pgcluster: the upstream connection string is not valid")
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gqlplan-pgbouncer-")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var auth strings.Builder
	for _, u := range users {
		fmt.Fprintf(&auth, "%q \"\"\n", u)
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%d

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
server_login_retry = 1
logfile = %s
pidfile = %s
`, up.Host, up.Port, port, filepath.Join(dir, "users.txt"), poolSize, filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	for name, text := range map[string]string{"users.txt": auth.String(), "pgbouncer.ini": ini} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	cmd := exec.Command(PgBouncerBin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGTERM, Setpgid: true}
	out, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgcluster: start pgbouncer (install Debian's pgbouncer package): %w", err)
	}
	b := &PgBouncer{dir: dir, port: port, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(b.exited) }()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		conn, err := net.Dial("tcp", b.Addr())
		if err == nil {
			conn.Close()
			return b, nil
		}
		select {
		case <-b.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			return nil, fmt.Errorf("pgcluster: pgbouncer exited: %s", log)
		case <-ctx.Done():
			b.Stop()
			return nil, fmt.Errorf("pgcluster: pgbouncer did not start: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Addr is where it listens.
func (b *PgBouncer) Addr() string { return fmt.Sprintf("127.0.0.1:%d", b.port) }

// URL is dsn through it, in dsn's syntax (URL or keyword/value).
func (b *PgBouncer) URL(dsn string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Host = b.Addr()
		q := u.Query()
		q.Del("host")
		q.Del("port")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s host=127.0.0.1 port=%d", dsn, b.port), nil // a later keyword overrides an earlier one
}

// Log is what it logged.
func (b *PgBouncer) Log() string {
	data, _ := os.ReadFile(filepath.Join(b.dir, "pgbouncer.log"))
	return string(data)
}

// Stop ends it at once and removes its files.
func (b *PgBouncer) Stop() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.exited
	}
	os.RemoveAll(b.dir)
}

// freePort is a loopback port nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
