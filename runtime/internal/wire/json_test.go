package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

func TestReadJSON(t *testing.T) {
	for _, c := range []struct {
		in   string
		want any
	}{
		{`{"query":"{ a }","variables":{"id":12345678901234567890,"f":-1.5e3,"s":"\u00e9\n","b":[true,false,null],"o":{}}}`,
			map[string]any{"query": "{ a }", "variables": map[string]any{"id": json.Number("12345678901234567890"), "f": json.Number("-1.5e3"), "s": "é\n", "b": []any{true, false, nil}, "o": map[string]any{}}}},
		{" [] \n", []any{}},
		{`"x"`, "x"},
		{`null`, nil},
	} {
		got, err := DecodeJSON([]byte(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", " ", "{", `{"a":1} {}`, `{"a":1}x`, `{"a":1,"a":1}`, "\"\xff\"", `[1,]`, `01`, `{"a" 1}`, `NaN`} {
		if v, err := DecodeJSON([]byte(in)); !errors.Is(err, ErrNotJSON) {
			t.Errorf("%q: %#v, %v; want ErrNotJSON", in, v, err)
		}
	}
}

// A reader's own error is not ErrNotJSON, and errors.As finds it: the
// transport answers a body over its limit 413, not 400.
func TestReadJSONReaderError(t *testing.T) {
	body := http.MaxBytesReader(nil, io.NopCloser(strings.NewReader(`{"query":"`+strings.Repeat("x", 100)+`"}`)), 50)
	_, err := ReadJSON(body)
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) || errors.Is(err, ErrNotJSON) {
		t.Fatalf("got %v, want the MaxBytesError", err)
	}
	// The pooled decoder that saw the error decodes the next value whole.
	if v, err := DecodeJSON([]byte(`{"a":[1]}`)); err != nil || !reflect.DeepEqual(v, map[string]any{"a": []any{json.Number("1")}}) {
		t.Fatalf("after an error: %#v, %v", v, err)
	}
}

// FuzzReadJSON holds ReadJSON to encoding/json (with UseNumber): it
// decodes what encoding/json decodes, to the same value, except that it
// refuses what RFC 8259 calls not interoperable (a name twice in an
// object, invalid UTF-8 or a lone surrogate, which encoding/json turns
// into U+FFFD), and it accepts nothing encoding/json refuses.
func FuzzReadJSON(f *testing.F) {
	for _, seed := range []string{`{"query":"{ a }","variables":{"id":1}}`, `[1,2.5e-3,"x",null,true,{"a":{}}]`, `{"a":1,"a":2}`, "\"\xff\"", ` {} x`, `"\ud800"`, `{"a":1}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ReadJSON(bytes.NewReader(in)) // a reader, not the bytes.Buffer path
		valid := json.Valid(in)
		var want any
		if valid {
			dec := json.NewDecoder(bytes.NewReader(in))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("%q: encoding/json: %v", in, err)
			}
		}
		switch {
		case err != nil && !errors.Is(err, ErrNotJSON):
			t.Fatalf("%q: %v is not ErrNotJSON", in, err)
		case err == nil && !valid:
			t.Fatalf("%q: accepted %#v; encoding/json refuses it", in, got)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("%q: %#v; encoding/json: %#v", in, got, want)
		case err != nil && valid && !onlyNotInteroperable(in):
			t.Fatalf("%q: refused (%v); encoding/json decodes %#v", in, err, want)
		}
	})
}

// onlyNotInteroperable reports whether in decodes once a name twice in an
// object and invalid UTF-8 are allowed: that those were why it was refused.
func onlyNotInteroperable(in []byte) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(in), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if _, err := readValue(dec); err != nil {
		return false
	}
	_, err := dec.ReadToken()
	return err == io.EOF
}
