package spec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Sentinel errors of [Decode]; the returned error wraps one of them and
// says what to do.
var (
	ErrUnknownFormat = errors.New("unknown plan format")
	ErrHashMismatch  = errors.New("plan hash mismatch")
	ErrInvalidPlan   = errors.New("invalid plan")
)

// Encode sets p.Hash and returns the plan's canonical bytes: indented JSON
// in struct field order, HTML characters unescaped, one trailing newline.
// Slices are written in the order they have; the compiler sorts them. The
// hash covers the compact encoding with Hash empty, so whitespace is not
// part of what it protects and hashing costs one cheap extra encoding.
func Encode(p *Plan) ([]byte, error) {
	p.Hash = ""
	body, err := marshal(p, false)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	p.Hash = hashOf(body)
	return marshal(p, true)
}

func marshal(p *Plan, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func hashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Decode parses a plan and verifies its format version and hash. A plan
// edited by hand, truncated, or written by an incompatible gqlplan is
// refused: the fix is always to compile the declarations again.
func Decode(data []byte) (*Plan, error) {
	var head struct {
		Format *int `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: not a JSON plan (%v); compile one with \"gqlplan compile\"", ErrInvalidPlan, err)
	}
	if head.Format == nil {
		return nil, fmt.Errorf("%w: no \"format\" field; compile one with \"gqlplan compile\"", ErrInvalidPlan)
	}
	if *head.Format != FormatVersion {
		return nil, fmt.Errorf("%w %d: this gqlplan reads format %d; recompile the declarations with this version of gqlplan", ErrUnknownFormat, *head.Format, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v; recompile the declarations", ErrInvalidPlan, err)
	}
	want := p.Hash
	p.Hash = ""
	body, err := marshal(&p, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPlan, err)
	}
	p.Hash = want
	if got := hashOf(body); got != want {
		return nil, fmt.Errorf("%w: the plan says %s but its content hashes to %s; it was edited or damaged after compiling — recompile it with \"gqlplan compile\"", ErrHashMismatch, want, got)
	}
	return &p, nil
}
