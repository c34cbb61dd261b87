package markers

import (
	"encoding/json"
	"testing"
)

// Markers are found at any depth and replaced in order; the rest of the
// document, spacing and escapes included, is kept byte for byte, and a
// string that looks like a marker is not one.
func TestFindAndReplace(t *testing.T) {
	doc := `{"a" : [{"id" : 1, "p" : {"$r" : 0, "v" : {"cents" : 100}}}, {"id" : 2, "p" : {"$r" : 0, "v" : {"cents" : 250}}}], "s" : "{\"$r\": 9}", "q" : {"$r" : 1, "v" : {}}}`
	found, err := Find([]byte(doc))
	if err != nil || len(found) != 3 {
		t.Fatalf("found %v, %v", found, err)
	}
	if found[0].Slot != 0 || found[1].Requires["cents"] != json.Number("250") || found[2].Slot != 1 {
		t.Errorf("markers %+v", found)
	}
	got, err := Replace([]byte(doc), []json.RawMessage{[]byte("150"), []byte("375"), []byte(`"x"`)})
	want := `{"a" : [{"id" : 1, "p" : 150}, {"id" : 2, "p" : 375}], "s" : "{\"$r\": 9}", "q" : "x"}`
	if err != nil || string(got) != want {
		t.Errorf("replaced:\n%s %v\nwant\n%s", got, err, want)
	}
	if _, err := Replace([]byte(doc), nil); err == nil {
		t.Error("too few values accepted")
	}
	for _, bad := range []string{`{"a": `, `[1, 2`, `{"a" 1}`, `"open`} {
		if _, err := Find([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func FuzzFind(f *testing.F) {
	f.Add(`{"a" : [{"$r" : 0, "v" : {"c" : 1}}, null, true, 1.5e3, "s\"x"]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		found, err := Find([]byte(doc))
		if err != nil {
			return
		}
		values := make([]json.RawMessage, len(found))
		for i := range values {
			values[i] = json.RawMessage("0")
		}
		if _, err := Replace([]byte(doc), values); err != nil {
			t.Fatalf("found %d markers, but replacing them failed: %v", len(found), err)
		}
	})
}
