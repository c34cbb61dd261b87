package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The seed's rows (examples/documents/seed.sql).
const (
	aliceDoc    = "00000000-0000-4000-8000-0000000000a1"
	bobDoc      = "00000000-0000-4000-8000-0000000000b1"
	carolDoc    = "00000000-0000-4000-8000-0000000000c1"
	acmeOrder   = "00000000-0000-4000-8000-000000000001"
	globexOrder = "00000000-0000-4000-8000-000000000005"
)

type document struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type order struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Status string `json:"status"`
}

func userToken(t *testing.T, sub, tenant string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "tenant_id": tenant, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDocumentsTenantIsolation runs the documents example (seed 002,
// declared in Go) over HTTP against the gqlplan binary: two tenants and
// three users, each seeing and changing only their own documents and their
// tenant's orders, whatever query or variables they send.
func TestDocumentsTenantIsolation(t *testing.T) {
	s := startExample(t, "documents", "documents_gqlplan")
	alice, bob, carol := userToken(t, "alice", "acme"), userToken(t, "bob", "acme"), userToken(t, "carol", "globex")
	rows := func() string {
		return s.digest(t, "SELECT id, tenant_id, owner_id, title FROM app.tb_document UNION ALL SELECT id, tenant_id, number, status::text FROM app.tb_order")
	}
	titles := func(token string) []string {
		var docs []document
		s.post(t, token, `{ myDocuments { title } }`, nil).field(t, "myDocuments", &docs)
		var out []string
		for _, d := range docs {
			out = append(out, d.Title)
		}
		return out
	}
	numbers := func(token, status string) []string {
		var orders []order
		vars := map[string]any{}
		if status != "" {
			vars["status"] = status
		}
		s.post(t, token, `query($status: OrderStatus) { orders(status: $status) { number } }`, vars).field(t, "orders", &orders)
		var out []string
		for _, o := range orders {
			out = append(out, o.Number)
		}
		return out
	}

	// Each user reads their own documents, each tenant its own orders.
	for _, c := range []struct {
		who, token string
		docs       []string
	}{
		{"alice", alice, []string{"Offsite agenda", "Hiring notes", "Quarterly plan"}},
		{"bob", bob, []string{"Bob's private notes", "Supplier contract draft"}},
		{"carol", carol, []string{"Board minutes", "Globex roadmap"}},
	} {
		if got := titles(c.token); !slices.Equal(got, c.docs) {
			t.Errorf("myDocuments as %s: %q, want %q", c.who, got, c.docs)
		}
	}
	if got := numbers(alice, ""); !slices.Equal(got, []string{"A-1004", "A-1003", "A-1002", "A-1001"}) {
		t.Errorf("orders as alice: %q", got)
	}
	if got, bobs := numbers(bob, ""), numbers(alice, ""); !slices.Equal(got, bobs) {
		t.Errorf("orders as bob (same tenant as alice): %q, alice sees %q", got, bobs)
	}
	if got := numbers(carol, "OPEN"); !slices.Equal(got, []string{"G-5003", "G-5001"}) {
		t.Errorf("open orders as carol: %q", got)
	}

	// No way to reach another's rows: by id, by a would-be override of the
	// injected column (argument or variable), by aliases.
	before := rows()
	for _, c := range []struct {
		name, query string
		variables   map[string]any
		codes       []string
	}{
		{"another user's document by id", `query($id: UUID!) { document(id: $id) { title } }`, map[string]any{"id": bobDoc}, nil},
		{"another tenant's document by id", `query($id: UUID!) { document(id: $id) { title } }`, map[string]any{"id": carolDoc}, nil},
		{"owner as an argument", `{ myDocuments(owner_id: "bob") { title } }`, nil, []string{"GRAPHQL_VALIDATION_FAILED"}},
		{"owner as a camelCase argument", `{ myDocuments(ownerId: "bob") { title } }`, nil, []string{"GRAPHQL_VALIDATION_FAILED"}},
		{"tenant as an argument", `{ orders(tenant_id: "globex") { number } }`, nil, []string{"GRAPHQL_VALIDATION_FAILED"}},
		{"extra variables", `query($id: UUID!) { document(id: $id) { title } }`, map[string]any{"id": bobDoc, "owner_id": "bob", "sub": "bob", "created_by": "bob"}, nil},
		{"rename another's document", `mutation { renameDocument(id: "` + bobDoc + `", title: "mine now") { title } }`, nil, nil},
		{"delete another tenant's document", `mutation { deleteDocument(id: "` + carolDoc + `") { title } }`, nil, nil},
		{"another tenant's order", `mutation { setOrderStatus(id: "` + globexOrder + `", status: CANCELED) { number } }`, nil, nil},
		{"create with an owner argument", `mutation { createDocument(title: "x", created_by: "bob") { title } }`, nil, []string{"GRAPHQL_VALIDATION_FAILED"}},
	} {
		r := s.post(t, alice, c.query, c.variables)
		if !slices.Equal(r.codes(), c.codes) {
			t.Errorf("%s: codes %v, want %v", c.name, r.codes(), c.codes)
		}
		for field, value := range r.Data {
			if string(value) != "null" {
				t.Errorf("%s: %s = %s", c.name, field, value)
			}
		}
	}
	r := s.post(t, bob, `{ mine: document(id: "`+bobDoc+`") { title } theirs: document(id: "`+aliceDoc+`") { title } }`, nil)
	if len(r.Errors) > 0 || string(r.Data["theirs"]) != "null" || !strings.Contains(string(r.Data["mine"]), "Supplier contract draft") {
		t.Errorf("aliased reads as bob: %v %s", r.codes(), r.Data)
	}
	if rows() != before {
		t.Fatal("attempts on other users' and tenants' rows changed them")
	}

	// Without a token there is no identity to inject: nothing is served.
	for _, q := range []string{`{ myDocuments { title } }`, `{ orders { number } }`, `mutation { createDocument(title: "anonymous") { title } }`} {
		if r := s.post(t, "", q, nil); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) {
			t.Errorf("%s without a token: %d %v", q, r.status, r.codes())
		}
	}
	if rows() != before {
		t.Fatal("anonymous requests changed rows")
	}

	// Their own rows they can change, and the change stays theirs.
	var created, renamed document
	s.post(t, bob, `mutation { createDocument(title: "Bob's new draft") { id title } }`, nil).field(t, "createDocument", &created)
	s.post(t, bob, `mutation($id: UUID!) { renameDocument(id: $id, title: "Bob's final draft") { id title } }`, map[string]any{"id": created.ID}).field(t, "renameDocument", &renamed)
	if renamed.ID != created.ID || renamed.Title != "Bob's final draft" {
		t.Errorf("renameDocument of bob's own document: %+v", renamed)
	}
	if got := titles(bob); len(got) != 3 || !slices.Contains(got, "Bob's final draft") {
		t.Errorf("bob's documents after creating one: %q", got)
	}
	if got := titles(alice); len(got) != 3 || slices.Contains(got, "Bob's final draft") {
		t.Errorf("alice's documents after bob created one: %q", got)
	}
	var changed order
	s.post(t, carol, `mutation { setOrderStatus(id: "`+globexOrder+`", status: PAID) { number status } }`, nil).field(t, "setOrderStatus", &changed)
	if changed.Number != "G-5001" || changed.Status != "PAID" {
		t.Errorf("setOrderStatus on carol's tenant's order: %+v", changed)
	}
	var notTheirs *order
	s.post(t, carol, `mutation { setOrderStatus(id: "`+acmeOrder+`", status: CANCELED) { number } }`, nil).field(t, "setOrderStatus", &notTheirs)
	if notTheirs != nil || !slices.Equal(numbers(alice, "PAID"), []string{"A-1001"}) {
		t.Errorf("setOrderStatus on acme's order as carol: %+v", notTheirs)
	}
	var deleted *document
	s.post(t, alice, `mutation { deleteDocument(id: "`+aliceDoc+`") { title } }`, nil).field(t, "deleteDocument", &deleted)
	if deleted == nil || deleted.Title != "Quarterly plan" || len(titles(alice)) != 2 {
		t.Errorf("deleteDocument of alice's own document: %+v", deleted)
	}
}
