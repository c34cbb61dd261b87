package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoLargeFilesTracked keeps build output out of the repository: a
// binary committed by mistake (a 24 MB gqlplan once sat at the root)
// grows every clone for good. Test data may be large on purpose.
func TestNoLargeFilesTracked(t *testing.T) {
	const limit = 1 << 20
	out, err := exec.Command("git", "-C", "..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err) // a source tarball: nothing is tracked
	}
	for _, path := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if path == "" || strings.Contains("/"+path, "/testdata/") {
			continue
		}
		info, err := os.Stat("../" + path)
		if err != nil {
			continue // deleted in the work tree
		}
		if info.Size() > limit {
			t.Errorf("%s is tracked and %d bytes, over 1 MB: remove it (git rm --cached) and ignore it", path, info.Size())
		}
	}
}
