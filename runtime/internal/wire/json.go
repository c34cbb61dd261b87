package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// ErrNotJSON is the error of input that is not one JSON value (RFC 8259:
// valid UTF-8, no duplicate names in an object, nothing but white space
// after the value). A body that is not JSON gets it; an error of the
// reader itself does not.
var ErrNotJSON = errors.New("not valid JSON")

// DecodeJSON decodes the one JSON value data holds, as [ReadJSON] does.
func DecodeJSON(data []byte) (any, error) {
	return ReadJSON(bytes.NewBuffer(data)) // jsontext reads a bytes.Buffer without a copy
}

// ReadJSON decodes the one JSON value r holds, keeping numbers exact
// (json.Number): objects as map[string]any, arrays as []any, strings,
// bools and nil. Input that is not JSON is [ErrNotJSON]; an error of r
// itself (a body over its limit, a connection lost) is returned as is,
// wrapped, where [errors.As] finds it.
//
// The tokens come from a jsontext decoder kept between calls (the
// decoder behind encoding/json/v2): its buffer and state were most of
// the cost of decoding a request body with encoding/json, a decoder
// allocated per request.
func ReadJSON(r io.Reader) (any, error) {
	dec := decoders.Get().(*jsontext.Decoder)
	defer func() {
		dec.Reset(emptyReader{}) // keep no reference to r or its bytes
		decoders.Put(dec)
	}()
	dec.Reset(r)
	v, err := readValue(dec)
	if err == nil {
		if _, err = dec.ReadToken(); err == io.EOF {
			return v, nil
		} else if err == nil {
			err = &jsontext.SyntacticError{Err: errors.New("data after the JSON value")}
		}
	}
	return nil, notJSON(err)
}

// decoders keep their read buffers: one grown by a large body is held
// until the pool drops it, within two garbage collections.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(emptyReader{}) }}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

// notJSON wraps the error of decoding in ErrNotJSON when the input is at
// fault: a syntax error (jsontext's, or ended early), or no value at all.
func notJSON(err error) error {
	var syntax *jsontext.SyntacticError
	if errors.As(err, &syntax) || err == io.EOF {
		return fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return err
}

// readValue reads the next value of dec.
func readValue(dec *jsontext.Decoder) (any, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil // String is a number's text
	case '{':
		obj := map[string]any{}
		for dec.PeekKind() != '}' {
			name, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			key := name.String() // before the next read voids name
			if obj[key], err = readValue(dec); err != nil {
				return nil, err
			}
		}
		_, err := dec.ReadToken()
		return obj, err
	case '[':
		arr := []any{}
		for dec.PeekKind() != ']' {
			v, err := readValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.ReadToken()
		return arr, err
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}
