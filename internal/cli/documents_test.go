package cli

import (
	"testing"
)

// FuzzReadManifest: whatever a --documents JSON file holds, reading it
// gives documents or one diagnostic at a place in the file, never a
// panic.
func FuzzReadManifest(f *testing.F) {
	f.Add(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"A","type":"query","body":"{ a }"}]}`)
	f.Add(`{"abc":"query A { a }","def":"{ b }"}`)
	f.Add(`{"format":"other"}`)
	f.Add(`[1, 2]`)
	f.Add(`{"x": {"y": 1}}`)
	f.Fuzz(func(t *testing.T, data string) {
		docs, diag := readManifest("m.json", []byte(data))
		switch {
		case diag != nil && docs != nil:
			t.Fatalf("both documents and a diagnostic: %v", diag)
		case diag != nil && (diag.Range.Start.Line < 1 || diag.Code != "document-manifest"):
			t.Fatalf("a diagnostic with no place or another code: %+v", diag)
		}
		for _, d := range docs {
			if d.file != "m.json" || d.at.Line < 1 || !d.manifest {
				t.Fatalf("a document with no place: %+v", d)
			}
		}
	})
}
