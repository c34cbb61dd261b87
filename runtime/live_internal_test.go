package runtime

import "testing"

// A notified change wakes the groups that read its table, and those whose
// tables are unknown; a reconnection wakes all. A group already woken is
// not woken twice.
func TestChangesWakeTheGroupsOfTheirTables(t *testing.T) {
	posts := &liveGroup{tables: map[string]bool{"shop.post": true, "shop.person": true}, wake: make(chan struct{}, 1)}
	events := &liveGroup{tables: map[string]bool{"shop.event": true}, wake: make(chan struct{}, 1)}
	unknown := &liveGroup{wake: make(chan struct{}, 1)}
	l := &liveGroups{groups: map[[32]byte]*liveGroup{{1}: posts, {2}: events, {3}: unknown}}
	woken := func() (names []string) {
		for name, g := range map[string]*liveGroup{"posts": posts, "events": events, "unknown": unknown} {
			select {
			case <-g.wake:
				names = append(names, name)
			default:
			}
		}
		return names
	}
	for _, c := range []struct {
		change func()
		want   map[string]bool
	}{
		{func() { l.Changed("shop.person") }, map[string]bool{"posts": true, "unknown": true}},
		{func() { l.Changed("shop.event"); l.Changed("shop.event") }, map[string]bool{"events": true, "unknown": true}},
		{func() { l.Changed("other.post") }, map[string]bool{"unknown": true}},
		{func() { l.Missed() }, map[string]bool{"posts": true, "events": true, "unknown": true}},
	} {
		before := l.changes.Load()
		c.change()
		got := woken()
		if len(got) != len(c.want) {
			t.Errorf("woken %v, want %v", got, c.want)
		}
		for _, name := range got {
			if !c.want[name] {
				t.Errorf("woken %v, want %v", got, c.want)
			}
		}
		if l.changes.Load() == before {
			t.Error("the count of changes did not move")
		}
	}
}
