package nodeid

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRoundTrip(t *testing.T) {
	for _, key := range [][]any{{json.Number("1")}, {"a/b+c", json.Number("12345678901234567890")}, {"ünïcode <&>"}, {true}} {
		id := Encode("Person", key...)
		if strings.ContainsAny(id, "+/=") {
			t.Errorf("%v: id %q is not URL-safe", key, id)
		}
		typ, got, err := Decode(id)
		if err != nil || typ != "Person" || !reflect.DeepEqual(got, key) {
			t.Errorf("%v: decoded %q %v %v", key, typ, got, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	for _, id := range []string{"", "1", "Zm9v", Encode("Person"), "g1" + Encode("X", 1),
		"ZzFbIlBlcnNvbiIsIG51bGxd",     // g1["Person", null]
		"ZzFbMSwgMV0",                  // g1[1, 1]
		"ZzFbIlBlcnNvbiIsIDFdIHRyYWls", // trailing data
		strings.Repeat("A", MaxLength+1)} {
		if typ, key, err := Decode(id); err == nil {
			t.Errorf("%q decoded as %q %v", id, typ, key)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode("Person", 1))
	f.Add(Encode("Shelf", "a", 2))
	f.Add("ZzFbIlBlcnNvbiIsIG51bGxd")
	f.Fuzz(func(t *testing.T, id string) {
		typ, key, err := Decode(id)
		if err != nil {
			return
		}
		if typ == "" || len(key) == 0 || !utf8.ValidString(typ) {
			t.Fatalf("%q: decoded %q %v", id, typ, key)
		}
		// What decodes encodes to an id that decodes the same.
		again, key2, err := Decode(Encode(typ, key...))
		if err != nil || again != typ || !reflect.DeepEqual(key, key2) {
			t.Fatalf("%q: %q %v does not round-trip: %q %v %v", id, typ, key, again, key2, err)
		}
	})
}
