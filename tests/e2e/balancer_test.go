package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Two `gqlplan serve` processes of one database behind Debian's HAProxy,
// configured by deploy/haproxy.cfg: its addresses are the test's, and its
// health checks every 200 ms, so that the servers' --shutdown-delay of a
// second is well above the two failed checks that take one out.

// haproxyConfig is deploy/haproxy.cfg for the test's addresses.
func haproxyConfig(t *testing.T, listen string, servers [2]string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../deploy/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(data)
	for old, addr := range map[string]string{"bind :8080": "bind " + listen, "10.0.0.1:8080": servers[0], "10.0.0.2:8080": servers[1],
		"check inter 1s fall 2 rise 2": "check inter 200ms fall 2 rise 1"} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("deploy/haproxy.cfg has no %q", old)
		}
		cfg = strings.Replace(cfg, old, addr, 1)
	}
	return []byte(cfg)
}

// balanced is the two servers, their addresses and the balancer's URL.
type balanced struct {
	t                  *testing.T
	admin, login, plan string
	addrs              [2]string
	servers            [2]*server
	url                string
}

func startBalanced(t *testing.T) *balanced {
	t.Helper()
	b := &balanced{t: t}
	b.admin, b.login, b.plan = compileExample(t, "forum", "forum_example_gqlplan")
	b.addrs = [2]string{freeAddr(t), freeAddr(t)}
	listen := freeAddr(t)
	for i := range b.servers {
		b.start(i)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, haproxyConfig(t, listen, b.addrs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/sbin/haproxy", "-db", "-f", cfg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start haproxy (install Debian's haproxy package; .ci/run does): %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() { // which server the balancer took out, when, and why
			t.Logf("haproxy:\n%s", out.String())
		}
	})
	b.url = "http://" + listen + "/graphql"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if status, _, err := send(http.DefaultClient, b.url, "", `{ __typename }`, nil); err == nil && status == 200 {
			break
		}
		select {
		case <-exited:
			t.Fatalf("haproxy exited:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not answer:\n%s", out.String())
		}
	}
	return b
}

// start starts server i on its address and waits until it is ready, and
// then two health checks more, so the balancer sends it requests again.
func (b *balanced) start(i int) {
	b.t.Helper()
	b.servers[i] = serve(b.t, b.admin, b.login, b.plan, "--listen", b.addrs[i], "--default-role", "forum_example_anonymous", "--shutdown-delay", "1s")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + b.addrs[i] + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("server %d is not ready", i)
		}
	}
	time.Sleep(500 * time.Millisecond)
}

// stop stops server i with sig and waits for it to exit.
func (b *balanced) stop(i int, sig syscall.Signal) {
	b.t.Helper()
	s := b.servers[i]
	if err := s.cmd.Process.Signal(sig); err != nil {
		b.t.Fatal(err)
	}
	s.waitExit(b.t, 40*time.Second, sig.String())
	if sig == syscall.SIGTERM && s.err != nil {
		b.t.Errorf("server %d after SIGTERM: %v\n%s", i, s.err, s.log)
	}
}

// mixedLoad is 4 clients through the balancer: three reads, then a write of
// a post with a headline of its own, again and again.
type mixedLoad struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	acked map[string]bool // the headlines of the posts answered as created
	// failed are the answers that were not a success: their status, and
	// for a write its headline.
	failed []failure
	sent   atomic.Int64
}

type failure struct {
	status   int
	headline string // "" for a read
	body     string
}

func startMixedLoad(t *testing.T, client *http.Client, url, token string) *mixedLoad {
	l := &mixedLoad{stop: make(chan struct{}), acked: map[string]bool{}}
	for c := range 4 {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				l.sent.Add(1)
				if i%4 != 3 {
					status, body, err := send(client, url, token, `{ allPosts(limit: 3) { rowId headline } }`, nil)
					var read struct {
						Data struct{ AllPosts []post }
					}
					if err != nil || status != 200 || json.Unmarshal(body, &read) != nil || len(read.Data.AllPosts) != 3 {
						l.fail(failure{status: status, body: fmt.Sprint(string(body), err)})
					}
					continue
				}
				headline := fmt.Sprintf("balanced %d-%d", c, i)
				status, body, err := send(client, url, token, `mutation($h: String!) { createPost(authorId: 1, headline: $h, topic: DISCUSSION) { headline } }`, map[string]any{"h": headline})
				var wrote struct {
					Data struct{ CreatePost *post }
				}
				if err == nil && status == 200 && json.Unmarshal(body, &wrote) == nil && wrote.Data.CreatePost != nil && wrote.Data.CreatePost.Headline == headline {
					l.mu.Lock()
					l.acked[headline] = true
					l.mu.Unlock()
					continue
				}
				l.fail(failure{status: status, headline: headline, body: fmt.Sprint(string(body), err)})
			}
		})
	}
	return l
}

