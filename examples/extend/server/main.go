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
	"strconv"
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
		},
		Fields: map[string]extend.FieldFunc{"priceInAuCents": priceInAuCents},
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
		cents, err := strconv.ParseFloat(fmt.Sprint(p.Requires["price_in_us_cents"]), 64)
		if err != nil {
			return nil, fmt.Errorf("price_in_us_cents %v: %w", p.Requires["price_in_us_cents"], err)
		}
		out[i] = int64(math.Round(cents * rate))
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
	count, _ := args["count"].(int64)
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
