// Executes documents with graphql-js (17 and 16) over data given as the
// root value, and prints what each answers: the reference for where a
// server puts field errors and nulls (runtime's nonnull_test.go).
//
// stdin: {"sdl": "...", "cases": [{"query", "variables", "root"}]}, where
// root holds each field's value under its response key (an alias, if
// given), as the server's database produced it, before any null was
// placed; {"__error": message} in place of a value is a field error. stdout: [{"v17": {data, errors}, "v16": {data, errors}}].
import * as graphql17 from 'graphql';
import * as graphql16 from 'graphql16';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

// The value of a field is its response key's in the parent: the server's
// data is keyed by response key. {"__error": message} stands for a field
// whose resolver fails (its arguments are wrong).
const byKey = (source, _args, _ctx, info) => {
  const value = source?.[info.path.key];
  if (value !== null && typeof value === 'object' && typeof value.__error === 'string') {
    throw new Error(value.__error);
  }
  return value;
};

function run(graphql, c, schema) {
  const result = graphql.execute({
    schema,
    document: graphql.parse(c.query),
    rootValue: c.root,
    variableValues: c.variables ?? {},
    fieldResolver: byKey,
  });
  const out = { data: result.data ?? null };
  if (result.errors) {
    out.errors = result.errors.map((e) => ({ message: e.message, path: e.path, locations: e.locations }));
  }
  return out;
}

const schema17 = graphql17.buildSchema(input.sdl);
const schema16 = graphql16.buildSchema(input.sdl);
const out = input.cases.map((c) => ({ v17: run(graphql17, c, schema17), v16: run(graphql16, c, schema16) }));
process.stdout.write(JSON.stringify(out));
