package pgexec

import (
	"regexp"
	"testing"
)

// isSettingName is the loop form of this pattern; the test holds them to
// the same answers.
var settingNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

func TestIsSettingName(t *testing.T) {
	for _, name := range []string{
		"", "a", "_", "Z9", "person_id", "a$b", "$a", "9a", "x-role", "a.b", "https://x/claims", "é", "a b", "a\x00", "ab$", "A_Z_09$",
	} {
		if got, want := isSettingName(name), settingNamePattern.MatchString(name); got != want {
			t.Errorf("isSettingName(%q) = %v, the pattern says %v", name, got, want)
		}
	}
}

func FuzzIsSettingName(f *testing.F) {
	f.Add("person_id")
	f.Add("x-role")
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := isSettingName(name), settingNamePattern.MatchString(name); got != want {
			t.Errorf("isSettingName(%q) = %v, the pattern says %v", name, got, want)
		}
	})
}
