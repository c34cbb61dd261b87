package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/extend"
)

// examples/extend is seed 003's story on a server built with package
// extend/server: a field computed in Go from a column (with a rate from a
// stand-in exchange service), a mutation that inserts through the
// request's transaction and sends an email (to an SMTP sink this test
// reads), rows picked in Go and read by look-ahead.
func TestExtendExample(t *testing.T) {
	admin, login, plan := compileExample(t, "extend", "extend_gqlplan")

	// The stock gqlplan does not have the resolvers: it refuses the plan,
	// naming each, before it reaches the database.
	out, err := exec.Command(binary, "serve", "--plan", plan, "--database-url", login, "--listen", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "priceInAuCents, randomUser, randomUsersConnection, randomUsersList, registerUser") {
		t.Fatalf("the stock gqlplan serves a plan with resolvers it does not have: %v\n%s", err, out)
	}

	var rateCalls atomic.Int64
	rates := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rateCalls.Add(1)
		fmt.Fprint(w, `{"rate": 1.52}`)
	}))
	defer rates.Close()
	mail := startSMTPSink(t)
	s := serveBinary(t, extendServer, []string{"EXCHANGE_RATE_URL=" + rates.URL, "SMTP_ADDR=" + mail.addr},
		admin, login, plan, "--default-role", "extend_anonymous")
	token := func(sub int) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "extend_user", "sub": sub, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	t.Run("a field resolver over 100 rows is called once", func(t *testing.T) {
		before := rateCalls.Load()
		var products []struct{ ID, PriceInUsCents, PriceInAuCents int }
		s.post(t, "", `{ products { id priceInUsCents priceInAuCents } }`, nil).field(t, "products", &products)
		if len(products) != 100 {
			t.Fatalf("%d products, want 100", len(products))
		}
		for _, p := range products {
			if want := int(math.Round(float64(p.PriceInUsCents) * 1.52)); p.PriceInAuCents != want {
				t.Errorf("product %d: %d AU cents, want %d", p.ID, p.PriceInAuCents, want)
			}
		}
		if n := rateCalls.Load() - before; n != 1 {
			t.Errorf("the resolver fetched the rate %d times for 100 products, want once", n)
		}
		// Not selected: not called.
		s.post(t, "", `{ products { id } }`, nil).field(t, "products", &products)
		if n := rateCalls.Load() - before; n != 1 {
			t.Errorf("the rate was fetched %d times in all, want 1: a request not selecting the field called it", n)
		}
	})

	t.Run("rows picked in Go, under row security, read by look-ahead", func(t *testing.T) {
		ids := func(tok, query, field string) []int {
			var users []struct{ ID int }
			s.post(t, tok, query, nil).field(t, field, &users)
			var out []int
			for _, u := range users {
				out = append(out, u.ID)
			}
			slices.Sort(out)
			return out
		}
		// Hedy (4) is hidden: the resolver's own SELECT does not see her,
		// but as herself (the token's sub) it does.
		if got := ids("", `{ randomUsersList(count: 10) { id name } }`, "randomUsersList"); !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("anonymous: %v, want [1 2 3]", got)
		}
		if got := ids(token(4), `{ randomUsersList(count: 10) { id name } }`, "randomUsersList"); !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Errorf("as Hedy: %v, want [1 2 3 4]", got)
		}
		var one struct{ ID int }
		s.post(t, "", `{ randomUser { id email } }`, nil).field(t, "randomUser", &one)
		if one.ID < 1 || one.ID > 3 {
			t.Errorf("randomUser: %+v", one)
		}
		var page struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ ID int }
			}
			PageInfo struct{ HasNextPage bool }
		}
		s.post(t, token(4), `{ randomUsersConnection(first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage } } }`, nil).field(t, "randomUsersConnection", &page)
		if len(page.Edges) > 2 || page.TotalCount > 4 || (page.TotalCount > 2) != page.PageInfo.HasNextPage || len(page.Edges) != min(page.TotalCount, 2) {
			t.Errorf("a page of the connection: %+v", page)
		}
		for i := 1; i < len(page.Edges); i++ {
			if page.Edges[i].Node.ID <= page.Edges[i-1].Node.ID || page.Edges[i].Cursor == "" {
				t.Errorf("the page is not in key order with cursors: %+v", page.Edges)
			}
		}
		// Paged with cursors, one row at a time: each request picks its
		// own random rows, and each page holds only rows after the
		// cursor, in key order, until there is no next page (or, since
		// the next request picks again, none is left).
		var after any
		last, pages := 0, 0
		for ; pages < 10; pages++ {
			var p struct {
				Edges []struct {
					Cursor string
					Node   struct{ ID int }
				}
				PageInfo struct{ HasNextPage bool }
			}
			s.post(t, token(4), `query($after: String) { randomUsersConnection(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage } } }`,
				map[string]any{"after": after}).field(t, "randomUsersConnection", &p)
			if len(p.Edges) == 0 {
				break
			}
			if len(p.Edges) != 1 || p.Edges[0].Node.ID <= last {
				t.Fatalf("page %d after id %d: %+v", pages, last, p.Edges)
			}
			last, after = p.Edges[0].Node.ID, p.Edges[0].Cursor
			if !p.PageInfo.HasNextPage {
				break
			}
		}
		if pages == 10 {
			t.Error("10 pages of one row over 4 users: the cursor does not advance")
		}
	})

	t.Run("registerUser inserts in the request's transaction and sends the email", func(t *testing.T) {
		r := s.post(t, token(1), `mutation($in: RegisterUserInput!) { registerUser(input: $in) { message user { id name email bio } } }`,
			map[string]any{"in": map[string]any{"name": "Katherine", "email": "katherine@example.com", "bio": "Orbits."}})
		var payload struct {
			Message string
			User    struct {
				ID               int
				Name, Email, Bio string
			}
		}
		r.field(t, "registerUser", &payload)
		if payload.Message != "Welcome, Katherine!" || payload.User.Name != "Katherine" || payload.User.Bio != "Orbits." || payload.User.ID == 0 {
			t.Errorf("payload %+v", payload)
		}
		msgs := mail.to("katherine@example.com")
		if len(msgs) != 1 || !strings.Contains(msgs[0], fmt.Sprintf("You are user %d", payload.User.ID)) {
			t.Errorf("welcome emails: %q", msgs)
		}
		// The row security policy let the insert through only because the
		// transaction carried the token's sub: the inviter.
		var invitedBy int
		if err := connect(t, admin).QueryRow(context.Background(), `SELECT invited_by FROM app.users WHERE email = 'katherine@example.com'`).Scan(&invitedBy); err != nil || invitedBy != 1 {
			t.Errorf("invited_by %d (%v), want 1: the resolver's SQL did not run with the token's claims", invitedBy, err)
		}
		// Anonymous: the role may not insert, which the client is told as
		// for a SQL mutation; nothing is stored or sent.
		r = s.post(t, "", `mutation { registerUser(input: {name: "Eve", email: "eve@example.com"}) { message } }`, nil)
		if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) || r.Errors[0].Message != "Permission denied." || len(mail.to("eve@example.com")) != 0 || countUsers(t, admin, "eve@example.com") != 0 {
			t.Errorf("anonymous registration: %v %+v, emails %q", r.codes(), r.Errors, mail.to("eve@example.com"))
		}
	})

	t.Run("bulk insert with a look-ahead payload and the root query", func(t *testing.T) {
		const add = `mutation($ids: [Int!]!) { addToWishlist(input: {productIds: $ids}) {
			entries { product { id name } }
			query { myWishlist { product { id } } products(limit: 1) { id } }
		} }`
		var payload struct {
			Entries []struct{ Product struct{ ID int } }
			Query   struct {
				MyWishlist []struct{ Product struct{ ID int } }
				Products   []struct{ ID int }
			}
		}
		s.post(t, token(2), add, map[string]any{"ids": []int{3, 5, 7}}).field(t, "addToWishlist", &payload)
		var entries, wished []int
		for _, e := range payload.Entries {
			entries = append(entries, e.Product.ID)
		}
		for _, e := range payload.Query.MyWishlist {
			wished = append(wished, e.Product.ID)
		}
		if !slices.Equal(entries, []int{3, 5, 7}) || !slices.Equal(wished, []int{3, 5, 7}) || len(payload.Query.Products) != 1 {
			t.Errorf("the payload: entries %v, the query's wishlist %v (it must read the insert), products %v", entries, wished, payload.Query.Products)
		}
		// 7 is there already: a unique violation, named; none of the list
		// is stored.
		r := s.post(t, token(2), add, map[string]any{"ids": []int{9, 7}})
		if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) || r.Errors[0].Extensions.Constraint != "wishlist_once" {
			t.Errorf("a product wished twice: %v %+v", r.codes(), r.Errors)
		}
		var n int
		if err := connect(t, admin).QueryRow(context.Background(), `SELECT count(*) FROM app.wishlist WHERE user_id = 2`).Scan(&n); err != nil || n != 3 {
			t.Errorf("user 2 has %d wishlist rows (%v), want 3", n, err)
		}
		// Anonymous: only a token opens it.
		if r := s.post(t, "", add, map[string]any{"ids": []int{1}}); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) {
			t.Errorf("anonymous: %v", r.codes())
		}
	})

	t.Run("delete by Node id with an owner check", func(t *testing.T) {
		var items []struct {
			ID    string
			RowID int
			Owner struct{ ID int }
		}
		s.post(t, "", `{ items { id rowId owner { id } } }`, nil).field(t, "items", &items)
		if len(items) != 3 || items[0].RowID != 1 || items[0].Owner.ID != 1 || items[0].ID != extendNodeID("Item", 1) {
			t.Fatalf("items: %+v", items)
		}
		const del = `mutation($id: ID!) { deleteItem(input: {nodeId: $id}) { success } }`
		var out struct{ Success bool }
		// Alan does not own Ada's notebook: nothing changes.
		s.post(t, token(2), del, map[string]any{"id": items[0].ID}).field(t, "deleteItem", &out)
		if out.Success {
			t.Error("Alan archived Ada's item")
		}
		s.post(t, token(1), del, map[string]any{"id": items[0].ID}).field(t, "deleteItem", &out)
		if !out.Success {
			t.Error("Ada could not archive her own item")
		}
		s.post(t, "", `{ items { rowId } }`, nil).field(t, "items", &items)
		if len(items) != 2 || items[0].RowID != 2 {
			t.Errorf("after the archive: %+v", items)
		}
		// An id of no node type, or malformed, never reaches the resolver.
		for _, id := range []string{extendNodeID("User", 1), "not-an-id"} {
			r := s.post(t, token(1), del, map[string]any{"id": id})
			if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) || !strings.HasPrefix(r.Errors[0].Message, "Argument input.nodeId is not a global id of this API") {
				t.Errorf("%s: %v %+v", id, r.codes(), r.Errors)
			}
		}
	})

	t.Run("an object field resolved in Go, batched, read with the selection beneath", func(t *testing.T) {
		before := rateCalls.Load()
		var products []struct {
			ID      int
			Similar []struct{ ID, PriceInAuCents int }
		}
		s.post(t, "", `{ products { id similar(limit: 20) { id priceInAuCents } } }`, nil).field(t, "products", &products)
		p := products[49] // product 50, 5000 US cents: 4500 to 5500
		var ids []int
		for _, q := range p.Similar {
			ids = append(ids, q.ID)
			if want := int(math.Round(float64(q.ID*100) * 1.52)); q.PriceInAuCents != want {
				t.Errorf("similar product %d: %d AU cents, want %d", q.ID, q.PriceInAuCents, want)
			}
		}
		if p.ID != 50 || !slices.Equal(ids, []int{45, 46, 47, 48, 49, 51, 52, 53, 54, 55}) {
			t.Errorf("product %d: similar %v", p.ID, ids)
		}
		// The prices beneath the similar products: one more call, for all.
		if n := rateCalls.Load() - before; n != 1 {
			t.Errorf("the rate was fetched %d times, want 1", n)
		}
		// A page of them, in the resolver's order; one too large is an
		// error before the resolver runs (the first product's nulls the
		// non-null list, as graphql-js places it).
		var paged []struct{ Similar []struct{ ID int } }
		s.post(t, "", `{ products(limit: 1, offset: 49) { similar(limit: 3, offset: 2) { id } } }`, nil).field(t, "products", &paged)
		if len(paged) != 1 || fmt.Sprint(paged[0].Similar) != "[{47} {48} {49}]" {
			t.Errorf("a page of similar products: %+v", paged)
		}
		if r := s.post(t, "", `{ products(limit: 2) { id similar(limit: 21) { id } } }`, nil); !slices.Equal(r.codes(), []string{"PAGE_TOO_LARGE"}) || string(r.Data["products"]) != "" {
			t.Errorf("a page too large: %v %+v", r.codes(), r.Errors)
		}
	})

	t.Run("a failing resolver among three mutations is rolled back alone", func(t *testing.T) {
		r := s.post(t, token(1), `mutation {
			a: registerUser(input: {name: "Mary", email: "mary@example.com"}) { user { id } }
			b: registerUser(input: {name: "Bounce", email: "nobody@bounce.example"}) { user { id } }
			c: registerUser(input: {name: "Annie", email: "annie@example.com"}) { user { id } }
		}`, nil)
		if b, ok := r.Data["b"]; !slices.Equal(r.codes(), []string{"EMAIL_FAILED"}) || !ok || (len(b) != 0 && string(b) != "null") || r.Data["a"] == nil || r.Data["c"] == nil {
			t.Fatalf("errors %v %+v, b = %s", r.codes(), r.Errors, r.Data["b"])
		}
		if countUsers(t, admin, "mary@example.com") != 1 || countUsers(t, admin, "annie@example.com") != 1 || countUsers(t, admin, "nobody@bounce.example") != 0 {
			t.Error("the two good registrations are not both committed, or the failed one is")
		}
		if len(mail.to("mary@example.com")) != 1 || len(mail.to("annie@example.com")) != 1 {
			t.Errorf("emails: %v", mail.all())
		}
	})
}

