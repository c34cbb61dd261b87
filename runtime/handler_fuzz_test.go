package runtime_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// FuzzHandler sends arbitrary HTTP requests to the handler over a real
// database: no panic, no 5xx (nothing injects database faults here), a
// JSON body with an error code for every error, and no SQL in it; a
// batch's answer is an array of such bodies.
func FuzzHandler(f *testing.F) {
	// A short statement timeout: the fuzzer finds slow(seconds: 1e9).
	s := newServer(f, serverOptions{limits: runtime.Limits{StatementTimeout: 200 * time.Millisecond, MaxBatch: 4}})
	member := token(f, jwt.MapClaims{"role": s.roles.member, "person_id": 1, "sub": "ada", "exp": 4102444800})
	post := func(body, extra string) string {
		return "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
			"Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	}
	for _, seed := range []string{
		post(`{"query":"{ person(id: 1) { id name } }"}`, ""),
		post(`{"query":"query($id: Int!) { person(id: $id) { id address { city } } }","variables":{"id":2}}`, "Accept: application/json\r\n"),
		post(`{"query":"{ myNotes { id meta { owner { name } } } session { role } }"}`, "Authorization: Bearer "+member+"\r\n"),
		post(`{"query":"mutation { createPost(title: \"x'); DROP TABLE shop.post; --\") { id } }"}`, "Authorization: Bearer "+member+"\r\n"),
		post(`{"query":"{ peopleConnection(first: 2, where: {name: {startsWith: \"A%\"}}) { edges { cursor node { id } } pageInfo { hasNextPage } } }"}`, ""),
		post(`{"query":"{ __schema { types { name } } }"}`, ""),
		post(`[{"query":"{ __typename }"}]`, ""),
		post(`{"documentId":"sha256:00","extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}},"doc_id":"x"}`, ""),
		"GET /graphql?documentId=sha256:00&extensions=%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n",
		post(`[{"query":"mutation { createPost(title: \"a\") { id } }"},{"query":1},{"query":"{ posts { title } }"}]`, "Authorization: Bearer "+member+"\r\n"),
		post(`{"query":"fragment A on Person { ...A } { person(id: 1) { ...A } }"}`, ""),
		"GET /graphql?query=%7B%20people%20%7B%20id%20%7D%20%7D HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /graphql?query=mutation%7BfailWith(message:%22x%22)%7Bid%7D%7D HTTP/1.1\r\nHost: x\r\n\r\n",
		"OPTIONS /graphql HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, body)
		}
		if rec.Code == http.StatusNoContent {
			return
		}
		type answer struct {
			Errors []struct {
				Extensions struct {
					Code string `json:"code"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		var answers []answer
		if err := json.Unmarshal(rec.Body.Bytes(), &answers); err != nil {
			answers = []answer{{}}
			if err := json.Unmarshal(rec.Body.Bytes(), &answers[0]); err != nil {
				t.Fatalf("status %d, body is not JSON: %q", rec.Code, body)
			}
		}
		for _, a := range answers {
			for _, e := range a.Errors {
				if e.Extensions.Code == "" {
					t.Fatalf("an error without a code: %s", body)
				}
			}
		}
		if strings.Contains(body, "SELECT ") || strings.Contains(body, "set_config") {
			t.Fatalf("SQL in the response: %s", body)
		}
	})
}