func (l *mixedLoad) fail(f failure) {
	l.mu.Lock()
	l.failed = append(l.failed, f)
	l.mu.Unlock()
}

func (l *mixedLoad) end() {
	close(l.stop)
	l.wg.Wait()
}

// checkWrites checks that every post answered as created is there once,
// and that a write whose answer failed left its post there once or not
// at all: none twice, none in part.
func (b *balanced) checkWrites(l *mixedLoad) {
	b.t.Helper()
	rows, err := connect(b.t, b.admin).Query(context.Background(), `SELECT headline, count(*), bool_and(author_id = 1 AND topic = 'discussion')
		FROM forum_example.post WHERE headline LIKE 'balanced %' GROUP BY headline`)
	if err != nil {
		b.t.Fatal(err)
	}
	present := map[string]bool{}
	for rows.Next() {
		var headline string
		var n int
		var whole bool
		if err := rows.Scan(&headline, &n, &whole); err != nil {
			b.t.Fatal(err)
		}
		if n != 1 || !whole {
			b.t.Errorf("post %q: %d rows, whole %v", headline, n, whole)
		}
		present[headline] = true
	}
	if err := rows.Err(); err != nil {
		b.t.Fatal(err)
	}
	unanswered := map[string]bool{}
	for _, f := range l.failed {
		unanswered[f.headline] = true
	}
	for headline := range l.acked {
		if !present[headline] {
			b.t.Errorf("post %q was answered as created and is not there", headline)
		}
	}
	for headline := range present {
		if !l.acked[headline] && !unanswered[headline] {
			b.t.Errorf("post %q is there, but no client wrote it", headline)
		}
	}
	if len(l.acked) == 0 {
		b.t.Error("no write was answered")
	}
}

// TestBalancedRollingRestart restarts each of two servers behind HAProxy
// in turn (SIGTERM, then start again) under 4 clients of reads and writes:
// no request fails, and every acknowledged write is there.
func TestBalancedRollingRestart(t *testing.T) {
	b := startBalanced(t)
	sara := authenticate(t, &server{url: b.url}, "sara@example.com", "password-sara")
	l := startMixedLoad(t, http.DefaultClient, b.url, sara) // connections kept alive
	for i := range b.servers {
		time.Sleep(300 * time.Millisecond)
		b.stop(i, syscall.SIGTERM)
		time.Sleep(300 * time.Millisecond) // the other serves alone
		b.start(i)
	}
	time.Sleep(300 * time.Millisecond)
	l.end()
	if len(l.failed) > 0 {
		t.Errorf("%d of %d requests failed, the first: %+v", len(l.failed), l.sent.Load(), l.failed[0])
	}
	b.checkWrites(l)
	t.Logf("%d requests, %d writes acknowledged", l.sent.Load(), len(l.acked))
}

// TestBalancedKill kills one of two servers behind HAProxy outright
// (SIGKILL) under 4 clients: only the requests it was answering fail,
// each with the balancer's 502 or 503, none written in part; started
// again, it serves with no failure.
func TestBalancedKill(t *testing.T) {
	b := startBalanced(t)
	sara := authenticate(t, &server{url: b.url}, "sara@example.com", "password-sara")
	// A connection per request: HAProxy answers a request whose server
	// died under it 502, but on a client connection it reused it closes
	// the connection instead, for the client to retry (Go's client
	// reports EOF, and retries no POST).
	oneShot := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	l := startMixedLoad(t, oneShot, b.url, sara)
	time.Sleep(500 * time.Millisecond)
	b.stop(0, syscall.SIGKILL)
	time.Sleep(500 * time.Millisecond)
	l.mu.Lock()
	killed := len(l.failed)
	l.mu.Unlock()
	b.start(0)
	time.Sleep(500 * time.Millisecond)
	l.end()
	if killed > 4 {
		t.Errorf("%d requests failed when one server was killed; at most the 4 in flight may", killed)
	}
	for _, f := range l.failed {
		if f.status != http.StatusBadGateway && f.status != http.StatusServiceUnavailable {
			t.Errorf("a request failed with %d, not the balancer's 502 or 503: %s", f.status, f.body)
		}
	}
	if len(l.failed) > killed {
		t.Errorf("%d requests failed after the killed server started again, the first: %+v", len(l.failed)-killed, l.failed[killed])
	}
	b.checkWrites(l)
	t.Logf("%d requests, %d failed with the kill, %d writes acknowledged", l.sent.Load(), killed, len(l.acked))
}
