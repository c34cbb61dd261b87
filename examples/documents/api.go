// Package documents is the documents API of seed 002, declared in Go:
// documents owned by users within tenants, every operation bound to a view
// or a function, the caller's identity taken from the verified JWT only
// ("sub" and "tenant_id", injected). examples/parity/documents/api.yaml is
// the same API in YAML; both compile to the same plan, byte for byte
// (tests/gotag_test.go checks it).
//
//gqlplan:schema app
//gqlplan:roles documents_gqlplan
package documents

import "time"

// UUID and BigInt are gqlplan scalars: a Go type named after a scalar is
// that scalar.
type (
	UUID   string
	BigInt string
)

//gqlplan:type
type Document struct {
	ID    UUID
	Title string
	// When it was created
	CreatedAt time.Time
}

//gqlplan:type
type Order struct {
	ID     UUID
	Number string
	// The total in cents, as a string.
	TotalCents BigInt
	Status     OrderStatus
	PlacedAt   time.Time
}

//gqlplan:enum sql_type=order_status
type OrderStatus string

const (
	OrderOpen     OrderStatus = "open"
	OrderPaid     OrderStatus = "paid"
	OrderCanceled OrderStatus = "canceled"
)

type Query struct {
	// The caller's documents, newest first.
	MyDocuments []Document `sql_source:"v_documents" shape:"jsonb" inject:"owner_id=jwt:sub" order_by:"created_at desc, id"`
	// One of the caller's documents.
	Document func(id UUID) *Document `sql_source:"v_documents" shape:"jsonb" filter:"id" inject:"owner_id=jwt:sub"`
	// The orders of the caller's tenant.
	Orders func(status *OrderStatus) []Order `sql_source:"v_orders" shape:"jsonb" filter:"status" inject:"tenant_id=jwt:tenant_id" order_by:"placed_at desc, id" limit:"default=50, max=500"`
}

type Mutation struct {
	// Creates a document owned by the caller.
	CreateDocument func(title string) *Document `sql_source:"fn_create_document" shape:"jsonb" inject:"created_by=jwt:sub" rls_bypass:"it inserts one document owned by the injected sub"`
	// Renames one of the caller's documents; null when there is no such document of theirs.
	RenameDocument func(id UUID, title string) *Document `sql_source:"fn_rename_document" shape:"jsonb" inject:"owner_id=jwt:sub" rls_bypass:"it updates only a document whose owner is the injected sub"`
	// Deletes one of the caller's documents and returns it; null when there is no such document of theirs.
	DeleteDocument func(id UUID) *Document `sql_source:"fn_delete_document" shape:"jsonb" inject:"owner_id=jwt:sub" rls_bypass:"it deletes only a document whose owner is the injected sub"`
	// Sets the status of one of the caller's tenant's orders; null when the tenant has no such order.
	SetOrderStatus func(id UUID, status OrderStatus) *Order `sql_source:"fn_set_order_status" shape:"jsonb" inject:"tenant_id=jwt:tenant_id" rls_bypass:"it updates only an order of the injected tenant_id"`
}
