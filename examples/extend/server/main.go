// Command extend-server serves examples/extend: gqlplan's command line
// (serve, dev, compile, …) with the example's Go resolvers, the story of
// PostGraphile's makeExtendSchemaPlugin page (seed 003).
//
//	EXCHANGE_RATE_URL  where priceInAuCents reads the USD→AUD rate
//	                   ({"rate": 1.52}); unset: a fixed 1.5
//	SMTP_ADDR          host:port registerUser sends its welcome email to;
//	                   unset: the email is logged instead
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/smtp"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/extend/server"
)

func main() {
	server.Main(extend.Resolvers{
		Operations: map[string]extend.OperationFunc{
			"registerUser":          registerUser,
			"randomUser":            randomUser,
			"randomUsersList":       randomUsersList,
			"randomUsersConnection": randomUsersConnection,
			"addToWishlist":         addToWishlist,
			"deleteItem":            deleteItem,
		},
		Fields: map[string]extend.FieldFunc{
			"priceInAuCents":  priceInAuCents,
			"similarProducts": similarProducts,
		},
	})
}

// priceInAuCents converts every product's price of a request with one
// rate, fetched once for all of them.
func priceInAuCents(ctx context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
	rate, err := usdToAud(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(parents))
	for i, p := range parents {
		cents, err := p.Requires["price_in_us_cents"].(json.Number).Float64()
		if err != nil {
			return nil, fmt.Errorf("price_in_us_cents %v: %w", p.Requires["price_in_us_cents"], err)
		}
		out[i] = int64(math.Round(cents * rate))
	}
	return out, nil
}

// similarProducts picks, for every product of a request, the others
// priced within 10% of it, cheapest first: one query for all of them, the
// choice in Go, and the server reads what the client selected of each.
func similarProducts(ctx context.Context, req *extend.Request, parents []extend.Parent) ([]any, error) {
	type product struct{ id, cents int64 }
	rows, _ := req.Tx.Query(ctx, `SELECT id, price_in_us_cents FROM app.product ORDER BY price_in_us_cents, id`)
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (p product, err error) {
		return p, r.Scan(&p.id, &p.cents)
	})
	if err != nil {
		return nil, err
	}
	out := make([]any, len(parents))
	for i, p := range parents {
		id, _ := p.Requires["id"].(json.Number).Int64()
		cents, _ := p.Requires["price_in_us_cents"].(json.Number).Int64()
		var keys []any
		for _, q := range all {
			if q.id != id && math.Abs(float64(q.cents-cents)) <= 0.1*float64(cents) {
				keys = append(keys, q.id)
			}
		}
		out[i] = extend.Rows(keys...)
	}
	return out, nil
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func usdToAud(ctx context.Context) (float64, error) {
	url := os.Getenv("EXCHANGE_RATE_URL")
	if url == "" {
		return 1.5, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("the exchange service: %w", err)
	}
	defer resp.Body.Close()
	var body struct{ Rate float64 }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Rate <= 0 {
		return 0, fmt.Errorf("the exchange service answered %s without a rate", resp.Status)
	}
	return body.Rate, nil
}

// registerUser inserts the user through the request's transaction (its
// role and claims: the row security policy makes the token's sub the
// inviter), then sends the welcome email. An error after the insert —
// the email refused — undoes it: the server rolls back to the savepoint
// the resolver runs in. The payload's user is read by look-ahead.
func registerUser(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
	input, _ := args["input"].(map[string]any)
	name, _ := input["name"].(string)
	email, _ := input["email"].(string)
	if name == "" || email == "" {
		return extend.Result{}, extend.Errorf("BAD_USER_INPUT", "a name and an email are required")
	}
	var id int64
	err := req.Tx.QueryRow(ctx, `INSERT INTO app.users (name, email, bio, invited_by)
		VALUES ($1, $2, $3, nullif(current_setting('jwt.claims.sub', true), '')::int) RETURNING id`,
		name, email, input["bio"]).Scan(&id)
	if err != nil {
		return extend.Result{}, err
	}
	body := fmt.Sprintf("Welcome, %s! You are user %d — thanks for being awesome.", name, id)
	if err := sendEmail(email, "Welcome to the shop", body); err != nil {
		return extend.Result{}, extend.Errorf("EMAIL_FAILED", "the welcome email to %s could not be sent", email)
	}
	return extend.Object(map[string]extend.Result{
		"user":    extend.Rows(id),
		"message": extend.Value(fmt.Sprintf("Welcome, %s!", name)),
	}), nil
}

func sendEmail(to, subject, body string) error {
	addr := os.Getenv("SMTP_ADDR")
	msg := fmt.Sprintf("From: shop@example.com\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n", to, subject, body)
	if addr == "" {
		slog.Info("email (SMTP_ADDR is unset, so it is logged, not sent)", "to", to, "subject", subject)
		return nil
	}
	return smtp.SendMail(addr, nil, "shop@example.com", []string{to}, []byte(msg))
}

// randomUser picks one user the request may see, at random.
func randomUser(ctx context.Context, req *extend.Request, _ map[string]any) (extend.Result, error) {
	ids, err := userIDs(ctx, req.Tx, `SELECT id FROM app.users ORDER BY random() LIMIT 1`)
	return extend.Rows(ids...), err
}

// randomUsersList picks count users at random.
func randomUsersList(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
	count, _ := args["count"].(json.Number).Int64()
	ids, err := userIDs(ctx, req.Tx, `SELECT id FROM app.users ORDER BY random() LIMIT $1`, count)
	return extend.Rows(ids...), err
}

// randomUsersConnection picks about half the users at random; the server
// pages them as any connection.
func randomUsersConnection(ctx context.Context, req *extend.Request, _ map[string]any) (extend.Result, error) {
	ids, err := userIDs(ctx, req.Tx, `SELECT id FROM app.users WHERE random() < 0.5`)
	return extend.Rows(ids...), err
}

// userIDs runs a query of ids in the request's transaction: row security
// applies to it as to the SQL fields.
func userIDs(ctx context.Context, tx extend.Tx, sql string, args ...any) ([]any, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out, err
}

// addToWishlist inserts every product of the list in one statement
// (json_array_elements, as seed 003's bulk insert), as the request's user:
// the row security policy holds them to their own wishlist. A product
// already there is a unique violation: the client sees BAD_USER_INPUT
// naming wishlist_once, and none of the list is stored.
func addToWishlist(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
	input, _ := args["input"].(map[string]any)
	elements, err := json.Marshal(input["productIds"])
	if err != nil {
		return extend.Result{}, err
	}
	rows, _ := req.Tx.Query(ctx, `INSERT INTO app.wishlist (user_id, product_id)
		SELECT $2, el::int FROM json_array_elements_text($1::json) el
		RETURNING id`, string(elements), req.Claims["sub"])
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return extend.Result{}, err
	}
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	return extend.Object(map[string]extend.Result{"entries": extend.Rows(keys...)}), nil
}

// deleteItem archives the item a global id names, if the request's user
// owns it (seed 003's soft delete by Node id). The server decoded the id
// and refused one of another type before this runs.
func deleteItem(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
	input, _ := args["input"].(map[string]any)
	item := input["nodeId"].(extend.NodeID)
	tag, err := req.Tx.Exec(ctx, `UPDATE app.item SET is_archived = true WHERE id = $1 AND user_id = $2 AND NOT is_archived`,
		item.Key[0], req.Claims["sub"])
	if err != nil {
		return extend.Result{}, err
	}
	return extend.Object(map[string]extend.Result{"success": extend.Value(tag.RowsAffected() == 1)}), nil
}
