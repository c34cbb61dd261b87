package extend_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gqlplan/gqlplan/extend"
)

// An id encoded and decoded is the same id; the forum walkthrough's post
// 37 is the id the server wrote for it.
func TestNodeIDRoundTrip(t *testing.T) {
	if got := extend.EncodeNodeID("Post", 37); got != "ZzFbIlBvc3QiLCAzN10" {
		t.Errorf("Post 37 is %s, want the server's ZzFbIlBvc3QiLCAzN10", got)
	}
	for _, id := range []extend.NodeID{
		{Type: "Post", Key: []any{json.Number("37")}},
		{Type: "Membership", Key: []any{"acme", json.Number("9007199254740993")}},
	} {
		got, err := extend.DecodeNodeID(id.String())
		if err != nil || !reflect.DeepEqual(got, id) {
			t.Errorf("%v: decoded %v, %v", id, got, err)
		}
	}
	for _, bad := range []string{"", "Post:37", "ZzFbXQ", extend.EncodeNodeID("Post")} {
		if id, err := extend.DecodeNodeID(bad); err == nil {
			t.Errorf("%q decoded as %v", bad, id)
		}
	}
}
