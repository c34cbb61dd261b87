package e2e

import (
	"strings"
	"syscall"
	"testing"
)

// TestHangupReloadsRoleSettings: SIGHUP to gqlplan serve reloads the
// roles' settings (ALTER ROLE … SET), which it keeps between requests;
// the server serves on.
func TestHangupReloadsRoleSettings(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	waitFor(t, "the reload listener to start", func() bool { return strings.Contains(s.log.String(), "on=\"listening again\"") })
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool { return strings.Contains(s.log.String(), "on=SIGHUP") })
	if r := s.post(t, "", `{ allPosts(limit: 1) { rowId } }`, nil); len(r.Errors) > 0 {
		t.Errorf("after SIGHUP: %+v", r.Errors)
	}
}