func countUsers(t *testing.T, admin, email string) (n int) {
	t.Helper()
	if err := connect(t, admin).QueryRow(context.Background(), `SELECT count(*) FROM app.users WHERE email = $1`, email).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// smtpSink is a local SMTP server that keeps every message it accepts,
// and refuses recipients at bounce.example (550), as a real server
// refuses an unknown mailbox.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs map[string][]string // recipient → messages
}

func startSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpSink{addr: l.Addr().String(), msgs: map[string][]string{}}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go s.session(conn)
		}
	}()
	return s
}

func (s *smtpSink) session(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(line string) { fmt.Fprint(conn, line+"\r\n") }
	reply("220 sink ESMTP")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			rcpts = nil
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			if strings.HasSuffix(addr, "@bounce.example") {
				reply("550 no such mailbox")
				continue
			}
			rcpts = append(rcpts, addr)
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var body strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				body.WriteString(l)
			}
			s.mu.Lock()
			for _, to := range rcpts {
				s.msgs[to] = append(s.msgs[to], body.String())
			}
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

func (s *smtpSink) to(addr string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs[addr])
}

func (s *smtpSink) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, _ := json.Marshal(s.msgs)
	return string(out)
}

// extendNodeID is a global id as the server writes it, through package
// extend's helper: what a resolver's client sends back.
func extendNodeID(typ string, key ...any) string { return extend.EncodeNodeID(typ, key...) }
