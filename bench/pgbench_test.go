package main

import (
	"maps"
	"testing"
)

func TestDataStatementsAlone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		batch   []recorded
		text    string
		options string
		vars    map[string]string
	}{{
		name: "a query: plain set_config pairs",
		batch: []recorded{
			{"SELECT num_nulls(set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true))",
				[]any{"role", "forum_example_anonymous", "statement_timeout", "30000", "transaction_read_only", "on"}},
			{"SELECT row_to_json(p) FROM forum_example.post p WHERE p.id = $1", []any{int64(7)}},
		},
		text:    "SELECT row_to_json(p) FROM forum_example.post p WHERE p.id = :s2_1;\n",
		options: "-c role=forum_example_anonymous -c statement_timeout=30000 -c default_transaction_read_only=on",
		vars:    map[string]string{"s2_1": "7"},
	}, {
		name: "a mutation of many claims: the arrays unnested, the transaction control left out",
		batch: []recorded{
			{"BEGIN", nil},
			{"SELECT set_config(u.k, u.v, true) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(k, v, o) ORDER BY u.o",
				[]any{[]string{"role", "request.jwt.claims"}, []string{"forum_example_person", `{"a": "b\c"}`}}},
			{"SAVEPOINT f1", nil},
			{"SELECT forum_example.create_post($1, $2)", []any{"Hi", nil}},
			{"RELEASE SAVEPOINT f1", nil},
			{"commit", nil},
		},
		text:    "SELECT forum_example.create_post(:s4_1, NULL);\n",
		options: `-c role=forum_example_person -c request.jwt.claims={"a":\ "b\\c"}`,
		vars:    map[string]string{"s4_1": "Hi"},
	}, {
		name: "a mutation's call, keeping its rows in a setting, and its payload: both data statements",
		batch: []recorded{
			{"SELECT num_nulls(set_config($1, $2, true))", []any{"role", "forum_example_person"}},
			{"SELECT set_config('gqlplan.mutation_rows', coalesce((SELECT array_agg(s) FROM forum_example.create_post($1) s)::text, '{}'), true)", []any{"Hi"}},
			{"SELECT (SELECT json_build_object('id', s.id) FROM unnest(nullif(current_setting('gqlplan.mutation_rows', true), '')::forum_example.post[]) s)", nil},
		},
		text: "SELECT set_config('gqlplan.mutation_rows', coalesce((SELECT array_agg(s) FROM forum_example.create_post(:s2_1) s)::text, '{}'), true);\n" +
			"SELECT (SELECT json_build_object('id', s.id) FROM unnest(nullif(current_setting('gqlplan.mutation_rows', true), '')::forum_example.post[]) s);\n",
		options: "-c role=forum_example_person",
		vars:    map[string]string{"s2_1": "Hi"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dataStatementsAlone(tc.batch)
			if err != nil {
				t.Fatal(err)
			}
			if got.text != tc.text {
				t.Errorf("text\n got %q\nwant %q", got.text, tc.text)
			}
			if got.options != tc.options {
				t.Errorf("options\n got %q\nwant %q", got.options, tc.options)
			}
			if !maps.Equal(got.vars, tc.vars) {
				t.Errorf("vars: got %v, want %v", got.vars, tc.vars)
			}
		})
	}
}

func TestConninfoValue(t *testing.T) {
	if got, want := conninfoValue(`-c a=it's\ x`), `'-c a=it\'s\\ x'`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
