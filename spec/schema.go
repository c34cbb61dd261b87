package spec

import _ "embed"

// DeclarationSchema is the JSON Schema (draft 2020-12) of a YAML
// declaration file, format version 1, for editors' YAML language servers.
//
//go:embed schema/declarations.v1.json
var DeclarationSchema []byte

// PlanSchema is the JSON Schema (draft 2020-12) of a plan, format version 1.
//
//go:embed schema/plan.v1.json
var PlanSchema []byte
