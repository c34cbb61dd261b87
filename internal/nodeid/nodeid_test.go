package nodeid

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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

// referenceArray is what parseArray must read from b: the JSON value a
// JSON decoder reads, when it is an array of a type name and scalar keys.
func referenceArray(b []byte) (string, []any, bool) {
	var v any
	err := strictJSON(b, &v)
	parts, ok := v.([]any)
	if err != nil || !ok || len(parts) < 1 {
		return "", nil, false
	}
	typeName, ok := parts[0].(string)
	if !ok {
		return "", nil, false
	}
	for _, k := range parts[1:] {
		switch k.(type) {
		case string, json.Number, bool:
		default:
			return "", nil, false
		}
	}
	return typeName, append([]any{}, parts[1:]...), true
}

var arraySeeds = []string{
	`["Post", 4242]`, `["Shelf", "hall", 2]`, ` [ "A" , -1.5e+3 , true , false ] `, `["A"]`, `[]`,
	`["A\u00e9\n\"", "\ud83d\ude00"]`, `["A", "\ud800"]`, `["A", 01]`, `["A", 1.]`, `["A", .5]`, `["A", -]`,
	`["A", truex]`, `["A", null]`, `["A", [1]]`, `["A", {"k": 1}]`, `["A", 1,]`, `["A" 1]`, `["A", 1] x`,
	"[\"A\", \"\x01\"]", "[\"A\xff\", 1]", `["A", "unterminated]`, `["A", "\x"]`, `"A"`, `[1, 1]`,
}

// parseArray reads exactly what a JSON decoder reads, on the seeds.
func TestParseArrayIsJSON(t *testing.T) {
	for _, seed := range arraySeeds {
		checkParseArray(t, []byte(seed))
	}
}

func FuzzParseArray(f *testing.F) {
	for _, seed := range arraySeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParseArray)
}

func checkParseArray(t *testing.T, b []byte) {
	typ, key, ok := parseArray(b)
	wantTyp, wantKey, wantOK := referenceArray(b)
	if ok != wantOK || ok && (typ != wantTyp || !reflect.DeepEqual(key, wantKey)) {
		t.Fatalf("%q: read %v %q %#v, a JSON decoder %v %q %#v", b, ok, typ, key, wantOK, wantTyp, wantKey)
	}
}

// strictJSON decodes b into v as a strict JSON decoder does: valid UTF-8
// and one value, numbers as json.Number.
func strictJSON(b []byte, v *any) error {
	if !jsontext.Value(b).IsValid() {
		return errors.New("not valid JSON")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
