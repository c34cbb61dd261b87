package runtime_test

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestQueryColumnsShape(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`{ people(limit: 10) { id firstName lastName email color balance score tags createdAt address { city lines { text } } } }`, nil, "")
	want := `{"people":[` +
		`{"id":1,"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","color":"DARK_BLUE","balance":"9007199254740993","score":"12.50","tags":["math","poetry"],"createdAt":"2024-01-02T03:04:05+00:00","address":{"city":"London","lines":[{"text":"12 St James Sq"}]}},` +
		`{"id":2,"firstName":"Alan","lastName":"Turing","email":"alan@example.com","color":"GREEN","balance":"2","score":null,"tags":[],"createdAt":"2024-01-02T03:04:05+00:00","address":null},` +
		`{"id":3,"firstName":"Grace","lastName":null,"email":"grace@example.com","color":null,"balance":"3","score":"1.00","tags":["navy"],"createdAt":"2024-01-02T03:04:05+00:00","address":{"city":"Arlington","lines":null}}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestQueryJSONBShape(t *testing.T) {
	s := newServer(t, serverOptions{})
	tok := token(t, jwt.MapClaims{"sub": "ada"})
	got := s.query(`{ myNotes { id body color stars meta { length owner { name } } labels { color name } } }`, nil, tok)
	want := `{"myNotes":[` +
		`{"id":"1","body":"first","color":"RED","stars":"5","meta":{"length":5,"owner":{"name":"ada"}},"labels":[{"color":"RED","name":"x"},{"color":"DARK_BLUE","name":"y"}]},` +
		`{"id":"2","body":"second","color":"DARK_BLUE","stars":"12345678901234","meta":{"length":6,"owner":{"name":"ada"}},"labels":[{"color":"RED","name":"x"},{"color":"DARK_BLUE","name":"y"}]}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
