// Reads the schema of a running server the way GraphQL tools do —
// getIntrospectionQuery with every option on, then buildClientSchema — with
// graphql-js 16 and 17, and checks that it prints the same schema as the
// SDL gqlplan wrote (both sorted lexicographically), and that introspection
// keeps the declaration order of the SDL.
//
// usage: node introspection.mjs <url> <schema.graphql>
import { readFileSync } from "node:fs";
import * as graphql17 from "graphql";
import * as graphql16 from "graphql16";

const [url, sdlPath] = process.argv.slice(2);
const sdl = readFileSync(sdlPath, "utf8");
let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(msg);
};

for (const [name, g] of [["graphql-js 16", graphql16], ["graphql-js 17", graphql17]]) {
  const query = g.getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query }),
  });
  const body = await res.json();
  if (res.status !== 200 || body.errors) {
    fail(`${name}: introspection answered ${res.status}: ${JSON.stringify(body.errors)}`);
    continue;
  }
  const client = g.buildClientSchema(body.data);
  const declared = g.buildSchema(sdl);
  const got = g.printSchema(g.lexicographicSortSchema(client));
  const want = g.printSchema(g.lexicographicSortSchema(declared));
  if (got !== want) {
    const a = got.split("\n"), b = want.split("\n");
    const i = a.findIndex((line, k) => line !== b[k]);
    fail(`${name}: introspection and SDL differ at line ${i + 1}:\n  introspection: ${a[i]}\n  sdl:           ${b[i]}`);
  }
  // Declaration order: each type's fields, arguments and values as the SDL has them.
  for (const type of Object.values(declared.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    const other = client.getType(type.name);
    if (!other) {
      if (!g.isSpecifiedScalarType(type)) fail(`${name}: ${type.name} is missing from introspection`);
      continue;
    }
    const names = (t) =>
      g.isEnumType(t) ? t.getValues().map((v) => v.name)
      : "getFields" in t ? Object.values(t.getFields()).map((f) => f.name + "(" + (f.args || []).map((a) => a.name).join(",") + ")")
      : [];
    if (JSON.stringify(names(type)) !== JSON.stringify(names(other))) {
      fail(`${name}: ${type.name} is not in declaration order:\n  introspection: ${names(other)}\n  sdl:           ${names(type)}`);
    }
  }
  // Only the scalars the schema uses.
  for (const t of Object.values(client.getTypeMap())) {
    if (g.isScalarType(t) && !t.name.startsWith("__") && !declared.getType(t.name) && !["String", "Boolean"].includes(t.name)) {
      fail(`${name}: introspection lists the unused scalar ${t.name}`);
    }
  }
  console.log(`${name}: ${Object.keys(client.getTypeMap()).length} types, introspection matches the SDL`);
}
process.exit(failures ? 1 : 0);
